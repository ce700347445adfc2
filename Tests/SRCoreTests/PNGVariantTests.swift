import Testing
@testable import SRCore
import SRTestSupport

/// Every PNG layout the decoder must accept, produced with libpng through `PNGRawEncoder`.
@Suite struct PNGVariantTests {
    static let w = 13, h = 9   // odd sizes exercise partial bytes and every Adam7 pass

    @Test(arguments: [(1, 255), (2, 85), (4, 17), (8, 1)], [false, true])
    func lowBitDepthGray(depth: (bits: Int, factor: Int), interlaced: Bool) throws {
        let raw = ImagingFixtures.samples(Self.w * Self.h, bound: 1 << depth.bits, seed: UInt64(depth.bits))
        let bytes = try PNGRawEncoder.encode(width: Self.w, height: Self.h,
                                             layout: .init(colorType: 0, bitDepth: depth.bits, interlaced: interlaced),
                                             samples: raw)
        let png = try PNGCodec.decode(bytes: bytes)
        #expect(png.channels == 1 && png.bitDepth == 8 && png.width == Self.w && png.height == Self.h)
        #expect(png.image.pixels == raw.map { Float(Int($0) * depth.factor) })
    }

    @Test(arguments: [0, 2, 4, 6], [false, true])
    func sixteenBitKeepsPrecision(colorType: Int, interlaced: Bool) throws {
        let spp = [0: 1, 2: 3, 4: 2, 6: 4][colorType]!
        var raw = ImagingFixtures.samples(Self.w * Self.h * spp, bound: 65536, seed: UInt64(colorType + 40))
        raw[0] = 1; raw[1] = 65535; raw[2] = 257
        let bytes = try PNGRawEncoder.encode(width: Self.w, height: Self.h,
                                             layout: .init(colorType: colorType, bitDepth: 16, interlaced: interlaced),
                                             samples: raw)
        let png = try PNGCodec.decode(bytes: bytes)
        #expect(png.channels == spp && png.bitDepth == 16)
        // Interleaved raw sample (pixel i, channel c) lands in plane c.
        var expected = [Float](repeating: 0, count: raw.count)
        for i in 0..<(Self.w * Self.h) { for c in 0..<spp { expected[c * Self.w * Self.h + i] = Float(raw[i * spp + c]) / 257 } }
        #expect(png.image.pixels == expected)
        // 16-bit survives a re-encode exactly.
        #expect(try PNGCodec.decode(bytes: try PNGCodec.encode(png)) == png)
    }

    @Test(arguments: [1, 2, 4, 8], [false, true])
    func palette(bits: Int, withAlpha: Bool) throws {
        let entries = min(1 << bits, 7)
        var layout = PNGRawEncoder.Layout(colorType: 3, bitDepth: bits, interlaced: bits == 4)
        layout.palette = (0..<(entries * 3)).map { UInt8(($0 * 37 + 11) % 256) }
        if withAlpha { layout.paletteAlpha = (0..<max(1, entries - 1)).map { UInt8($0 * 40 % 256) } }
        let idx = ImagingFixtures.samples(Self.w * Self.h, bound: entries, seed: UInt64(bits))
        let png = try PNGCodec.decode(bytes: try PNGRawEncoder.encode(width: Self.w, height: Self.h, layout: layout, samples: idx))
        #expect(png.channels == (withAlpha ? 4 : 3) && png.bitDepth == 8)
        let n = Self.w * Self.h
        for i in 0..<n {
            let e = Int(idx[i])
            for c in 0..<3 { #expect(png.image.pixels[c * n + i] == Float(layout.palette[e * 3 + c])) }
            if withAlpha {
                let a = e < layout.paletteAlpha.count ? Float(layout.paletteAlpha[e]) : 255
                #expect(png.image.pixels[3 * n + i] == a)
            }
        }
    }

    @Test func grayAndRGBTransparentColourBecomeAlpha() throws {
        var gray = PNGRawEncoder.Layout(colorType: 0, bitDepth: 8)
        gray.transparentColor = [5]
        let g = try PNGCodec.decode(bytes: try PNGRawEncoder.encode(width: 3, height: 1, layout: gray, samples: [5, 6, 200]))
        #expect(g.channels == 2 && g.image.pixels == [5, 6, 200, 0, 255, 255])
        var rgb = PNGRawEncoder.Layout(colorType: 2, bitDepth: 8, interlaced: true)
        rgb.transparentColor = [1, 2, 3]
        let c = try PNGCodec.decode(bytes: try PNGRawEncoder.encode(width: 2, height: 1, layout: rgb, samples: [1, 2, 3, 1, 2, 4]))
        #expect(c.channels == 4 && c.image.pixels == [1, 1, 2, 2, 3, 4, 0, 255])
    }

    @Test(arguments: [2, 4, 6])
    func interlacedEightBitMatchesPlain(colorType: Int) throws {
        let spp = [2: 3, 4: 2, 6: 4][colorType]!
        let raw = ImagingFixtures.samples(Self.w * Self.h * spp, bound: 256, seed: UInt64(colorType))
        let plain = try PNGCodec.decode(bytes: try PNGRawEncoder.encode(
            width: Self.w, height: Self.h, layout: .init(colorType: colorType, bitDepth: 8), samples: raw))
        let adam7Bytes = try PNGRawEncoder.encode(width: Self.w, height: Self.h,
                                                  layout: .init(colorType: colorType, bitDepth: 8, interlaced: true), samples: raw)
        let adam7 = try PNGCodec.decode(bytes: adam7Bytes)
        #expect(plain == adam7)
        #expect(plain.image.pixels[0] == Float(raw[0]) && plain.image.pixels[Self.w * Self.h] == Float(raw[1]))
        let header = try PNGReader(bytes: adam7Bytes.withUnsafeBytes { UnsafeRawBufferPointer($0) }, name: "i").header
        #expect(header.interlaced && header.sourceColorType == colorType)
    }
}
