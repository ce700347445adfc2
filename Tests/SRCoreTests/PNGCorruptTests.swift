#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

/// Non-PNG, corrupt and truncated input must throw a clear `.format` error, never crash.
@Suite struct PNGCorruptTests {
    static let good: [UInt8] = {
        let img = PNGCodecTests.synthetic(width: 40, height: 30, channels: 3, bitDepth: 8, seed: 11)
        return try! PNGCodec.encode(img, compressionLevel: 0)
    }()

    static func expectFormatError(_ bytes: [UInt8], _ what: String) {
        do {
            _ = try PNGCodec.decode(bytes: bytes, name: "bad.png")
            Issue.record("\(what): decoded without error")
        } catch let e as SRError {
            #expect(e.code == .format, "\(what): \(e.message)")
            #expect(e.description.hasPrefix("bad.png: "), "\(what): \(e.message)")
        } catch {
            Issue.record("\(what): unexpected error \(error)")
        }
    }

    @Test func notPNG() {
        Self.expectFormatError([], "empty")
        Self.expectFormatError(Array("hello, this is text not an image".utf8), "text")
        Self.expectFormatError([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 74, 70, 73, 70, 0], "JPEG header")
        Self.expectFormatError(Array(Self.good[0..<8]), "signature only")
    }

    /// Regression (issue "trust" #1): an interlaced PNG whose bytes after the last IDAT are
    /// damaged — IEND missing, cut short, with a bad CRC or type — was freed twice by the reader
    /// (abort in `free()`, killing the host). It must be a clean `.format` error.
    @Test(arguments: [(1, false), (8, false), (8, true)])
    func interlacedWithDamagedEnd(bits: Int, rgb: Bool) throws {
        let w = 19, h = 13, channels = rgb ? 3 : 1
        let samples = ImagingFixtures.samples(w * h * channels, bound: 1 << bits, seed: 3)
        let png = try PNGRawEncoder.encode(width: w, height: h,
                                           layout: .init(colorType: rgb ? 2 : 0, bitDepth: bits, interlaced: true),
                                           samples: samples)
        // The last 12 bytes are the IEND chunk: length 0, "IEND", CRC.
        #expect(Array(png[(png.count - 8)..<(png.count - 4)]) == Array("IEND".utf8))
        var badCRC = png; badCRC[png.count - 1] ^= 0xFF
        var badType = png; badType[png.count - 6] = UInt8(ascii: "X")
        for cut in [12, 8, 4, 1] { Self.expectFormatError(Array(png.prefix(png.count - cut)), "interlaced, last \(cut) bytes lost") }
        Self.expectFormatError(badCRC, "interlaced, IEND CRC damaged")
        Self.expectFormatError(badType, "interlaced, IEND type damaged")
        // The undamaged file decodes.
        _ = try PNGCodec.decode(bytes: png)
    }

    @Test func truncatedEverywhere() {
        // Every prefix length in coarse steps plus the last few bytes (missing IEND).
        var cuts = Array(stride(from: 1, to: Self.good.count, by: max(1, Self.good.count / 60)))
        cuts += (1...12).map { Self.good.count - $0 }
        for n in cuts { Self.expectFormatError(Array(Self.good[0..<n]), "truncated at \(n)") }
    }

    @Test func corruptedBytes() {
        // Flip one byte in the IHDR, in the middle of IDAT and in a CRC.
        for pos in [16, 20, 29, Self.good.count / 2, Self.good.count - 20] {
            var bad = Self.good
            bad[pos] ^= 0x5A
            Self.expectFormatError(bad, "byte \(pos) flipped")
        }
    }

    /// CRC-32 (PNG chunks), bitwise.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }

    @Test func hugeDeclaredSizeIsRefusedNotAllocated() throws {
        // A valid IHDR (correct CRC) claiming 60000 x 60000 RGB, followed by the small image's data.
        var bad = Self.good
        for (i, v) in [UInt32(60000), UInt32(60000)].enumerated() {
            for k in 0..<4 { bad[16 + 4 * i + k] = UInt8((v >> (24 - 8 * k)) & 0xFF) }
        }
        let crc = Self.crc32(bad[12..<29])
        for k in 0..<4 { bad[29 + k] = UInt8((crc >> (24 - 8 * k)) & 0xFF) }
        #expect(try PNGReader(bytes: bad.withUnsafeBytes { UnsafeRawBufferPointer($0) }, name: "h").header.width == 60000)
        do {
            _ = try PNGCodec.decode(bytes: bad, name: "huge.png")
            Issue.record("huge image decoded")
        } catch let e as SRError {
            #expect(e.code == .outOfMemory && e.description.hasPrefix("huge.png: "), "\(e.message)")
        }
    }

    @Test func fileErrorsNameTheFile() throws {
        let dir = ImagingFixtures.tempDir()
        let path = dir + "/trunc.png"
        ImagingFixtures.writeFile(path, Array(Self.good[0..<(Self.good.count / 3)]))
        do {
            _ = try PNGCodec.read(path: path)
            Issue.record("truncated file decoded")
        } catch let e as SRError {
            #expect(e.code == .format && e.description.hasPrefix(path + ": "), "\(e.message)")
        }
        do {
            _ = try PNGCodec.read(path: dir + "/missing.png")
            Issue.record("missing file decoded")
        } catch let e as SRError {
            #expect(e.code == .io && e.description.contains("missing.png"), "\(e.message)")
        }
        ImagingFixtures.writeFile(dir + "/text.png", Array("not a png".utf8))
        #expect(throws: SRError(.format, dir + "/text.png: not a PNG file (bad signature)")) {
            try PNGCodec.read(path: dir + "/text.png")
        }
    }
}
