import Testing
@testable import SRCore
import SRTestSupport

@Suite struct ResizeTests {
    /// Distance in float32 units in the last place.
    static func ulps(_ a: Float, _ b: Float) -> Int {
        if a == b { return 0 }
        let ia = Int64(Int32(bitPattern: a.bitPattern)), ib = Int64(Int32(bitPattern: b.bitPattern))
        let ma = ia < 0 ? Int64(Int32.min) - ia : ia, mb = ib < 0 ? Int64(Int32.min) - ib : ib
        return Int(abs(ma - mb))
    }

    static func maxUlps(_ a: [Float], _ b: [Float]) -> Int {
        zip(a, b).map { ulps($0, $1) }.max() ?? 0
    }

    @Test(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)), arguments: [2, 3, 4])
    func goldenDownAndUp(scale: Int) throws {
        for n in 1...5 {
            let hr = try ImagingFixtures.alignedHR(n, scale: scale)
            let hrImage = Image(width: hr.width, height: hr.height, channels: 1, pixels: hr.y.map { Float($0) })
            let lr = Resize.bicubic(hrImage, scale: 1.0 / Double(scale))
            let goldenLR = SharedData.readF32("reference/golden/set5/x\(scale)/img_00\(n)_lr.f32")
            #expect(lr.width == hr.width / scale && lr.height == hr.height / scale)
            #expect(lr.pixels.count == goldenLR.count)
            #expect(Self.maxUlps(lr.pixels, goldenLR) == 0, "x\(scale) img_00\(n) LR")
            let goldenLRImage = Image(width: lr.width, height: lr.height, channels: 1, pixels: goldenLR)
            let bic = Resize.bicubic(goldenLRImage, scale: Double(scale))
            let goldenBic = SharedData.readF32("reference/golden/set5/x\(scale)/img_00\(n)_bicubic.f32")
            #expect(bic.width == hr.width && bic.height == hr.height)
            #expect(Self.maxUlps(bic.pixels, goldenBic) == 0, "x\(scale) img_00\(n) bicubic")
        }
    }

    @Test func coefficientsMatchTheSpecExamples() {
        // docs/reference.md §7 worked example, x2 upscaling: interior output 2q uses q-2..q+1.
        let up = ResampleAxis.pillowBicubic(inSize: 20, outSize: 40)
        let q = 6
        #expect(up.bounds[2 * (2 * q)] == Int32(q - 2) && up.bounds[2 * (2 * q) + 1] == 4)
        let w = Array(up.weights[(2 * q * up.ksize)..<(2 * q * up.ksize + 4)])
        #expect(w == [-0.0234375, 0.2265625, 0.8671875, -0.0703125])
        // Border renormalisation: output 0 = 1.0882353 in0 - 0.0882353 in1.
        #expect(up.bounds[0] == 0 && up.bounds[1] == 2)
        #expect(abs(up.weights[0] - 1.0882353) < 1e-7 && abs(up.weights[1] + 0.0882353) < 1e-7)
        #expect(abs(up.weights[up.ksize] - 0.810219) < 1e-6 && abs(up.weights[up.ksize + 2] + 0.0218978) < 1e-7)
        // x2 downscaling interior: 8 taps 2o-3 ... 2o+4.
        let down = ResampleAxis.pillowBicubic(inSize: 40, outSize: 20)
        let o = 7
        #expect(down.bounds[2 * o] == Int32(2 * o - 3) && down.bounds[2 * o + 1] == 8)
        let dw = Array(down.weights[(o * down.ksize)..<(o * down.ksize + 8)])
        #expect(dw == [-0.01171875, -0.03515625, 0.11328125, 0.43359375, 0.43359375, 0.11328125, -0.03515625, -0.01171875])
    }

    @Test(arguments: [(31, 17, 62, 34), (31, 17, 62, 8), (31, 17, 10, 5), (40, 30, 40, 90), (25, 25, 75, 75), (33, 21, 11, 7)])
    func regionsAreBitIdentical(shape: (Int, Int, Int, Int)) {
        let (iw, ih, ow, oh) = shape
        let src = Image(width: iw, height: ih, channels: 2,
                        pixels: ImagingFixtures.samples(iw * ih * 2, bound: 256, seed: UInt64(iw)).map { Float($0) * 0.73 })
        for kernel in ResizeKernel.allCases {
            let plan = ResizePlan(inWidth: iw, inHeight: ih, outWidth: ow, outHeight: oh, kernel: kernel)
            let whole = plan.apply(src)
            for (rows, cols) in [(0..<oh, 0..<ow), (1..<(oh / 2), 3..<(ow - 1)), ((oh - 2)..<oh, 0..<1), (0..<1, 0..<ow)] {
                let part = plan.apply(src, rows: rows, cols: cols)
                var same = true
                for c in 0..<2 { for y in rows { for x in cols {
                    same = same && part[c, y - rows.lowerBound, x - cols.lowerBound] == whole[c, y, x]
                } } }
                #expect(same, "\(kernel) rows \(rows) cols \(cols)")
            }
        }
    }

    /// Pillow 13.0 mode "L" results for the 23x19 test image below (produced once with
    /// `Image.fromarray(uint8, "L").resize((w, h), Image.BICUBIC)`): an index-weighted checksum
    /// `sum((31 i + 7) * v_i)` per size, and the full 11x9 result.
    static let pillowL: [(w: Int, h: Int, checksum: Int)] = [(46, 38, 5642689094), (11, 9, 18054704), (30, 7, 80641320)]
    static let pillowL11x9: [UInt8] = [
        148, 171, 86, 104, 93, 78, 157, 124, 103, 119, 78, 117, 171, 167, 146, 122, 99, 100, 156, 144, 122, 91, 105,
        155, 151, 133, 124, 134, 115, 162, 136, 146, 86, 105, 103, 123, 141, 102, 131, 161, 107, 94, 130, 105, 103, 124,
        152, 174, 110, 75, 153, 167, 117, 180, 179, 153, 165, 124, 167, 145, 82, 98, 94, 98, 157, 128, 121, 155, 110,
        115, 98, 94, 120, 47, 99, 159, 67, 155, 99, 110, 123, 55, 78, 100, 96, 101, 137, 85, 119, 133, 91, 123, 134, 123,
        163, 98, 88, 111, 170,
    ]

    @Test func eightBitPathMatchesPillow() {
        let src = Image(width: 23, height: 19, channels: 1,
                        pixels: ImagingFixtures.samples(23 * 19, bound: 256, seed: 9).map { Float($0) })
        for (w, h, checksum) in Self.pillowL {
            let l = Resize.bicubic8(src, width: w, height: h)
            let sum = l.pixels.enumerated().map { (31 * $0.offset + 7) * Int($0.element) }.reduce(0, +)
            #expect(sum == checksum, "\(w)x\(h)")
        }
        #expect(Resize.bicubic8(src, width: 11, height: 9).pixels == Self.pillowL11x9.map { Float($0) })
        // Constant images stay constant (fixed-point weights sum to 2^22).
        let flat = Image(width: 9, height: 7, channels: 1, value: 77)
        #expect(Resize.bicubic8(flat, width: 27, height: 3).pixels.allSatisfy { $0 == 77 })
    }

    @Test func matlabAgreesWithPillowInTheInteriorAndDiffersAtEdges() {
        let w = 48, h = 40
        let src = Image(width: w, height: h, channels: 1,
                        pixels: ImagingFixtures.samples(w * h, bound: 256, seed: 21).map { Float($0) })
        for s in [2, 3, 4] {
            for (ow, oh) in [(w * s, h * s), (w / s, h / s)] {
                let m = Resize.bicubic(src, width: ow, height: oh, kernel: .matlab)
                let p = Resize.bicubic(src, width: ow, height: oh, kernel: .pillow)
                let margin = 3 * s
                var interior = 0.0, edge = 0.0
                for y in 0..<oh { for x in 0..<ow {
                    let d = Double(abs(m[0, y, x] - p[0, y, x]))
                    if y >= margin && y < oh - margin && x >= margin && x < ow - margin { interior = max(interior, d) }
                    else { edge = max(edge, d) }
                } }
                #expect(interior < 1e-3, "x\(s) \(ow)x\(oh)")
                #expect(edge > 1e-3, "x\(s) \(ow)x\(oh): symmetric padding should differ from renormalisation")
            }
        }
        // Constant images stay constant; a linear ramp stays linear in the interior of an x2 upscale.
        let flat = Image(width: 7, height: 5, channels: 1, value: 42)
        #expect(Resize.bicubic(flat, width: 21, height: 15, kernel: .matlab).pixels.allSatisfy { abs($0 - 42) < 1e-4 })
    }

    @Test func tinyImagesGiveEmptyResults() {
        let one = Image(width: 3, height: 1, channels: 2, value: 5)
        for kernel in ResizeKernel.allCases {
            let r = Resize.bicubic(one, scale: 1.0 / 4, kernel: kernel)
            #expect(r.width == 0 && r.height == 0 && r.pixels.isEmpty)
        }
        #expect(Resize.bicubic8(one, width: 0, height: 4).pixels.isEmpty)
        // A 1x1 image upscales to a constant.
        let dot = Image(width: 1, height: 1, channels: 1, value: 9)
        #expect(Resize.bicubic(dot, scale: 3).pixels == [Float](repeating: 9, count: 9))
        #expect(Resize.bicubic(dot, width: 2, height: 2, kernel: .matlab).pixels.allSatisfy { abs($0 - 9) < 1e-5 })
    }

    @Test func matlabMatchesPublishedImresizeValues() {
        // imresize(reshape(0:15, 4, 4)', [3 3]) (bicubic, antialiased 0.75x) as published in the
        // docstring of bicubic_pytorch (Son, 2020), which reproduces MATLAB: rows 0 and 2 and the centre.
        let x = Image(width: 4, height: 4, channels: 1, pixels: (0..<16).map { Float($0) })
        let y = Resize.bicubic(x, width: 3, height: 3, kernel: .matlab)
        let published: [(Int, Float)] = [(0, 0.7506), (1, 2.1004), (2, 3.4503), (4, 7.5000), (5, 8.8499),
                                         (6, 11.5497), (7, 12.8996), (8, 14.2494)]
        for (i, v) in published { #expect(abs(y.pixels[i] - v) < 1e-4, "sample \(i)") }
        // The input is 4 * row + col, so the result is separable: y[1][0] = 4 * y1d[1] + y1d[0].
        #expect(abs(y.pixels[3] - (4 * (y.pixels[1] - 4 * y.pixels[0] / 5) + y.pixels[0] / 5)) < 1e-4)
    }

    @Test func matlabSymmetricPaddingByHand() {
        // 1-D check along x: MATLAB's imresize of [a b c d] to 8 samples, first output.
        // u = 1/2 + 0.25 = 0.75, taps at 1-based -2..3 (left = floor(0.75 - 2) = -2, P = 6):
        // distances 2.75, 1.75, 0.75, -0.25, -1.25, -2.25 -> indices mirrored [3, 2, 1, 1, 2, 3] (1-based).
        let v: [Float] = [10, 50, 20, 90]
        let img = Image(width: 4, height: 1, channels: 1, pixels: v)
        let out = Resize.bicubic(img, width: 8, height: 1, kernel: .matlab)
        func cubic(_ x: Double) -> Double {
            let a = abs(x)
            if a <= 1 { return 1.5 * a * a * a - 2.5 * a * a + 1 }
            if a <= 2 { return -0.5 * a * a * a + 2.5 * a * a - 4 * a + 2 }
            return 0
        }
        let d = [2.75, 1.75, 0.75, -0.25, -1.25, -2.25]
        let idx = [2, 1, 0, 0, 1, 2]
        let ws = d.map(cubic)
        let expected = zip(ws, idx).map { $0 * Double(v[$1]) }.reduce(0, +) / ws.reduce(0, +)
        #expect(abs(Double(out[0, 0, 0]) - expected) < 1e-4)
    }
}
