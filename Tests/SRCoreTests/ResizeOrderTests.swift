import Testing
@testable import SRCore
import SRTestSupport

/// Pillow 13's pass order (vertical first iff the height shrinks by more than twice as many
/// pixels as the width: `dh > 0 && dh > 2 * dw`), checked against outputs of Pillow 13.0.0
/// stored below. They were produced once with
/// `Image.fromarray(a, "F" | "L").resize((outW, outH), Image.Resampling.BICUBIC)` on the input
/// `ResizeOrderTests.input` (value `(73 i + 19) mod 256 + (i mod 5) / 4` for "F", without the
/// fraction for "L", `i` the row-major index). Every case is one where the two orders give
/// different results, so a wrong order cannot pass.
@Suite struct ResizeOrderTests {
    enum Pass { case horizontal, vertical }

    struct Case: Sendable, CustomTestStringConvertible {
        let inW: Int, inH: Int, outW: Int, outH: Int
        /// The pass Pillow runs first.
        let first: Pass
        let pillow: [Float]
        var testDescription: String { "\(inW)x\(inH) -> \(outW)x\(outH)" }
    }

    static func input(width: Int, height: Int, eightBit: Bool) -> Image {
        var pixels = [Float](repeating: 0, count: width * height)
        for i in 0..<pixels.count {
            let whole = Float((73 * i + 19) % 256)
            let fraction: Float = eightBit ? 0 : Float(i % 5) * 0.25
            pixels[i] = whole + fraction
        }
        return Image(width: width, height: height, channels: 1, pixels: pixels)
    }

    /// One axis at a time (each call leaves the other axis alone, so it runs a single pass).
    static func composed(_ src: Image, _ c: Case, first: Pass, eightBit: Bool) -> [Float] {
        func resize(_ img: Image, _ w: Int, _ h: Int) -> Image {
            eightBit ? Resize.bicubic8(img, width: w, height: h) : Resize.bicubic(img, width: w, height: h)
        }
        let mid = first == .horizontal ? resize(src, c.outW, c.inH) : resize(src, c.inW, c.outH)
        return resize(mid, c.outW, c.outH).pixels
    }

    /// Mode "F": 10x21 -> 5x10 (x2, dh = 11 > 2 dw = 10: vertical first), 10x20 -> 5x10 (the tie
    /// dh = 2 dw: horizontal first), 9x15 -> 4x3, 7x5 -> 12x2 (width grows), 3x5 -> 9x6 (dh < 0 with
    /// dh > 2 dw: horizontal first), 9x28 -> 3x9 (x3).
    static let pillowF: [Case] = [
        Case(inW: 10, inH: 21, outW: 5, outH: 10, first: .vertical, pillow: [
            100.05552, 156.48407, 102.79049, 144.53314, 101.235985, 148.95636, 111.56684, 128.13582, 132.0118,
            107.354614, 137.80516, 106.692635, 144.12991, 96.10265, 155.49062, 82.52894, 142.6901, 101.72186,
            126.20101, 115.37899, 123.579285, 117.31506, 104.22215, 135.74516, 84.422646, 140.80083, 89.271126,
            136.88527, 88.17541, 131.93037, 116.298836, 121.337906, 107.80057, 135.95587, 136.18176, 158.72855,
            140.0219, 139.05515, 161.3337, 116.52236, 166.72119, 119.66339, 163.95413, 117.114655, 166.70671,
            99.68067, 156.9065, 134.15721, 129.41304, 149.86441]),
        Case(inW: 10, inH: 20, outW: 5, outH: 10, first: .horizontal, pillow: [
            98.86501, 157.68785, 102.313805, 143.9967, 102.340706, 145.97859, 114.72976, 125.057915, 135.38608,
            104.137245, 145.75941, 102.838806, 146.82031, 96.51254, 152.27824, 83.98536, 139.51834, 108.72266,
            118.82143, 128.14853, 111.52929, 127.58012, 97.30078, 141.13031, 80.843094, 147.7636, 88.97394,
            132.80469, 101.13417, 118.1067, 114.03975, 108.82722, 116.42578, 102.88706, 148.14017, 140.98537,
            144.33301, 122.92969, 173.2191, 109.89749, 175.8047, 118.99234, 160.66795, 130.22243, 146.16762,
            137.64903, 133.0627, 149.27615, 121.64614, 177.00981]),
        Case(inW: 9, inH: 15, outW: 4, outH: 3, first: .vertical, pillow: [
            124.09716, 129.1834, 123.64875, 122.939804, 120.33543, 119.45649, 119.39157, 120.38033, 111.20549,
            114.51552, 115.58321, 108.66623]),
        Case(inW: 7, inH: 5, outW: 12, outH: 2, first: .vertical, pillow: [
            12.902978, 39.071587, 88.360176, 131.24158, 175.67885, 235.0445, 195.22702, 67.12216, 70.9383,
            130.73006, 180.00833, 206.1963, 10.803702, 36.991676, 86.26994, 128.84874, 173.12785, 232.85632,
            193.03883, 64.57115, 68.545456, 128.63983, 177.92842, 204.09703]),
        Case(inW: 3, inH: 5, outW: 9, outH: 6, first: .horizontal, pillow: [
            2.1831946, 10.888423, 31.17467, 61.77061, 93.58809, 123.05468, 149.51633, 166.88423, 174.59961,
            205.95079, 192.67938, 155.40985, 101.9698, 66.60114, 80.79976, 114.52975, 138.79199, 146.39102,
            252.31502, 229.81264, 167.70854, 78.264206, 16.040148, 29.969044, 74.44889, 106.879486, 116.44152,
            194.73392, 186.12051, 164.5179, 132.60503, 104.29318, 89.40245, 81.09224, 76.15032, 73.18791,
            144.75763, 154.20801, 185.88272, 229.43907, 243.98665, 186.00511, 102.01027, 43.648853, 22.560667,
            118.40039, 126.11577, 152.63712, 188.906, 199.41191, 145.90628, 69.60316, 16.661913, -2.5749295]),
        Case(inW: 9, inH: 28, outW: 3, outH: 9, first: .vertical, pillow: [
            125.81381, 126.78091, 125.50781, 126.53626, 123.34555, 120.965645, 117.66173, 119.20998, 121.59606,
            116.79202, 113.97888, 110.96706, 110.39094, 125.58957, 116.57665, 140.07155, 146.52664, 142.23456,
            142.46982, 140.02498, 136.69698, 135.2205, 135.3077, 138.65222, 130.65895, 135.39272, 125.003334]),
    ]

    /// Mode "L": the x2 vertical-first shape, the tie, a growing width, and dh < 0.
    static let pillowL: [Case] = [
        Case(inW: 10, inH: 21, outW: 5, outH: 10, first: .vertical, pillow: [
            100, 155, 102, 144, 100, 148, 111, 127, 131, 106, 138, 106, 144, 96, 155, 82, 142, 101, 126, 115,
            123, 116, 104, 135, 83, 141, 89, 137, 88, 131, 116, 121, 107, 136, 135, 159, 139, 139, 161, 116,
            167, 119, 164, 117, 166, 100, 156, 134, 129, 149]),
        Case(inW: 10, inH: 20, outW: 5, outH: 10, first: .horizontal, pillow: [
            99, 157, 102, 144, 102, 146, 114, 125, 135, 103, 146, 102, 147, 96, 151, 84, 139, 109, 119, 127,
            112, 127, 97, 141, 80, 147, 88, 133, 101, 117, 114, 108, 116, 102, 147, 141, 144, 123, 173, 109,
            175, 118, 161, 130, 145, 138, 132, 149, 121, 176]),
        Case(inW: 8, inH: 6, outW: 13, outH: 2, first: .vertical, pillow: [
            104, 123, 151, 159, 156, 144, 126, 112, 115, 112, 104, 105, 106, 136, 138, 137, 120, 104, 93, 93,
            105, 134, 148, 146, 139, 134]),
        Case(inW: 3, inH: 5, outW: 9, outH: 6, first: .horizontal, pillow: [
            2, 11, 32, 61, 93, 123, 149, 166, 174, 203, 192, 155, 101, 66, 80, 115, 139, 147, 251, 229, 167, 78,
            15, 29, 74, 106, 116, 194, 186, 164, 133, 104, 89, 81, 76, 73, 143, 153, 185, 229, 244, 185, 102,
            43, 23, 118, 126, 152, 189, 199, 145, 69, 16, 0]),
    ]

    @Test(arguments: pillowF)
    func floatPathMatchesPillow(_ c: Case) {
        let src = Self.input(width: c.inW, height: c.inH, eightBit: false)
        let plan = ResizePlan(inWidth: c.inW, inHeight: c.inH, outWidth: c.outW, outHeight: c.outH)
        #expect(plan.verticalFirst == (c.first == .vertical))
        let whole = plan.apply(src)
        #expect(whole.pixels == c.pillow)
        // The case separates the orders: the stored result is the chosen order's, not the other's.
        let other: Pass = c.first == .vertical ? .horizontal : .vertical
        #expect(Self.composed(src, c, first: c.first, eightBit: false) == c.pillow)
        #expect(Self.composed(src, c, first: other, eightBit: false) != c.pillow)
        // Regions (what tiled callers use) stay bit-identical in either order.
        let regions = [(1..<c.outH, 0..<c.outW), (0..<(c.outH + 1) / 2, 1..<c.outW),
                       ((c.outH - 1)..<c.outH, (c.outW / 2)..<c.outW)]
        for (rows, cols) in regions {
            let part = plan.apply(src, rows: rows, cols: cols)
            var expected: [Float] = []
            for y in rows { for x in cols { expected.append(c.pillow[y * c.outW + x]) } }
            #expect(part.pixels == expected, "rows \(rows) cols \(cols)")
        }
    }

    @Test(arguments: pillowL)
    func eightBitPathMatchesPillow(_ c: Case) {
        let src = Self.input(width: c.inW, height: c.inH, eightBit: true)
        #expect(Resize.bicubic8(src, width: c.outW, height: c.outH).pixels == c.pillow)
        let other: Pass = c.first == .vertical ? .horizontal : .vertical
        #expect(Self.composed(src, c, first: c.first, eightBit: true) == c.pillow)
        #expect(Self.composed(src, c, first: other, eightBit: true) != c.pillow)
    }

    /// The shapes reported from Pillow 13 probing (w x h, x2 down) and the rule's edge cases.
    @Test func orderRule() {
        func vFirst(_ w: Int, _ h: Int, _ ow: Int, _ oh: Int) -> Bool {
            ResizePlan(inWidth: w, inHeight: h, outWidth: ow, outHeight: oh).verticalFirst
        }
        for (w, h) in [(40, 81), (40, 90), (20, 60), (232, 508)] { #expect(vFirst(w, h, w / 2, h / 2), "\(w)x\(h)") }
        for (w, h) in [(40, 80), (30, 40), (48, 64), (508, 232)] { #expect(!vFirst(w, h, w / 2, h / 2), "\(w)x\(h)") }
        #expect(vFirst(30, 50, 15, 10) && vFirst(23, 19, 30, 7))
        #expect(!vFirst(10, 10, 100, 12) && !vFirst(10, 10, 12, 10) && !vFirst(10, 10, 10, 10))
        // MATLAB keeps its own rule (smaller scale first, rows on a tie).
        #expect(ResizePlan(inWidth: 40, inHeight: 80, outWidth: 20, outHeight: 40, kernel: .matlab).verticalFirst)
    }
}
