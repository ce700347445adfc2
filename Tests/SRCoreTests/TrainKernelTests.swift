import CKernels
import Testing
@testable import SRCore
import SRTestSupport

/// The weight-gradient kernel (all AVX2 tile shapes and remainders) against a float64 loop.
@Suite struct TrainKernelTests {
    @Test(arguments: [(1, 8), (3, 26), (5, 20), (32, 32), (9, 14), (7, 11), (2, 40), (131, 24)])
    func weightGradientMatchesNaive(cin: Int, cout: Int) throws {
        let n = 2, h = 4, w = 5, k = cin > 64 ? 1 : 3
        let cpad = Int(srk_conv_padded_cout(Int32(cout)))
        let input = try PaddedBuffer(n: n, h: h, w: w, pad: 1, ld: cin + 2)
        let gz = try PaddedBuffer(n: n, h: h, w: w, pad: 1, ld: cpad)
        var rng = SeededGenerator(seed: UInt64(cin * 100 + cout))
        let iv = input.view(1), gv = gz.view()
        func at(_ v: srt_view, _ i: Int, _ y: Int, _ x: Int, _ c: Int) -> UnsafeMutablePointer<Float> {
            v.base + i * v.ns + y * v.rs + x * v.ps + c
        }
        for i in 0..<n { for y in 0..<h { for x in 0..<w {
            for c in 0..<cin { at(iv, i, y, x, c).pointee = Float(rng.nextUnit() * 2 - 1) }
            for o in 0..<cout { at(gv, i, y, x, o).pointee = Float(rng.nextUnit() * 2 - 1) }
        } } }
        let gw = try FloatBuffer(count: k * k * cin * cpad, what: "training buffer")
        #expect(srt_conv_dw(iv, Int32(cin), gv, Int32(cpad), Int32(n), Int32(h), Int32(w), Int32(k), gw.base, Int32(SRK_ISA_AUTO)) == SRK_OK)
        var worst = 0.0
        let p = k / 2
        for ky in 0..<k { for kx in 0..<k { for c in 0..<cin { for o in 0..<cpad {
            var s = 0.0
            if o < cout {
                for i in 0..<n { for y in 0..<h { for x in 0..<w {
                    let yy = y + ky - p, xx = x + kx - p
                    guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                    s += Double(at(iv, i, yy, xx, c).pointee) * Double(at(gv, i, y, x, o).pointee)
                } } }
            }
            worst = max(worst, abs(s - Double(gw.base[((ky * k + kx) * cin + c) * cpad + o])))
        } } } }
        #expect(worst < 1e-4, "cin \(cin) cout \(cout): max error \(worst)")
    }
}
