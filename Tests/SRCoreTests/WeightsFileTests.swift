import Testing
import CHDF5
@testable import SRCore
import SRTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The legacy HDF5 weights file (format_version 1.x): exact round trips, self-description, refusal of bad files.
@Suite struct WeightsFileTests {
    typealias S = FormatsTestSupport

    @Test(arguments: [DCSCNConfig.compact(scale: 4), DCSCNConfig.compact(scale: 3),
                      DCSCNConfig(scale: 2, layers: 3, filters: 6, minFilters: 2, gamma: 1.5, ninA: 4, ninB: 2, shufflerFilters: 0)])
    func roundTripIsExact(config: DCSCNConfig) throws {
        let dir = S.makeTempDir("wrt")
        defer { S.removeDir(dir) }
        var p = try DCSCNParameters.heInitialized(config: config, seed: 11)
        p.provenance = ["source": "test", "validation_psnr": "37.5", "steps": "100"]
        let path = dir + "/model.h5"
        try WeightsFile.write(p, to: path)
        let q = try WeightsFile.read(path: path)
        #expect(q == p)
        // Nothing but the file itself is left in the folder (the temp file was renamed).
        #expect(S.listDir(dir) == ["model.h5"])
    }

    /// Regression (issue "trust" #4): one NaN or infinity in any weight was accepted and gave an
    /// all-black image with exit 0. Every constructor of parameters refuses it, naming the layer.
    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteWeightsAreRefused(bad: Float) throws {
        let p = try DCSCNParameters.heInitialized(config: .compact(scale: 2), seed: 3)
        for (layer, field) in [(0, "kernel"), (3, "bias"), (9, "PReLU slopes")] {
            #expect { try p.replacingLayer(layer) { l in
                switch field {
                case "kernel": l.kernel[5] = bad
                case "bias": l.bias[0] = bad
                default: l.alpha[1] = bad
                }
            } } throws: { e in
                guard let e = e as? SRError else { return false }
                return e.code == .format && e.message.contains(p.config.layers[layer].name) && e.message.contains(field)
            }
        }
    }

    @Test func fileDescribesItself() throws {
        let dir = S.makeTempDir("wattr")
        defer { S.removeDir(dir) }
        let p = try DCSCNParameters.heInitialized(config: .compact(scale: 4), seed: 1)
        let path = dir + "/m.h5"
        try WeightsFile.write(p, to: path)
        let f = try HDF5File.open(path)
        defer { f.release() }
        #expect(try f.stringAttribute("format") == "srcore.weights")
        #expect(try f.stringAttribute("format_version") == "1.0")
        #expect(try f.stringAttribute("arch") == "dcscn")
        #expect(try f.intAttribute("scale") == 4)
        #expect(try f.intArrayAttribute("feature_widths") == [32, 26, 22, 18, 14, 11, 8])
        #expect(try f.intArrayAttribute("upsample_blocks") == [2, 2])
        #expect(try f.intAttribute("receptive_field") == 10)
        #expect(try f.intAttribute("parameter_count") == 64_201)
        #expect(try f.stringAttribute("kernel_layout") == "HWIO")
        #expect(try f.stringArrayAttribute("layer_order") == p.config.layers.map(\.name))
        #expect(try f.shape(of: "/layers/Up-PS2/kernel") == [3, 3, 32, 4])
        #expect(try f.intAttribute("depth_to_space_block", on: "/layers/Up-PS2") == 2)
        #expect(!f.exists("/layers/R-CNN1/bias") && !f.exists("/layers/R-CNN1/alpha"))
    }

    /// Writes a valid file, lets `edit` damage it through libhdf5, and returns the read error.
    private func readError(_ edit: (HDF5File) throws -> Void) throws -> SRError? {
        let dir = S.makeTempDir("wbad")
        defer { S.removeDir(dir) }
        let path = dir + "/m.h5"
        try WeightsFile.write(try DCSCNParameters.heInitialized(config: .compact(scale: 2), seed: 2), to: path)
        do {
            let f = try HDF5File.open(path, writable: true)
            try edit(f)
            try f.close()
        }
        do { _ = try WeightsFile.read(path: path) } catch let e as SRError {
            #expect(e.description.contains(path))
            return e
        }
        return nil
    }

    @Test func refusesOtherMajorVersionsAndFormats() throws {
        let v = try readError { try $0.setAttribute("format_version", "2.0") }
        #expect(v?.code == .unsupported && v?.description.contains("2.0") == true)
        #expect(try readError { try $0.setAttribute("format_version", "1.7") } == nil) // minor bumps are read
        let f = try readError { try $0.setAttribute("format", "srcore.patches") }
        #expect(f?.code == .format)
        let a = try readError { try $0.setAttribute("arch", "espcn") }
        #expect(a?.code == .unsupported)
    }

    @Test func refusesMissingLayersAndWrongShapes() throws {
        let missing = try readError { H5Ldelete($0.fileID, "/layers/B2", srh5_p_default()) }
        #expect(missing?.code == .format && missing?.description.contains("B2") == true)
        let shape = try readError { f in
            H5Ldelete(f.fileID, "/layers/CNN3/kernel", srh5_p_default())
            try f.write("/layers/CNN3/kernel", floats: [Float](repeating: 0, count: 9 * 26 * 20), shape: [3, 3, 26, 20])
        }
        #expect(shape?.code == .shapeMismatch)
        #expect(shape?.description.contains("CNN3") == true && shape?.description.contains("[3, 3, 26, 20]") == true
                && shape?.description.contains("[3, 3, 26, 22]") == true)
        let widths = try readError { try $0.setAttribute("feature_widths", [32, 26, 22, 18, 14, 11, 9]) }
        #expect(widths?.code == .shapeMismatch && widths?.description.contains("CNN7") == true)
    }

    @Test func refusesNonHDF5AndUnwritablePaths() throws {
        let dir = S.makeTempDir("wio")
        defer { S.removeDir(dir) }
        S.writeBytes(Array("not a weights file".utf8), to: dir + "/x.h5")
        #expect(throws: SRError.self) { try WeightsFile.read(path: dir + "/x.h5") }
        let p = try DCSCNParameters.heInitialized(config: .compact(scale: 2), seed: 3)
        let e = try #require(throws: SRError.self) { try WeightsFile.write(p, to: dir + "/missing/dir/m.h5") }
        #expect(e.code == .io)
    }

    @Test(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
    func importedCheckpointRoundTrips() throws {
        let dir = S.makeTempDir("wimp")
        defer { S.removeDir(dir) }
        let p = try TFBundle.importDCSCN(prefix: S.compactCheckpoint(scale: 3))
        try WeightsFile.write(p, to: dir + "/x3.h5")
        let q = try WeightsFile.read(path: dir + "/x3.h5")
        #expect(q == p)
        #expect(q.provenance["source"]?.contains("_Sc3_") == true)
    }
}
