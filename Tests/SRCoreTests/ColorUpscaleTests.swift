import Testing
@testable import SRCore
import SRTestSupport

@Suite struct ColorUpscaleTests {
    static func image(_ w: Int, _ h: Int, channels: Int, seed: UInt64, bitDepth: Int = 8) -> PNGImage {
        let bound = bitDepth == 16 ? 65536 : 256
        let raw = ImagingFixtures.samples(w * h * channels, bound: bound, seed: seed)
        // Smooth-ish content plus noise, so the network sees structure.
        var px = [Float](repeating: 0, count: raw.count)
        for c in 0..<channels { for y in 0..<h { for x in 0..<w {
            let i = (c * h + y) * w + x
            let v = bitDepth == 16 ? Float(raw[i]) / 257 : Float(raw[i])
            px[i] = (Float((x * 9 + y * 5 + c * 40) % 256) * 3 + v) / 4
            if bitDepth == 8 { px[i] = px[i].rounded() }
        } } }
        return PNGImage(image: Image(width: w, height: h, channels: channels, pixels: px), bitDepth: bitDepth)
    }

    static let network: DCSCN = try! DCSCN(parameters: DCSCNParameters.heInitialized(config: .compact(scale: 2), seed: 7))

    /// The whole-image computation written out directly (no strips, no tiles).
    static func direct(_ png: PNGImage, network: DCSCN) throws -> Image {
        let s = network.config.scale
        let w = png.width * s, h = png.height * s
        let y = YCbCr.luma(png.image)
        let hrY = try network.forward(lr: y, bicubic: Resize.bicubic(y, width: w, height: h))
        var planes: [Float] = []
        if png.channels >= 3 {
            let ycc = YCbCr.fromRGB(png.image)
            let cbcr = Resize.bicubic(Image(width: png.width, height: png.height, channels: 2,
                                            pixels: Array(ycc.pixels[png.image.planeSize...])), width: w, height: h)
            planes = YCbCr.toRGB(Image(width: w, height: h, channels: 3, pixels: hrY.pixels + cbcr.pixels)).pixels
        } else {
            planes = hrY.pixels
        }
        if png.hasAlpha {
            planes += Resize.bicubic(png.image.plane(png.channels - 1), width: w, height: h).pixels
        }
        return Image(width: w, height: h, channels: png.channels, pixels: planes)
    }

    @Test(arguments: [1, 2, 3, 4])
    func stripsAndTilesMatchTheDirectComputation(channels: Int) throws {
        let png = Self.image(29, 23, channels: channels, seed: UInt64(channels))
        let expected = try Self.direct(png, network: Self.network)
        let upscaler = Upscaler(network: Self.network)
        for (strip, tile) in [(nil, nil), (1, nil), (4, 5), (7, 100), (23, 8)] as [(Int?, Int?)] {
            let color = ColorUpscaler(upscaler: upscaler, options: UpscaleOptions(tileSize: tile), stripRows: strip)
            let out = try color.upscale(png)
            #expect(out.channels == channels && out.bitDepth == 8)
            #expect(out.image == expected, "strip \(String(describing: strip)) tile \(String(describing: tile))")
        }
    }

    @Test func tooSmallAHaloIsDetectable() throws {
        // Sanity check of the test above: with no halo, strip seams change the network output.
        let png = Self.image(29, 23, channels: 3, seed: 3)
        let expected = try Self.direct(png, network: Self.network)
        let net = Self.network
        let color = ColorUpscaler(scale: 2, halo: 0, stripRows: 4) { lr, bic in try net.forward(lr: lr, bicubic: bic) }
        #expect(try color.upscale(png).image != expected)
        let full = ColorUpscaler(scale: 2, halo: net.config.receptiveField, stripRows: 4) { lr, bic in
            try net.forward(lr: lr, bicubic: bic)
        }
        #expect(try full.upscale(png).image == expected)
    }

    @Test func bicubicLumaGivesTheBicubicOfRGB() throws {
        // With the network replaced by "bicubic only", YCbCr is affine and the resize linear with unit
        // weight sums, so the result is the plain RGB bicubic up to float rounding.
        let png = Self.image(16, 12, channels: 4, seed: 3)
        let color = ColorUpscaler(scale: 3, halo: 2, stripRows: 5) { _, bicubic in bicubic }
        let out = try color.upscale(png)
        let reference = Resize.bicubic(png.image, width: 48, height: 36)
        let maxDiff = zip(out.image.pixels, reference.pixels).map { abs($0 - $1) }.max()!
        #expect(maxDiff < 2e-3)
    }

    @Test func filesStreamAndKeepSixteenBits() throws {
        let dir = ImagingFixtures.tempDir()
        let png = Self.image(21, 14, channels: 3, seed: 9, bitDepth: 16)
        try PNGCodec.write(png, to: dir + "/in.png")
        let color = ColorUpscaler(upscaler: Upscaler(network: Self.network), stripRows: 4)
        let size = try color.upscaleFile(input: dir + "/in.png", output: dir + "/out.png")
        #expect(size == (42, 28))
        let written = try PNGCodec.read(path: dir + "/out.png")
        #expect(written.bitDepth == 16 && written.channels == 3)
        let inMemory = try color.upscale(try PNGCodec.read(path: dir + "/in.png"))
        // The writer rounds and clips to 16 bits: decode(encode(x)) of the in-memory result.
        #expect(written == (try PNGCodec.decode(bytes: try PNGCodec.encode(inMemory))))
        #expect(ImagingFixtures.listDir(dir) == ["in.png", "out.png"])
    }

    @Test func grayStaysGrayAndAlphaIsKept() throws {
        let dir = ImagingFixtures.tempDir()
        let ga = Self.image(13, 11, channels: 2, seed: 4)
        try PNGCodec.write(ga, to: dir + "/ga.png")
        let color = ColorUpscaler(upscaler: Upscaler(network: Self.network), stripRows: 3)
        try color.upscaleFile(input: dir + "/ga.png", output: dir + "/ga2.png")
        let out = try PNGCodec.read(path: dir + "/ga2.png")
        #expect(out.channels == 2 && out.width == 26 && out.height == 22)
        let alpha = Resize.bicubic(ga.image.plane(1), width: 26, height: 22)
        #expect(out.image.plane(1).pixels == alpha.pixels.map { min(255, max(0, $0.rounded(.toNearestOrEven))) })
    }

    @Test func errorsAreReported() throws {
        let dir = ImagingFixtures.tempDir()
        ImagingFixtures.writeFile(dir + "/bad.png", [0x89, 0x50, 0x4E, 0x47, 1, 2, 3])
        let color = ColorUpscaler(scale: 2, halo: 1) { _, b in b }
        #expect(throws: SRError.self) { try color.upscaleFile(input: dir + "/bad.png", output: dir + "/o.png") }
        let wrong = ColorUpscaler(scale: 2, halo: 1) { lr, _ in lr }
        #expect(throws: SRError.self) { try wrong.upscale(Self.image(5, 5, channels: 1, seed: 1)) }
        let cancel = ColorUpscaler(scale: 2, halo: 1, stripRows: 1) { _, b in b }
        #expect(throws: SRError(.cancelled, "colour upscale: cancelled after 2 of 5 strips")) {
            try cancel.upscale(Self.image(5, 5, channels: 3, seed: 1)) { done, _ in done < 2 }
        }
        #expect(ImagingFixtures.listDir(dir) == ["bad.png"])
    }
}
