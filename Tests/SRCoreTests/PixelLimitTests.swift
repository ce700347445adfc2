#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

/// The pixel limit (docs/fuzzing.md, "Pixel limit"): a header over it is refused before anything is
/// allocated, on every decode path; under it, a truncated file costs the rows it held.
@Suite struct PixelLimitTests {
    static let huge = CraftedPNG.hugeHeader() // 145 bytes, 26000 x 26000 RGB

    /// Runs `body`, which must throw an SRError, in under `seconds`; returns the error.
    static func failsFast(_ seconds: Double, _ body: () throws -> Void) -> SRError? {
        let t0 = Clock.monotonic()
        do { try body() } catch let e as SRError {
            let t = Clock.monotonic() - t0
            #expect(t < seconds, "took \(t) s: \(e)")
            return e
        } catch { Issue.record("not an SRError: \(error)") }
        Issue.record("no error")
        return nil
    }

    static func write(_ bytes: [UInt8], _ path: String) {
        let f = fopen(path, "wb")!
        fwrite(bytes, 1, bytes.count, f)
        fclose(f)
    }

    @Test func the145BytePNGIsRefusedFromItsHeaderInUnderATenthOfASecond() throws {
        #expect(Self.huge.count == 145)
        let e = Self.failsFast(0.1) { _ = try PNGCodec.decode(bytes: Self.huge, name: "huge.png") }
        #expect(e?.code == .outOfMemory)
        #expect(e?.description == "huge.png: 26000x26000 = 676000000 pixels exceeds the limit of 268435456 "
                + "(raise the pixel limit to decode it; 0 = no limit)")
        let header = try PNGCodec.readHeader(path: { let d = TempDir.make("limit"); Self.write(Self.huge, d + "/h.png"); return d + "/h.png" }())
        #expect(header.width == 26000 && header.height == 26000 && header.channels == 3)
    }

    @Test func everyDecodePathAppliesTheLimit() throws {
        let dir = TempDir.make("limit-paths")
        defer { TempDir.remove(dir) }
        let path = dir + "/huge.png"
        Self.write(Self.huge, path)
        var e = Self.failsFast(0.1) { _ = try PNGCodec.read(path: path) }
        #expect(e?.code == .outOfMemory && e?.description.hasPrefix(path + ": 26000x26000 = 676000000 pixels") == true)
        e = Self.failsFast(0.1) { _ = try PNGCodec.readHeader(path: path, maxPixels: 1000) }
        #expect(e?.description.contains("exceeds the limit of 1000") == true)

        let colour = ColorUpscaler(scale: 2, halo: 1) { _, bicubic in bicubic }
        e = Self.failsFast(0.1) { try colour.upscaleFile(input: path, output: dir + "/out.png") }
        #expect(e?.code == .outOfMemory)
        #expect(access(dir + "/out.png", F_OK) != 0)

        let evalDir = dir + "/eval"
        try FileSystem.makeDirectory(evalDir)
        Self.write(Self.huge, evalDir + "/a.png")
        e = Self.failsFast(0.1) { _ = try Evaluator.prepare(folder: evalDir, scale: 2) }
        #expect(e?.code == .outOfMemory && e?.description.contains("a.png: 26000x26000") == true)

        // The patch-set builder counts patches from the headers: the limit applies there, and
        // --skip-bad reports the file instead of stopping.
        let images = try PatchFixture.images("limit-patches", count: 2)
        defer { PatchFixture.remove(images) }
        Self.write(Self.huge, images + "/zz_huge.png")
        var options = try PatchFixture.options(augment: 1)
        let files = try PatchSetBuilder.listFiles(in: [images])
        e = Self.failsFast(0.5) { _ = try PatchSetBuilder.build(files: files, output: images + "/out.h5", options: options) }
        #expect(e?.code == .outOfMemory && e?.description.contains("zz_huge.png") == true)
        options.skipBad = true
        let report = try PatchSetBuilder.build(files: files, output: images + "/out.h5", options: options)
        #expect(report.skippedBad.map { $0.file } == [images + "/zz_huge.png"])
        options.maxPixels = -1
        #expect(throws: SRError.self) { try PatchSetBuilder.build(files: files, output: images + "/o2.h5", options: options) }
    }

    @Test func theLimitIsInclusiveAndZeroTurnsItOff() throws {
        let png = PNGImage(image: SampleImage.make(width: 30, height: 20, seed: 3))
        let bytes = try PNGCodec.encode(png)
        #expect(try PNGCodec.decode(bytes: bytes, maxPixels: 600) == png)
        #expect(try PNGCodec.decode(bytes: bytes, maxPixels: 0) == png)
        #expect { try PNGCodec.decode(bytes: bytes, name: "s.png", maxPixels: 599) } throws: {
            ($0 as? SRError)?.description.hasPrefix("s.png: 30x20 = 600 pixels exceeds the limit of 599") == true
        }
        #expect { try PNGCodec.decode(bytes: bytes, maxPixels: -5) } throws: { ($0 as? SRError)?.code == .invalidArgument }
        try PixelLimit.check(width: Int.max, height: 2, maxPixels: 0, name: "x")
        #expect { try PixelLimit.check(width: Int.max, height: 2, maxPixels: 10, name: "x") } throws: {
            ($0 as? SRError)?.description.contains("= more than") == true
        }
        #expect(PixelLimit.defaultMaxPixels == 16384 * 16384)
        try PixelLimit.check(width: 16384, height: 16384, maxPixels: PixelLimit.defaultMaxPixels, name: "16k")
        try PixelLimit.check(width: 6000, height: 4000, maxPixels: PixelLimit.defaultMaxPixels, name: "photo")
        #expect(throws: SRError.self) {
            try PixelLimit.check(width: 20000, height: 20000, maxPixels: PixelLimit.defaultMaxPixels, name: "400 MP")
        }
    }

    /// Under the limit, a truncated file fails on its first rows without paying for its declared
    /// size: the planes are not zero-filled, so their pages are never touched (a zero-filled
    /// 8000 x 8000 plane is 256 MB and takes far longer than the limit below).
    @Test func aTruncatedFileUnderTheLimitCostsItsDataNotItsHeader() throws {
        let gray = CraftedPNG.hugeHeader(width: 8000, height: 8000, colorType: 0)
        var e = Self.failsFast(0.05) { _ = try PNGCodec.decode(bytes: gray, name: "t.png") }
        #expect(e?.code == .format && e?.description.hasPrefix("t.png: ") == true)
        let dir = TempDir.make("limit-trunc")
        defer { TempDir.remove(dir) }
        Self.write(CraftedPNG.hugeHeader(width: 4000, height: 4000, colorType: 6), dir + "/rgba.png")
        let colour = ColorUpscaler(scale: 2, halo: 1) { _, bicubic in bicubic }
        e = Self.failsFast(0.05) { try colour.upscaleFile(input: dir + "/rgba.png", output: dir + "/out.png") }
        #expect(e?.code == .format)
        let interlaced = CraftedPNG.hugeHeader(width: 8000, height: 8000, colorType: 0, interlaced: true)
        e = Self.failsFast(0.05) { _ = try PNGCodec.decode(bytes: interlaced, name: "i.png") }
        #expect(e?.code == .format)
    }
}
