#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

@Suite struct PatchSetInputTests {
    /// A folder with good images plus a truncated PNG and a text file.
    static func badFolder(_ tag: String) throws -> String {
        let dir = try PatchFixture.images(tag, count: 3)
        let bytes = try PNGCodec.encode(PNGImage(image: SampleImage.make(width: 60, height: 50, seed: 5)))
        let f = fopen(dir + "/img1b_truncated.png", "wb")!
        fwrite(bytes, 1, bytes.count * 2 / 3, f)
        fclose(f)
        let g = fopen(dir + "/notes.txt", "wb")!
        fputs("not an image\n", g)
        fclose(g)
        return dir
    }

    @Test func aCorruptFileStopsTheRunNamingItAndLeavesNoOutput() throws {
        let dir = try Self.badFolder("bad")
        defer { PatchFixture.remove(dir) }
        let files = try PatchSetBuilder.listFiles(in: [dir])
        let out = dir + "/train.h5"
        let before = PatchFixture.names(dir)
        #expect { try PatchSetBuilder.build(files: files, output: out, options: try PatchFixture.options(augment: 1)) } throws: {
            guard let e = $0 as? SRError else { return false }
            return e.description.contains("img1b_truncated.png") || e.description.contains("notes.txt")
        }
        #expect(PatchFixture.names(dir) == before)
        // only the truncated file (its header is fine; the data is not)
        #expect { try PatchSetBuilder.build(files: files.filter { !$0.hasSuffix(".txt") }, output: out,
                                            options: try PatchFixture.options(augment: 1)) } throws: {
            ($0 as? SRError)?.description.contains("img1b_truncated.png") == true
        }
        #expect(PatchFixture.names(dir) == before)
    }

    @Test func skipBadContinuesAndReports() throws {
        let dir = try Self.badFolder("skipbad")
        defer { PatchFixture.remove(dir) }
        let files = try PatchSetBuilder.listFiles(in: [dir])
        var options = try PatchFixture.options(augment: 2)
        options.skipBad = true
        let report = try PatchSetBuilder.build(files: files, output: dir + "/train.h5", options: options)
        #expect(Set(report.skippedBad.map { $0.file }) == [dir + "/img1b_truncated.png", dir + "/notes.txt"])
        #expect(report.info.images == 3)
        let set = try PatchFixture.readAll(dir + "/train.h5")
        #expect(set.reader.info.skippedBad.count == 2)
        // the same patches in the same rows as a build over the good files only
        options.skipBad = false
        let ref = try PatchSetBuilder.build(files: files.filter { !$0.contains("trunc") && !$0.hasSuffix(".txt") },
                                            output: dir + "/ref.h5", options: options)
        let r = try PatchFixture.readAll(dir + "/ref.h5")
        #expect(ref.info.count == set.reader.count && r.lr == set.lr && r.hr == set.hr)
        #expect(PatchFixture.names(dir).filter { $0.contains(".tmp-") }.isEmpty)
    }

    @Test func existingOutputNeedsOverwrite() throws {
        let dir = try PatchFixture.images("exists", count: 1)
        defer { PatchFixture.remove(dir) }
        let files = try PatchSetBuilder.listFiles(in: [dir])
        var options = try PatchFixture.options(augment: 1)
        _ = try PatchSetBuilder.build(files: files, output: dir + "/o.h5", options: options)
        #expect { try PatchSetBuilder.build(files: files, output: dir + "/o.h5", options: options) } throws: {
            ($0 as? SRError)?.code == .alreadyExists
        }
        options.overwrite = true
        _ = try PatchSetBuilder.build(files: files, output: dir + "/o.h5", options: options)
    }

    @Test func readerRefusesOtherFiles() throws {
        let dir = PatchFixture.folder("refuse")
        defer { PatchFixture.remove(dir) }
        let f = try HDF5File.create(dir + "/w.h5")
        try f.setAttribute("format", "srcore.weights")
        try f.close()
        #expect { try PatchSetReader(path: dir + "/w.h5") } throws: {
            let m = ($0 as? SRError)?.message ?? ""
            return m.contains("srcore.patches") && m.contains("srcore.weights")
        }
    }

    @Test func uint8StoresRoundedClippedLumaAndReadsBackOverFF() throws {
        let dir = try PatchFixture.images("u8", count: 2)
        defer { PatchFixture.remove(dir) }
        let files = try PatchSetBuilder.listFiles(in: [dir])
        var options = try PatchFixture.options(augment: 2)
        _ = try PatchSetBuilder.build(files: files, output: dir + "/f.h5", options: options)
        options.dtype = .uint8
        _ = try PatchSetBuilder.build(files: files, output: dir + "/u.h5", options: options)
        let f = try PatchFixture.readAll(dir + "/f.h5"), u = try PatchFixture.readAll(dir + "/u.h5")
        #expect(u.reader.dtype == "uint8" && f.origin == u.origin)
        for (a, b) in zip(f.lr + f.hr, u.lr + u.hr) {
            let expected = max(0, min(255, (a * 255).rounded(.toNearestOrEven))) / 255
            if abs(b - expected) > 1.0001 / 255 || abs(b - a) > 0.5001 / 255 + (a < 0 ? -a : max(0, a - 1)) {
                Issue.record("uint8 \(b * 255) for float \(a * 255)")
                break
            }
        }
        let h = try HDF5File.open(dir + "/u.h5")
        #expect(try h.elementType(of: "/hr") == .uint8)
        try h.close()
    }

    @Test func matlabDownsampleGivesOtherLRSameHR() throws {
        let dir = try PatchFixture.images("matlab", count: 1)
        defer { PatchFixture.remove(dir) }
        let files = try PatchSetBuilder.listFiles(in: [dir])
        var options = try PatchFixture.options(augment: 1)
        _ = try PatchSetBuilder.build(files: files, output: dir + "/p.h5", options: options)
        options.downsample = .matlab
        _ = try PatchSetBuilder.build(files: files, output: dir + "/m.h5", options: options)
        let p = try PatchFixture.readAll(dir + "/p.h5"), m = try PatchFixture.readAll(dir + "/m.h5")
        #expect(p.origin == m.origin && p.hr == m.hr && p.lr != m.lr)
        #expect(m.reader.info.downsample == .matlab)
    }
}
