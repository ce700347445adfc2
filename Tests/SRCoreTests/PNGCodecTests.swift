#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

@Suite struct PNGCodecTests {
    /// A synthetic image covering the whole sample range (including exact extremes).
    static func synthetic(width: Int, height: Int, channels: Int, bitDepth: Int, seed: UInt64) -> PNGImage {
        let maxValue = bitDepth == 16 ? 65536 : 256
        let raw = ImagingFixtures.samples(width * height * channels, bound: maxValue, seed: seed)
        var px = raw.map { bitDepth == 16 ? Float($0) / 257 : Float($0) }
        px[0] = 0
        px[px.count - 1] = 255
        return PNGImage(image: Image(width: width, height: height, channels: channels, pixels: px), bitDepth: bitDepth)
    }

    @Test(arguments: [1, 2, 3, 4], [8, 16])
    func memoryRoundTrip(channels: Int, bitDepth: Int) throws {
        let png = Self.synthetic(width: 37, height: 23, channels: channels, bitDepth: bitDepth, seed: UInt64(channels * bitDepth))
        let bytes = try PNGCodec.encode(png)
        let back = try PNGCodec.decode(bytes: bytes)
        #expect(back == png)
        let header = try PNGReader(bytes: bytes.withUnsafeBytes { UnsafeRawBufferPointer($0) }, name: "x").header
        #expect(header.channels == channels && header.bitDepth == bitDepth && !header.interlaced)
    }

    @Test func fileRoundTripIsAtomic() throws {
        let dir = ImagingFixtures.tempDir()
        let path = dir + "/out.png"
        let png = Self.synthetic(width: 64, height: 40, channels: 3, bitDepth: 16, seed: 7)
        try PNGCodec.write(png, to: path)
        #expect(ImagingFixtures.listDir(dir) == ["out.png"])
        #expect(try PNGCodec.read(path: path) == png)
        let header = try PNGCodec.readHeader(path: path)
        #expect(header.width == 64 && header.height == 40 && header.bitDepth == 16 && header.sourceColorType == 2)
        // Writing as 8-bit rounds each sample to the nearest integer.
        try PNGCodec.write(png, to: path, bitDepth: 8)
        let eight = try PNGCodec.read(path: path)
        #expect(eight.bitDepth == 8)
        #expect(eight.image.pixels == png.image.pixels.map { min(255, max(0, $0.rounded(.toNearestOrEven))) })
    }

    @Test func quantizationRoundsAndClips() throws {
        let px: [Float] = [-3, -0.4, 0.5, 1.5, 2.49, 254.6, 300, .nan, .infinity]
        let png = PNGImage(image: Image(width: px.count, height: 1, channels: 1, pixels: px))
        let back = try PNGCodec.decode(bytes: try PNGCodec.encode(png))
        #expect(back.image.pixels == [0, 0, 0, 2, 2, 255, 255, 0, 255])
        let sixteen = try PNGCodec.decode(bytes: try PNGCodec.encode(png, bitDepth: 16))
        // 0.5 * 257 = 128.5 rounds to 128 (even); 1.5 * 257 = 385.5 -> 386; 2.49 * 257 = 639.93 -> 640.
        let raw16: [Float] = [0, 0, 128, 386, 640, 65432, 65535, 0, 65535]
        #expect(sixteen.image.pixels == raw16.map { $0 / 257 })
    }

    @Test func rowWriterStreamsStrips() throws {
        let dir = ImagingFixtures.tempDir()
        let png = Self.synthetic(width: 50, height: 31, channels: 4, bitDepth: 8, seed: 3)
        let writer = try PNGRowWriter(path: dir + "/s.png", width: 50, height: 31, channels: 4)
        try writer.append(png.image, rows: 0..<10)
        try writer.append(png.image, rows: 10..<11)
        #expect(ImagingFixtures.listDir(dir).count == 1 && ImagingFixtures.listDir(dir)[0] != "s.png")
        try writer.append(png.image, rows: 11..<31)
        try writer.finish()
        #expect(ImagingFixtures.listDir(dir) == ["s.png"])
        #expect(try PNGCodec.read(path: dir + "/s.png") == png)
    }

    @Test func rowWriterCancelLeavesNothing() throws {
        let dir = ImagingFixtures.tempDir()
        do {
            let writer = try PNGRowWriter(path: dir + "/c.png", width: 8, height: 8, channels: 1)
            try writer.append(Image(width: 8, height: 3, channels: 1, value: 9))
            #expect(throws: SRError.self) { try writer.finish() }   // rows missing
            #expect(throws: SRError.self) { try writer.append(Image(width: 7, height: 1, channels: 1)) }
        }
        do {
            let writer = try PNGRowWriter(path: dir + "/d.png", width: 8, height: 8, channels: 1)
            try writer.append(Image(width: 8, height: 3, channels: 1, value: 9))
            // released without finish()
            _ = writer
        }
        #expect(ImagingFixtures.listDir(dir).isEmpty)
    }

    @Test func invalidWriteArguments() throws {
        let five = PNGImage(image: Image(width: 2, height: 2, channels: 5))
        #expect(throws: SRError.self) { try PNGCodec.encode(five) }
        let twelve = PNGImage(image: Image(width: 2, height: 2, channels: 1), bitDepth: 12)
        #expect(throws: SRError.self) { try PNGCodec.encode(twelve) }
        #expect(throws: SRError.self) {
            try PNGCodec.write(PNGImage(image: Image(width: 2, height: 2)), to: "/nonexistent-dir/x.png")
        }
    }
}
