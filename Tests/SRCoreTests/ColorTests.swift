import Testing
@testable import SRCore
import SRTestSupport

@Suite struct ColorTests {
    @Test(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)), arguments: 1...5)
    func lumaMatchesGoldenExactly(n: Int) throws {
        let png = try ImagingFixtures.set5(n)
        let golden = ImagingFixtures.hrY(n)
        let y = YCbCr.lumaDouble(png.image)
        #expect(y.count == golden.count)
        #expect(y == golden)
        let yf = YCbCr.luma(png.image)
        #expect(yf.channels == 1 && yf.pixels == golden.map { Float($0) })
        #expect(YCbCr.fromRGB(png.image).plane(0) == yf)
    }

    @Test func primariesMatchTheFormula() {
        // Independent evaluation of docs/reference.md §6's formulas for a few colours.
        let rgb: [(Double, Double, Double)] = [(0, 0, 0), (255, 255, 255), (255, 0, 0), (0, 255, 0), (0, 0, 255), (12, 200, 99)]
        let img = Image(width: rgb.count, height: 1, channels: 3,
                        pixels: rgb.map { Float($0.0) } + rgb.map { Float($0.1) } + rgb.map { Float($0.2) })
        let ycc = YCbCr.fromRGB(img)
        for (i, c) in rgb.enumerated() {
            let y = 16 + (65.738 * c.0 + 129.057 * c.1 + 25.064 * c.2) / 256
            let cb = 128 + (-37.945 * c.0 - 74.494 * c.1 + 112.439 * c.2) / 256
            let cr = 128 + (112.439 * c.0 - 94.154 * c.1 - 18.285 * c.2) / 256
            #expect(abs(Double(ycc[0, 0, i]) - y) < 1e-4)
            #expect(abs(Double(ycc[1, 0, i]) - cb) < 1e-4)
            #expect(abs(Double(ycc[2, 0, i]) - cr) < 1e-4)
        }
        #expect(abs(ycc[0, 0, 0] - 16) < 1e-5 && abs(ycc[0, 0, 1] - 235) < 0.01)
    }

    @Test func inverseRestoresRGB() {
        let raw = ImagingFixtures.samples(3 * 64, bound: 256, seed: 5)
        let img = Image(width: 8, height: 8, channels: 3, pixels: raw.map { Float($0) })
        let back = YCbCr.toRGB(YCbCr.fromRGB(img))
        // The published inverse constants are rounded to 3 decimals: agreement to ~0.05 on 0...255.
        let maxDiff = zip(back.pixels, img.pixels).map { abs($0 - $1) }.max()!
        #expect(maxDiff < 0.05)
        // The rounded result is the original.
        #expect(back.pixels.map { $0.rounded() } == img.pixels)
    }

    @Test func grayIsLumaAsIs() {
        let gray = Image(width: 3, height: 2, channels: 2, pixels: [1, 2, 3, 4, 5, 250, 9, 9, 9, 9, 9, 9])
        #expect(YCbCr.luma(gray).pixels == [1, 2, 3, 4, 5, 250])
        #expect(YCbCr.lumaDouble(gray) == [1, 2, 3, 4, 5, 250])
    }
}
