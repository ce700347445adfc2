import Testing
@testable import SRCore
import SRTestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct HDF5Tests {
    static func tempPath(_ name: String) -> String {
        "\(TempDir.base)/srcore-hdf5-\(getpid())-\(name).h5"
    }

    @Test func roundTripDatasetsAndAttributes() throws {
        let p = Self.tempPath("rt")
        defer { unlink(p) }
        do {
            let f = try HDF5File.create(p)
            try f.setAttribute("format", "srcore.test")
            try f.setAttribute("scale", 3)
            try f.setAttribute("psnr", 37.25)
            try f.setAttribute("widths", [32, 26, 8])
            try f.setAttribute("names", ["a", "bc", ""])
            try f.write("/g/x", floats: [1, 2.5, -3, 4, 5, 6], shape: [2, 3], chunk: [1, 3])
            try f.write("/g/i", int32s: [7, -8], shape: [2])
            try f.write("/b", bytes: [0, 255, 9], shape: [3])
            try f.write("/s", strings: ["img_001.png", "b.png"])
            try f.setAttribute("kind", "conv", on: "/g/x")
            try f.createDataset("/rows", type: .float32, shape: [4, 2], chunk: [2, 2])
            let r: [Float] = [10, 11, 12, 13]
            try r.withUnsafeBufferPointer { try f.writeRows("/rows", start: 1, count: 2, floats: $0) }
            try f.close()
        }
        let f = try HDF5File.open(p)
        #expect(try f.stringAttribute("format") == "srcore.test")
        #expect(try f.intAttribute("scale") == 3)
        #expect(try f.doubleAttribute("psnr") == 37.25)
        #expect(try f.intArrayAttribute("widths") == [32, 26, 8])
        #expect(try f.stringArrayAttribute("names") == ["a", "bc", ""])
        #expect(try f.stringAttribute("missing") == nil)
        #expect(try f.stringAttribute("kind", on: "/g/x") == "conv")
        #expect(Set(try f.attributeNames()) == ["format", "scale", "psnr", "widths", "names"])
        #expect(try f.shape(of: "/g/x") == [2, 3])
        #expect(try f.readFloats("/g/x") == [1, 2.5, -3, 4, 5, 6])
        #expect(try f.readInt32s("/g/i") == [7, -8])
        #expect(try f.readFloats("/b") == [0, 255, 9])
        #expect(try f.elementType(of: "/b") == .uint8)
        #expect(try f.readStrings("/s") == ["img_001.png", "b.png"])
        #expect(try f.members(of: "/g") == ["i", "x"])
        #expect(f.exists("/g/x") && !f.exists("/g/y") && !f.exists("/nope/deeper"))
        var out = [Float](repeating: -1, count: 8)
        try out.withUnsafeMutableBufferPointer { try f.readRows("/rows", start: 0, count: 4, into: $0) }
        #expect(out == [0, 0, 10, 11, 12, 13, 0, 0])
        #expect(throws: SRError.self) { try f.readFloats("/absent") }
    }

    @Test func refusesNonHDF5Files() throws {
        let p = Self.tempPath("bad")
        defer { unlink(p) }
        let fp = fopen(p, "wb")!
        fputs("definitely not hdf5", fp)
        fclose(fp)
        #expect(throws: SRError.self) { try HDF5File.open(p) }
        do {
            _ = try HDF5File.open(p)
        } catch let e as SRError {
            #expect(e.code == .format)
            #expect(e.description.contains(p))
        }
        #expect(throws: SRError.self) { try HDF5File.open(p + ".missing") }
    }
}

@Suite struct HDF5MemoryImageTests {
    /// Reads a whole file into memory.
    static func bytes(of path: String) -> [UInt8] {
        guard let f = fopen(path, "rb") else { return [] }
        defer { fclose(f) }
        fseek(f, 0, SEEK_END)
        let n = ftell(f)
        fseek(f, 0, SEEK_SET)
        var b = [UInt8](repeating: 0, count: n)
        _ = fread(&b, 1, n, f)
        return b
    }

    @Test func weightsFromMemoryEqualWeightsFromDisk() throws {
        let p = HDF5Tests.tempPath("mem")
        defer { unlink(p) }
        let params = try DCSCNParameters.heInitialized(config: .compact(scale: 3), seed: 9)
        try WeightsFile.write(params, to: p)
        let image = Self.bytes(of: p)
        let fromMemory = try image.withUnsafeBytes { try WeightsFile.read(bytes: $0, name: "builtin-x3") }
        #expect(fromMemory == (try WeightsFile.read(path: p)))
        #expect(fromMemory.layers == params.layers)
    }

    @Test func refusesGarbageAndTruncatedImages() throws {
        let p = HDF5Tests.tempPath("memtrunc")
        defer { unlink(p) }
        try WeightsFile.write(try DCSCNParameters.heInitialized(config: .compact(scale: 2), seed: 1), to: p)
        let image = Self.bytes(of: p)
        let garbage = [UInt8](repeating: 7, count: 4096)
        for bad in [garbage, Array(image.prefix(image.count / 2)), Array(image.prefix(100))] {
            do {
                _ = try bad.withUnsafeBytes { try WeightsFile.read(bytes: $0, name: "bad-image") }
                Issue.record("a damaged image was accepted")
            } catch let e as SRError {
                #expect(e.code == .format)
                #expect(e.description.contains("bad-image"))
            }
        }
    }
}
