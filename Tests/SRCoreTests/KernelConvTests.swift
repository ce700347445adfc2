import CKernels
import Testing
@testable import SRCore
import SRTestSupport

/// The C convolution kernels against a float64 reference, on odd shapes.
@Suite struct KernelConvTests {
    /// (height, width, cin, cout, k): 1x1 images, widths not multiple of 8, several output
    /// blocks (cout > 32), 1x1 and 5x5 kernels, narrow layers.
    static let shapes: [(Int, Int, Int, Int, Int)] = [
        (1, 1, 1, 1, 3), (1, 1, 5, 3, 3), (3, 7, 13, 9, 3), (5, 17, 32, 26, 3), (4, 9, 131, 24, 1),
        (2, 13, 8, 40, 3), (3, 5, 3, 70, 1), (6, 11, 2, 8, 5), (7, 3, 11, 8, 3), (2, 29, 6, 17, 3), (5, 21, 1, 1, 3), (4, 19, 1, 1, 1), (3, 10, 4, 1, 3),
        // narrow kernel (cout <= 8, SIMD over input channels): masked channel tails, 1 and 2 output groups
        (4, 9, 19, 3, 3), (3, 13, 40, 8, 1), (2, 11, 12, 1, 3), (5, 3, 16, 5, 3), (1, 1, 9, 4, 3),
        // narrow tails (full vectors + the last 1...3 channels SIMD over inputs): c-DCSCN's 22 -> 18 and
        // 14 -> 11, and 25 = 24 + 1 (the 26, 17 and 9 above are tails too)
        (4, 13, 22, 18, 3), (3, 11, 14, 11, 3), (2, 7, 5, 25, 3),
    ]

    struct Case {
        let h, w, cin, cout, k: Int
        let input, kernel, bias, alpha: [Float]
        init(_ s: (Int, Int, Int, Int, Int), seed: UInt64) {
            (h, w, cin, cout, k) = s
            var g = SeededGenerator(seed: seed)
            func r(_ n: Int, _ scale: Double) -> [Float] { (0..<n).map { _ in Float(g.nextNormal() * scale) } }
            input = r(h * w * cin, 50)
            kernel = r(k * k * cin * cout, 0.2)
            bias = r(cout, 1)
            alpha = r(cout, 0.3)
        }

        /// float64 SAME conv + bias + PReLU; also returns the sum of |terms| per output for tolerances.
        func reference(prelu: Bool) -> (values: [Double], magnitude: [Double]) {
            var out = [Double](repeating: 0, count: h * w * cout)
            var mag = out
            let r = k / 2
            for y in 0..<h { for x in 0..<w { for o in 0..<cout {
                var s = Double(bias[o]), m = abs(Double(bias[o]))
                for ky in 0..<k { for kx in 0..<k {
                    let iy = y + ky - r, ix = x + kx - r
                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                    for c in 0..<cin {
                        let t = Double(input[(iy * w + ix) * cin + c]) * Double(kernel[((ky * k + kx) * cin + c) * cout + o])
                        s += t
                        m += abs(t)
                    }
                }}
                if prelu && s <= 0 { s *= Double(alpha[o]); m *= abs(Double(alpha[o])) }
                out[(y * w + x) * cout + o] = s
                mag[(y * w + x) * cout + o] = m
            }}}
            return (out, mag)
        }

        func run(prelu: Bool, isa: KernelOps.ISA, threads: Int = 1) throws -> [Float] {
            try KernelOps.conv(input, height: h, width: w, cin: cin, kernel: kernel, k: k, cout: cout,
                               bias: bias, alpha: prelu ? alpha : [], isa: isa, threads: threads)
        }
    }

    @Test(arguments: 0..<shapes.count)
    func matchesFloat64Reference(index: Int) throws {
        let c = Case(Self.shapes[index], seed: UInt64(100 + index))
        for prelu in [false, true] {
            let ref = c.reference(prelu: prelu)
            for isa in [KernelOps.ISA.auto, .avx2, .portable] {
                let got = try c.run(prelu: prelu, isa: isa)
                #expect(got.count == ref.values.count)
                var worst = 0.0
                for i in got.indices {
                    let err = abs(Double(got[i]) - ref.values[i]) / (ref.magnitude[i] * 4e-6 + 1e-6)
                    worst = max(worst, err)
                }
                #expect(worst <= 1, "shape \(Self.shapes[index]) prelu \(prelu) isa \(isa): error \(worst) x tolerance")
            }
        }
    }

    /// Generic (cout 37 in several blocks; cout 6 with 3x3, where the narrow kernel is not preferred),
    /// narrow (cout 3 with 3x3, cout 7 with 1x1, cout 1 with 12 inputs) and stencil (1 -> 1) shapes.
    /// Narrow tails: cout 26 (24 + 2), 11 (8 + 3).
    static let twinShapes: [(Int, Int, Int, Int, Int)] = [(9, 23, 19, 37, 3), (7, 19, 21, 6, 3), (7, 19, 21, 3, 3),
                                                          (6, 13, 40, 7, 1), (5, 21, 12, 1, 3), (8, 29, 1, 1, 3),
                                                          (7, 19, 32, 26, 3), (6, 17, 14, 11, 3)]

    @Test func threadsAreBitIdentical() throws {
        for shape in Self.twinShapes {
            let c = Case(shape, seed: 7)
            for isa in [KernelOps.ISA.auto, .portable] {
                let one = try c.run(prelu: true, isa: isa, threads: 1)
                for t in [2, 3, 5, 16] { #expect(try c.run(prelu: true, isa: isa, threads: t) == one, "\(shape) \(isa) threads \(t)") }
            }
        }
    }

    /// An output does not depend on where the kernels' tiles cut its row: the same picture cropped
    /// to every width from 1 to 31 (so each column falls in tiles of 12, 8, 4, 2 or 1 pixels, or 6,
    /// 4, 2, 1, or 3, 2, 1, or the narrow kernel's 8, 4, 2, 1 and 2, 1 at different places) gives,
    /// in every column the crop's right edge does not reach, bit for bit the wide picture's output.
    /// Output blocks of 8, 16 and 24 channels (one vector, two, three), narrow layers of 1 and 4,
    /// narrow tails of 2, 3 and 1 channels (26 = 24 + 2, 11 = 8 + 3, 17 = 16 + 1); for the AVX-512
    /// kernel (tiles of 16, 12 or 8 pixels down to 1) groups of two and three 16-channel blocks, and
    /// of one with a last 8-channel block (32, 48, 40).
    @Test(arguments: [8, 16, 24, 1, 4, 26, 11, 17, 32, 48, 40])
    func outputsDoNotDependOnTheTileCut(cout: Int) throws {
        let (h, wide, cin, k) = (3, 32, cout <= 4 ? 19 : cout > 8 && cout % 8 != 0 ? 13 : 5, 3)
        let c = Case((h, wide, cin, cout, k), seed: UInt64(900 + cout))
        for isa in [KernelOps.ISA.auto, .avx2, .portable] {
            let full = try c.run(prelu: true, isa: isa)
            for w in 1..<wide {
                var crop = [Float](); crop.reserveCapacity(h * w * cin)
                for y in 0..<h { crop += c.input[(y * wide * cin)..<((y * wide + w) * cin)] }
                let got = try KernelOps.conv(crop, height: h, width: w, cin: cin, kernel: c.kernel, k: k, cout: cout,
                                             bias: c.bias, alpha: c.alpha, isa: isa, threads: 1)
                var same = true
                for y in 0..<h { for x in 0..<(w - k / 2) { for o in 0..<cout {
                    if got[(y * w + x) * cout + o] != full[(y * wide + x) * cout + o] { same = false }
                }}}
                #expect(same, "cout \(cout) width \(w) isa \(isa)")
            }
        }
    }

    /// The AVX2 kernels against their portable twin on the same data. Both compute each output as
    /// the exact sum of m = k*k*cin + 1 terms (bias included) with at most m roundings per term
    /// (portable: product and sum rounded; AVX2: FMA, or lane sums + hadd tree for narrow layers), so
    /// each is within gamma_(m+1) * S of the exact value (Higham, Accuracy and Stability of Numerical
    /// Algorithms, §3.1; gamma_j = j*u/(1-j*u), u = 2^-24, S = sum of |terms|, +1 for PReLU's product),
    /// and the two within 2 gamma_(m+1) * S * (1 + |alpha|) (the factor covers PReLU picking different
    /// branches for a sum near 0). A wrong weight, tap or channel gives errors of order S.
    @Test(.enabled(if: KernelOps.hasAVX2, "needs AVX2+FMA: elsewhere .avx2 runs the portable kernel"))
    func avx2MatchesPortableTwin() throws {
        for shape in Self.twinShapes {
            let c = Case(shape, seed: 7)
            let terms = c.k * c.k * c.cin + 1
            let gamma = Double(terms + 1) * 0x1p-24 / (1 - Double(terms + 1) * 0x1p-24)
            let mag = c.reference(prelu: false).magnitude
            for prelu in [false, true] {
                for threads in [1, 3] {
                    let avx2 = try c.run(prelu: prelu, isa: .avx2, threads: threads)
                    let portable = try c.run(prelu: prelu, isa: .portable, threads: threads)
                    var worst = 0.0
                    for i in avx2.indices {
                        let a = prelu ? 1 + abs(Double(c.alpha[i % c.cout])) : 1
                        worst = max(worst, abs(Double(avx2[i]) - Double(portable[i])) / (2 * gamma * mag[i] * a))
                    }
                    #expect(worst <= 1, "\(shape) prelu \(prelu) threads \(threads): \(worst) x the bound")
                }
            }
        }
        // Not vacuous: the FMA kernel rounds differently, so on this generic layer some outputs
        // differ in the last bits (with identical results both runs would be the same code).
        let g = Case(Self.twinShapes[0], seed: 7)
        #expect(try g.run(prelu: false, isa: .avx2) != g.run(prelu: false, isa: .portable))
    }

    /// The AVX-512 conv kernel against the AVX2 one, bit for bit: both run the same fused
    /// multiply-adds per output channel in the same order (conv_avx512.c), so a CPU with AVX-512 gives
    /// exactly the numbers of one without. Every shape above, and widths that make every grouping of
    /// 16-lane vectors: one, two and three 16-channel blocks, a block of 24 (16 + 8 lanes, the second
    /// masked), a last block of 8, padded last vectors (cout 14, 70, 196), with and without PReLU,
    /// on 1 and 3 threads, at widths that use every tile. (Against the float64 reference: the tests
    /// above, whose `.auto` is this kernel on such a CPU.)
    @Test(.enabled(if: KernelOps.hasAVX512, "needs AVX-512F: elsewhere .avx512 runs the AVX2 kernel"))
    func avx512MatchesAVX2BitForBit() throws {
        var shapes = Self.shapes + Self.twinShapes
        for cout in [8, 14, 16, 24, 32, 40, 48, 56, 64, 70, 72, 96, 196] { shapes.append((3, 45, 7, cout, 3)) }
        shapes.append((2, 37, 131, 64, 1))
        for (i, shape) in shapes.enumerated() {
            let c = Case(shape, seed: UInt64(300 + i))
            for prelu in [false, true] {
                for threads in [1, 3] {
                    let a = try c.run(prelu: prelu, isa: .avx512, threads: threads)
                    let b = try c.run(prelu: prelu, isa: .avx2, threads: threads)
                    #expect(a == b, "\(shape) prelu \(prelu) threads \(threads)")
                }
            }
        }
    }

    /// The twin shapes cover the narrow kernel (which the dispatcher picks only when preferred).
    /// Every packing stores subnormal weights as zero and keeps every normal value, FLT_MIN and signs
    /// included (srk_conv.h: an FMA with a subnormal operand costs Intel cores a microcode assist).
    @Test func packingsStoreSubnormalWeightsAsZero() {
        let tiny = Float.leastNormalMagnitude
        // HWIO 1x1, cin 2, cout 3: [c][o]
        let hwio: [Float] = [1e-40, -1e-39, 1.5, tiny, -2.0, Float.leastNonzeroMagnitude]
        let expected: [[Float]] = [[0, 0, 1.5], [tiny, -2.0, 0]]
        var packed = [Float](repeating: .nan, count: Int(srk_conv_packed_size(1, 2, 3)))
        srk_conv_pack(1, 2, 3, hwio, &packed)
        for c in 0..<2 { for o in 0..<8 {
            #expect(packed[c * 8 + o] == (o < 3 ? expected[c][o] : 0), "generic packing, c \(c) o \(o)")
        } }
        var parts: [Int32] = [2]
        var narrow = [Float](repeating: .nan, count: Int(srk_conv_narrow_size(1, &parts, 1, 3, 0)))
        srk_conv_narrow_pack(1, &parts, 1, 3, 0, hwio, &narrow)
        // [group][tap][part][chunk][o in group 0..<4][8 lanes = input channels]
        for o in 0..<4 { for l in 0..<8 {
            let want: Float = o < 3 && l < 2 ? expected[l][o] : 0
            #expect(narrow[o * 8 + l] == want, "narrow packing, o \(o) lane \(l)")
        } }
        #expect(!packed.contains { $0.isSubnormal } && !narrow.contains { $0.isSubnormal })
    }

    @Test func twinShapesIncludeNarrowLayers() {
        let narrow = Self.twinShapes.filter { s in
            var parts = [Int32(s.2)]
            return srk_conv_narrow_preferred(Int32(s.4), &parts, 1, Int32(s.3)) != 0
        }
        #expect(narrow.count >= 3)
        let tails = Self.twinShapes.filter { s in
            var parts = [Int32(s.2)]
            return srk_conv_narrow_first(Int32(s.4), &parts, 1, Int32(s.3)) > 0
        }
        #expect(tails.count >= 2)
    }

    /// Which layers get a narrow tail: c-DCSCN's 32 -> 26, 22 -> 18 and 14 -> 11 (3x3) split as
    /// 24 + 2, 16 + 2 and 8 + 3; 26 -> 22 and 18 -> 14 (a tail of 6: no), 11 -> 8 (no tail), and a
    /// tail whose input chunks would cost more than the padding saves (1 -> 26: 8 lanes per input
    /// channel) keep the padded vectors; narrow layers are whole (first channel 0).
    @Test func narrowTailChoice() {
        func first(_ k: Int, _ parts: [Int], _ cout: Int) -> Int {
            var p = parts.map { Int32($0) }
            return Int(srk_conv_narrow_first(Int32(k), &p, Int32(p.count), Int32(cout)))
        }
        #expect(first(3, [32], 26) == 24)
        #expect(first(3, [22], 18) == 16)
        #expect(first(3, [14], 11) == 8)
        #expect(first(3, [26], 22) == -1)
        #expect(first(3, [18], 14) == -1)
        #expect(first(3, [11], 8) == -1)
        #expect(first(3, [1], 26) == -1)
        #expect(first(3, [19], 3) == 0)
        #expect(first(1, [32, 26, 22, 18, 14, 11, 8], 8) == 0)
        #expect(srk_conv_narrow_group(26, 24) == 2 && srk_conv_narrow_group(11, 8) == 3 && srk_conv_narrow_group(3, 0) == 4)
    }

    @Test func depthToSpaceDCROrder() throws {
        for (b, c) in [(2, 1), (3, 2), (2, 5)] {
            let h = 3, w = 4, ch = b * b * c
            let input = (0..<(h * w * ch)).map(Float.init)
            let got = try KernelOps.depthToSpace(input, height: h, width: w, channels: ch, block: b)
            for y in 0..<h { for x in 0..<w { for i in 0..<b { for j in 0..<b { for k in 0..<c {
                let o = ((y * b + i) * (w * b) + (x * b + j)) * c + k
                #expect(got[o] == input[(y * w + x) * ch + (i * b + j) * c + k])
            }}}}}
        }
    }
}
