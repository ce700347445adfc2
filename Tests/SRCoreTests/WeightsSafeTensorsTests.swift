import Testing
@testable import SRCore
import SRTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The DCSCN weights in safetensors (format_version 2.0, docs/weights.md): exact round trips, the
/// layout, format detection, refusal of every inconsistency naming the tensor, and a byte-flip loop.
@Suite struct WeightsSafeTensorsTests {
    typealias S = FormatsTestSupport
    /// A tiny network, so a file is ~2 KB and the byte-flip loop is fast.
    static let tiny = DCSCNConfig(scale: 2, featureWidths: [3, 2], ninA: 2, ninB: 1, shufflerFilters: 1)

    static func error(_ body: () throws -> Any) -> SRError? {
        do { _ = try body() } catch let e as SRError { return e } catch { return SRError(.internal, "not an SRError: \(error)") }
        return nil
    }

    @Test(arguments: [DCSCNConfig.compact(scale: 4), DCSCNConfig.compact(scale: 3), tiny,
                      DCSCNConfig(scale: 2, layers: 3, filters: 6, minFilters: 2, gamma: 1.5, ninA: 4, ninB: 2, shufflerFilters: 0)])
    func roundTripIsExact(config: DCSCNConfig) throws {
        let dir = S.makeTempDir("wst")
        defer { S.removeDir(dir) }
        var p = try DCSCNParameters.heInitialized(config: config, seed: 11)
        p.provenance = ["source": "test", "validation_psnr": "37.5", "command": "sr train --data \"x 2.h5\"\n"]
        let path = dir + "/model.safetensors"
        try WeightsFile.write(p, to: path)
        #expect(S.listDir(dir) == ["model.safetensors"])
        #expect(try WeightsFile.read(path: path) == p)
        #expect(try WeightsFile.readSafeTensors(path: path) == p)
        let bytes = S.readBytes(path)
        #expect(bytes == (try WeightsFile.encodeSafeTensors(p)))  // deterministic
        let fromMemory = try bytes.withUnsafeBytes { try WeightsFile.readSafeTensors(bytes: $0) }
        #expect(fromMemory == p)
        #expect(try bytes.withUnsafeBytes { try WeightsFile.read(bytes: $0) } == p)
        // Both layouts carry the same network: safetensors -> HDF5 -> safetensors is the identity.
        try WeightsFile.write(p, to: dir + "/m.h5")
        #expect(try WeightsFile.read(path: dir + "/m.h5") == p)
        try WeightsFile.write(try WeightsFile.read(path: dir + "/m.h5"), to: dir + "/back.safetensors")
        #expect(S.readBytes(dir + "/back.safetensors") == bytes)
    }

    @Test func fileDescribesItself() throws {
        var p = try DCSCNParameters.heInitialized(config: .compact(scale: 4), seed: 1)
        p.provenance = ["steps": "100"]
        let st = try SafeTensors(bytes: try WeightsFile.encodeSafeTensors(p), name: "m")
        let m = st.metadata
        #expect(m["format"] == "srcore.weights" && m["format_version"] == "2.0" && m["arch"] == "dcscn")
        #expect(m["scale"] == "4" && m["feature_widths"] == "[32,26,22,18,14,11,8]" && m["nin_a"] == "24" && m["nin_b"] == "8")
        #expect(m["shuffler_filters"] == "1" && m["kernel_size"] == "3" && m["upsample_blocks"] == "[2,2]")
        #expect(m["activation"] == "prelu" && m["kernel_layout"] == "HWIO" && m["depth_to_space"] == "tf_dcr" && m["residual"] == "bicubic")
        #expect(m["receptive_field"] == "10" && m["parameter_count"] == "64201" && m["input_range"] == "0..255 luma")
        #expect(m["layer_order"] == #"["CNN1","CNN2","CNN3","CNN4","CNN5","CNN6","CNN7","A1","B1","B2","Up-PS","Up-PS2","R-CNN1"]"#)
        #expect(m["provenance/steps"] == "100" && m.count == 19)
        #expect(st.tensors.prefix(4).map(\.name) == ["CNN1/kernel", "CNN1/bias", "CNN1/alpha", "CNN2/kernel"])
        #expect(st.tensor(named: "Up-PS2/kernel")?.shape == [3, 3, 32, 4] && st.tensor(named: "Up-PS2/alpha") == nil)
        #expect(st.tensor(named: "R-CNN1/kernel")?.shape == [3, 3, 1, 1] && st.tensor(named: "R-CNN1/bias") == nil)
        #expect(st.tensors.count == 35 && st.tensors.allSatisfy { $0.dtype == .f32 })
        #expect(st.tensors.reduce(0) { $0 + $1.elementCount } == 64_201)
    }

    @Test func hdf5IsDetectedAndRefusedWhereOnlySafeTensorsIsAllowed() throws {
        let dir = S.makeTempDir("wdet")
        defer { S.removeDir(dir) }
        let p = try DCSCNParameters.heInitialized(config: Self.tiny, seed: 2)
        try WeightsFile.writeHDF5(p, to: dir + "/m.safetensors") // the name does not matter, the bytes do
        #expect(try WeightsFile.read(path: dir + "/m.safetensors") == p)
        let e = Self.error { try WeightsFile.readSafeTensors(path: dir + "/m.safetensors") }
        #expect(e?.code == .unsupported && e?.message.contains("sr convert") == true && e?.path == dir + "/m.safetensors")
        let bytes = S.readBytes(dir + "/m.safetensors")
        #expect(try bytes.withUnsafeBytes { try WeightsFile.read(bytes: $0) } == p)
        #expect(Self.error { try bytes.withUnsafeBytes { try WeightsFile.readSafeTensors(bytes: $0) } }?.code == .unsupported)
        S.writeBytes(Array("not a weights file".utf8), to: dir + "/x")
        #expect(Self.error { try WeightsFile.read(path: dir + "/x") }?.code == .format)
        S.writeBytes([], to: dir + "/empty")
        #expect(Self.error { try WeightsFile.read(path: dir + "/empty") }?.code == .format)
        #expect(Self.error { try WeightsFile.read(path: dir + "/none") }?.code == .io)
    }

    /// The error of reading `p`'s file after `edit` changed its metadata and tensors.
    static func readError(_ edit: (inout [String: String], inout [SafeTensors.Entry]) -> Void) throws -> SRError? {
        let p = try DCSCNParameters.heInitialized(config: tiny, seed: 4)
        var meta = WeightsFile.safeTensorsMetadata(p)
        let st = try SafeTensors(bytes: try WeightsFile.encodeSafeTensors(p), name: "x")
        var entries = try st.tensors.map { SafeTensors.Entry(name: $0.name, shape: $0.shape, values: try st.floats($0)) }
        edit(&meta, &entries)
        let bytes = try SafeTensors.encode(entries, metadata: meta)
        return error { try bytes.withUnsafeBytes { try WeightsFile.readSafeTensors(bytes: $0, name: "w.safetensors") } }
    }

    static func expect(_ e: SRError?, _ code: SRError.Code, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(e?.code == code && e?.message.contains(text) == true && e?.path == "w.safetensors",
                "expected \(code) containing \"\(text)\", got \(e.map(\.description) ?? "success")", sourceLocation: sourceLocation)
    }

    @Test func refusesOtherVersionsFormatsAndValues() throws {
        #expect(try Self.readError { _, _ in } == nil)
        #expect(try Self.readError { m, _ in m["format_version"] = "2.7"; m["future_key"] = "x" } == nil) // minor bumps are read
        Self.expect(try Self.readError { m, _ in m["format_version"] = "4.0" }, .unsupported, "4.0") // 3.x: structural knobs (WeightsKnobsTests)
        Self.expect(try Self.readError { m, _ in m["format_version"] = "1.0" }, .unsupported, "HDF5 layout")
        Self.expect(try Self.readError { m, _ in m["format_version"] = "two" }, .format, "MAJOR.MINOR")
        Self.expect(try Self.readError { m, _ in m["format"] = "srcore.patches" }, .format, "not an srcore weights file")
        Self.expect(try Self.readError { m, _ in m = [:] }, .format, "not an srcore weights file")
        Self.expect(try Self.readError { m, _ in m["arch"] = "espcn" }, .unsupported, "arch")
        Self.expect(try Self.readError { m, _ in m["depth_to_space"] = "tf_crd" }, .unsupported, "depth_to_space is \"tf_crd\"")
        Self.expect(try Self.readError { m, _ in m["activation"] = "relu" }, .unsupported, "activation is \"relu\"")
        Self.expect(try Self.readError { m, _ in m["residual"] = "none" }, .unsupported, "residual")
        Self.expect(try Self.readError { m, _ in m["input_range"] = "0..1" }, .unsupported, "input_range")
        Self.expect(try Self.readError { m, _ in m["kernel_layout"] = nil }, .format, "no kernel_layout")
        Self.expect(try Self.readError { m, _ in m["scale"] = "two" }, .format, "__metadata__ scale")
        Self.expect(try Self.readError { m, _ in m["scale"] = "-2" }, .format, "not a non-negative integer")
        Self.expect(try Self.readError { m, _ in m["feature_widths"] = "[3,x]" }, .format, "feature_widths")
        Self.expect(try Self.readError { m, _ in m["feature_widths"] = "3" }, .format, "not a JSON array")
        Self.expect(try Self.readError { m, _ in m["feature_widths"] = "[1000000]" }, .unsupported, "config too large") // no overflow
        Self.expect(try Self.readError { m, _ in m["feature_widths"] = "[99999999999999999999]" }, .format, "feature_widths")
        Self.expect(try Self.readError { m, _ in m["scale"] = "9" }, .unsupported, "scale 9")
        Self.expect(try Self.readError { m, _ in m["parameter_count"] = "7" }, .format, "parameter_count")
        Self.expect(try Self.readError { m, _ in m["receptive_field"] = "3" }, .format, "receptive_field")
        Self.expect(try Self.readError { m, _ in m["upsample_blocks"] = "[3]" }, .unsupported, "upsample_blocks")
        Self.expect(try Self.readError { m, _ in m["layer_order"] = #"["CNN1"]"# }, .format, "layer_order")
    }

    @Test func refusesMissingExtraMisshapedAndNonFiniteTensors() throws {
        Self.expect(try Self.readError { _, t in t.removeAll { $0.name == "B2/bias" } }, .format, "missing tensor B2/bias")
        Self.expect(try Self.readError { _, t in t.append(.init(name: "B2/extra", shape: [1], values: [0])) }, .format, "unexpected tensor B2/extra")
        Self.expect(try Self.readError { _, t in t.append(.init(name: "CNN3/kernel", shape: [1], values: [0])) }, .format, "CNN3/kernel")
        Self.expect(try Self.readError { m, _ in m["feature_widths"] = "[3,3]"; m["parameter_count"] = nil }, .shapeMismatch, "CNN2/kernel")
        Self.expect(try Self.readError { _, t in
            let i = t.firstIndex { $0.name == "CNN1/kernel" }!
            t[i].shape = [3, 1, 3, 3]                                    // same count, wrong shape
        }, .shapeMismatch, "tensor CNN1/kernel has shape [3, 1, 3, 3], the config needs [3, 3, 1, 3]")
        for bad in [Float.nan, .infinity, -.infinity] {
            Self.expect(try Self.readError { _, t in t[t.firstIndex { $0.name == "A1/alpha" }!].values[1] = bad },
                        .format, "tensor A1/alpha value 1 is")
        }
    }

    /// A few thousand random byte mutations of a small valid file: every one either loads (then the
    /// weights are finite) or throws an SRError; none traps, hangs or allocates beyond the input.
    @Test func byteFlipsNeverTrap() throws {
        var p = try DCSCNParameters.heInitialized(config: Self.tiny, seed: 9)
        p.provenance = ["source": "fuzz"]
        let valid = try WeightsFile.encodeSafeTensors(p)
        let headerEnd = 8 + Int(valid[0]) + Int(valid[1]) << 8
        var rng = SeededGenerator(seed: 0x5AFE)
        var loaded = 0, refused = 0
        for round in 0..<3000 {
            var b = valid
            let flips = 1 + Int(rng.next() % 3)
            for _ in 0..<flips {
                // mostly the header (where the parser is), sometimes the length field or the data
                let r = rng.next()
                let at = r % 4 == 0 ? Int(rng.next() % UInt64(b.count)) : r % 4 == 1 ? Int(rng.next() % 8) : 8 + Int(rng.next() % UInt64(headerEnd - 8))
                b[at] = rng.next() % 2 == 0 ? b[at] ^ (1 << UInt8(rng.next() % 8)) : UInt8(truncatingIfNeeded: rng.next())
            }
            if round % 10 == 0 { b.removeLast(Int(rng.next() % UInt64(b.count))) }
            do {
                let q = try b.withUnsafeBytes { try WeightsFile.readSafeTensors(bytes: $0) }
                #expect(q.layers.allSatisfy { $0.kernel.allSatisfy(\.isFinite) })
                loaded += 1
            } catch let e as SRError {
                #expect([.format, .unsupported, .shapeMismatch, .outOfMemory].contains(e.code), "\(e)")
                refused += 1
            }
        }
        #expect(loaded > 0 && refused > 1000, "loaded \(loaded), refused \(refused)")
    }

    @Test(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
    func importedCheckpointRoundTrips() throws {
        let dir = S.makeTempDir("wstimp")
        defer { S.removeDir(dir) }
        let p = try TFBundle.importDCSCN(prefix: S.compactCheckpoint(scale: 3))
        try WeightsFile.write(p, to: dir + "/x3.safetensors")
        let q = try WeightsFile.readSafeTensors(path: dir + "/x3.safetensors")
        #expect(q == p && q.provenance["source"]?.contains("_Sc3_") == true)
    }
}
