#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

/// WebP through libwebp (docs/image-formats.md): the signature test, lossless round trips that must
/// give back the written samples exactly (gray written as RGB, gray+alpha as RGBA), metadata chunks
/// (EXIF with its orientation reset, ICC) read back as written, and size limits.
@Suite struct WebPCodecTests {
    static func image(width: Int, height: Int, channels: Int, seed: UInt64) -> Image {
        let raw = ImagingFixtures.samples(width * height * channels, bound: 256, seed: seed)
        return Image(width: width, height: height, channels: channels, pixels: raw.map(Float.init))
    }

    @Test func signature() {
        let riff: [UInt8] = Array("RIFF".utf8) + [1, 2, 3, 4] + Array("WEBP".utf8)
        #expect(ImageFormat.detect(signature: riff) == .webp)
        #expect(ImageFormat.detect(signature: Array(riff[0..<11])) == nil)          // too short
        #expect(ImageFormat.detect(signature: Array("RIFF....WAVE".utf8)) == nil)     // RIFF, not WebP
        #expect(ImageFormat.fromExtension("a/b.WebP") == .webp && ImageFormat(name: "webp") == .webp)
    }

    @Test(arguments: 1...4)
    func losslessRoundTripIsExact(channels: Int) throws {
        let dir = ImagingFixtures.tempDir()
        let path = dir + "/x.webp"
        let img = Self.image(width: 37, height: 23, channels: channels, seed: UInt64(channels))
        let w = try WebPRowWriter(path: path, width: 37, height: 23, channels: channels, lossless: true)
        try w.append(img.region(x: 0, y: 0, width: 37, height: 10))
        try w.append(img.region(x: 0, y: 10, width: 37, height: 13))
        try w.finish()
        let r = try WebPReader(path: path)
        let outChannels = channels == 2 || channels == 4 ? 4 : 3
        #expect(r.header.width == 37 && r.header.height == 23 && r.channels == outChannels && !r.lossy)
        var back = Image(width: 37, height: 23, channels: outChannels)
        try r.readRows(23, into: &back, at: 0)
        for c in 0..<outChannels {
            // gray is replicated into R, G, B; alpha is the last plane
            let source = channels <= 2 ? (c < 3 ? 0 : 1) : c
            #expect(back.plane(c).pixels == img.plane(source).pixels, "plane \(c)")
        }
    }

    @Test func metadataChunksComeBack() throws {
        let dir = ImagingFixtures.tempDir()
        let path = dir + "/m.webp"
        // Little-endian TIFF, IFD0 with one entry: orientation (0x0112) SHORT 1 = 6.
        let exif: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]
        let icc = (0..<300).map { UInt8($0 & 0xFF) }
        let w = try WebPRowWriter(path: path, width: 8, height: 4, channels: 3, quality: 60,
                                  metadata: ImageMetadata(exif: exif, icc: icc))
        try w.append(Self.image(width: 8, height: 4, channels: 3, seed: 9))
        try w.finish()
        let r = try WebPReader(path: path)
        #expect(r.lossy)
        #expect(r.metadata.icc == icc)
        #expect(r.metadata.exif == ExifOrientation.reset(exif) && r.metadata.orientation == 1)
    }

    @Test func limits() throws {
        let dir = ImagingFixtures.tempDir()
        #expect(throws: SRError.self) { try WebPRowWriter(path: dir + "/big.webp", width: 16384, height: 2, channels: 3) }
        #expect(throws: SRError.self) { try WebPRowWriter(path: dir + "/q.webp", width: 2, height: 2, channels: 3, quality: 0) }
        // A writer released before finish() leaves nothing.
        do {
            let w = try WebPRowWriter(path: dir + "/gone.webp", width: 4, height: 4, channels: 3)
            try w.append(Self.image(width: 4, height: 2, channels: 3, seed: 1))
        }
        #expect(access(dir + "/gone.webp", F_OK) != 0)
        // An image over the pixel limit is refused from its header.
        let path = dir + "/ok.webp"
        let w = try WebPRowWriter(path: path, width: 40, height: 30, channels: 3, lossless: true)
        try w.append(Self.image(width: 40, height: 30, channels: 3, seed: 2))
        try w.finish()
        #expect(throws: SRError.self) { try WebPReader(path: path, maxPixels: 1199) }
        #expect(try WebPReader(path: path, maxPixels: 1200).width == 40)
    }
}
