import CKernels
import Testing
@testable import SRCore
import SRTestSupport

/// Every AVX2 kernel the trainer uses against its portable twin (`SRK_ISA_PORTABLE`) on random data.
///
/// Tolerances: a kernel output that is a sum of m terms (the products and the starting value) is
/// within gamma_m * S of the exact sum for any summation order, with one rounding per product when
/// it is not fused (Higham, Accuracy and Stability of Numerical Algorithms, §3.1; gamma_j =
/// j*u/(1-j*u), u = 2^-24, S = sum of |terms|). Two such computations differ by at most
/// 2 gamma_(m+1) * S. The activation passes are claimed bit-identical (their AVX2 build has no FMA)
/// and are compared bit for bit.
@Suite(.enabled(if: KernelOps.hasAVX2, "needs AVX2+FMA: elsewhere both ISAs run the portable kernels"))
struct TrainKernelTwinTests {
    static let avx2 = Int32(SRK_ISA_AVX2), portable = Int32(SRK_ISA_PORTABLE)

    static func gamma(_ m: Int) -> Double { Double(m) * 0x1p-24 / (1 - Double(m) * 0x1p-24) }

    static func at(_ v: srt_view, _ i: Int, _ y: Int, _ x: Int, _ c: Int) -> UnsafeMutablePointer<Float> {
        v.base + i * v.ns + y * v.rs + x * v.ps + c
    }

    /// Random values in [-1, 1) with some exact zeros (PReLU's branch point).
    static func fill(_ v: srt_view, n: Int, h: Int, w: Int, c: Int, _ rng: inout SeededGenerator) {
        for i in 0..<n { for y in 0..<h { for x in 0..<w { for j in 0..<c {
            let u = rng.nextUnit()
            at(v, i, y, x, j).pointee = u < 0.05 ? 0 : Float(u * 2 - 1)
        } } } }
    }

    // MARK: convolution on views (the trainer's forward and input-gradient convs)

    /// Two input parts with pixel strides wider than their channels (as the trainer's [gzA1, gzB1]
    /// input gradient) and a strided output view, with and without PReLU, against the portable kernel
    /// (and the AVX-512 kernel against the AVX2 one, where the CPU has it).
    @Test(arguments: [(9, 5, 10, 3), (9, 5, 3, 1), (16, 8, 26, 3), (1, 1, 1, 3), (16, 8, 40, 3), (20, 13, 14, 1), (7, 9, 54, 3)])
    func multiPartConvMatchesPortable(ca: Int, cb: Int, cout: Int, k: Int) throws {
        let h = 6, w = 11, pad = k / 2, cin = ca + cb
        var rng = SeededGenerator(seed: UInt64(ca * 1000 + cb * 100 + cout))
        let a = try PaddedBuffer(n: 1, h: h, w: w, pad: pad, ld: ca + 4), b = try PaddedBuffer(n: 1, h: h, w: w, pad: pad, ld: cb + 3)
        let av = a.view(2), bv = b.view(1)
        Self.fill(av, n: 1, h: h, w: w, c: ca, &rng)
        Self.fill(bv, n: 1, h: h, w: w, c: cb, &rng)
        let hwio = (0..<(k * k * cin * cout)).map { _ in Float(rng.nextUnit() * 2 - 1) }
        let cpad = Int(srk_conv_padded_cout(Int32(cout)))
        let packed = try FloatBuffer(count: Int(srk_conv_packed_size(Int32(k), Int32(cin), Int32(cout))), what: "test buffer")
        srk_conv_pack(Int32(k), Int32(cin), Int32(cout), hwio, packed.base)
        let bias = try FloatBuffer(count: cpad, what: "test buffer"), alpha = try FloatBuffer(count: cpad, what: "test buffer")
        for o in 0..<cout { bias.base[o] = Float(rng.nextUnit() * 2 - 1); alpha.base[o] = Float(rng.nextUnit() * 0.5) }
        // float64 sum of |terms| per output (the halo is zero, so out-of-image taps add nothing)
        func input(_ y: Int, _ x: Int, _ c: Int) -> Double {
            guard y >= 0, y < h, x >= 0, x < w else { return 0 }
            return Double(c < ca ? Self.at(av, 0, y, x, c).pointee : Self.at(bv, 0, y, x, c - ca).pointee)
        }
        var mag = [Double](repeating: 0, count: h * w * cout)
        for y in 0..<h { for x in 0..<w { for o in 0..<cout {
            var m = abs(Double(bias.base[o]))
            for t in 0..<(k * k) { for c in 0..<cin {
                m += abs(input(y + t / k - pad, x + t % k - pad, c) * Double(hwio[(t * cin + c) * cout + o]))
            } }
            mag[(y * w + x) * cout + o] = m
        } } }
        let scratch = try #require(srk_conv_scratch_new())
        defer { srk_conv_scratch_free(scratch) }
        let gamma = Self.gamma(k * k * cin + 2)
        for prelu in [false, true] {
            var layer = srk_conv_layer(k: Int32(k), cin: Int32(cin), cout: Int32(cout), w: UnsafePointer(packed.base),
                                       bias: UnsafePointer(bias.base), alpha: prelu ? UnsafePointer(alpha.base) : nil, dilation: 1)
            var parts = [srk_input(base: UnsafePointer(av.base), rs: av.rs, ps: av.ps, channels: Int32(ca)),
                         srk_input(base: UnsafePointer(bv.base), rs: bv.rs, ps: bv.ps, channels: Int32(cb))]
            func run(_ isa: Int32) throws -> [Float] {
                let ops = cout + 2
                var out = [Float](repeating: .nan, count: h * w * ops)
                let rc = out.withUnsafeMutableBufferPointer {
                    srk_conv_rows(&layer, nil, isa, &parts, 2, $0.baseAddress, w * ops, ops, Int32(w), 0, Int32(h), scratch)
                }
                #expect(rc == SRK_OK)
                #expect((0..<(h * w)).allSatisfy { out[$0 * ops + cout].isNaN }, "wrote beyond cout")
                return (0..<(h * w * cout)).map { out[($0 / cout) * ops + $0 % cout] }
            }
            let x = try run(Self.avx2), p = try run(Self.portable)
            // the AVX-512 conv kernel: the AVX2 one's numbers bit for bit, nothing beyond cout
            if KernelOps.hasAVX512 { #expect(try run(Int32(SRK_ISA_AVX512)) == x, "AVX-512 against AVX2, prelu \(prelu)") }
            var worst = 0.0
            for i in x.indices {
                let s = prelu ? 1 + Double(alpha.base[i % cout]) : 1
                worst = max(worst, abs(Double(x[i]) - Double(p[i])) / (2 * gamma * mag[i] * s))
            }
            #expect(worst <= 1, "prelu \(prelu): \(worst) x the bound")
            #expect(x != p, "not vacuous: FMA rounds differently, so some outputs differ in the last bits")
        }
    }

    // MARK: weight gradient

    /// (And the AVX-512 weight gradient against the AVX2 one bit for bit, where the CPU has it: blocks
    /// of 64 output channels (4, 64), 48 (5, 48), a masked last vector (3, 56), (2, 72), and every
    /// input-channel tile remainder.)
    @Test(arguments: [(1, 8), (3, 26), (5, 20), (32, 32), (9, 14), (7, 11), (2, 40), (131, 24), (4, 64), (5, 48), (3, 56), (2, 72), (23, 16)])
    func weightGradientMatchesPortable(cin: Int, cout: Int) throws {
        let n = 2, h = 6, w = 7, k = cin > 64 ? 1 : 3
        let cpad = Int(srk_conv_padded_cout(Int32(cout)))
        let input = try PaddedBuffer(n: n, h: h, w: w, pad: k / 2, ld: cin + 2), gz = try PaddedBuffer(n: n, h: h, w: w, pad: k / 2, ld: cpad)
        var rng = SeededGenerator(seed: UInt64(cin * 7 + cout))
        let iv = input.view(1), gv = gz.view()
        Self.fill(iv, n: n, h: h, w: w, c: cin, &rng)
        Self.fill(gv, n: n, h: h, w: w, c: cout, &rng)   // channels cout..<cpad stay 0, as the kernel requires
        let start = (0..<(k * k * cin * cpad)).map { _ in Float(rng.nextUnit() * 2 - 1) }  // gw is accumulated into
        func run(_ isa: Int32) throws -> [Float] {
            let gw = try FloatBuffer(count: start.count, what: "test buffer")
            gw.base.update(from: start, count: start.count)
            #expect(srt_conv_dw(iv, Int32(cin), gv, Int32(cpad), Int32(n), Int32(h), Int32(w), Int32(k), gw.base, isa) == SRK_OK)
            return gw.array
        }
        let x = try run(Self.avx2), p = try run(Self.portable)
        if KernelOps.hasAVX512 { #expect(try run(Int32(SRK_ISA_AVX512)) == x, "AVX-512 weight gradient against AVX2") }
        let gamma = Self.gamma(n * h * w + 2)
        var worst = 0.0
        let r = k / 2
        for t in 0..<(k * k) { for c in 0..<cin { for o in 0..<cpad {
            let idx = (t * cin + c) * cpad + o
            var mag = abs(Double(start[idx]))
            for i in 0..<n { for y in 0..<h { for xx in 0..<w {
                let yy = y + t / k - r, xi = xx + t % k - r
                guard yy >= 0, yy < h, xi >= 0, xi < w else { continue }
                mag += abs(Double(Self.at(iv, i, yy, xi, c).pointee) * Double(Self.at(gv, i, y, xx, o).pointee))
            } } }
            worst = max(worst, abs(Double(x[idx]) - Double(p[idx])) / (2 * gamma * mag))
        } } }
        #expect(worst <= 1, "cin \(cin) cout \(cout): \(worst) x the bound")
        #expect(x != p, "not vacuous: FMA rounds differently, so some entries differ in the last bits")
    }

    // MARK: activation passes (bit-identical)

    @Test(arguments: [1, 3, 8, 13, 64, Int(SRT_MAX_CHANNELS)])
    func activationPassesAreBitIdentical(c: Int) throws {
        let n = 2, h = 3, w = 5, count = n * h * w * c
        var rng = SeededGenerator(seed: UInt64(c))
        let z = (0..<count).map { i -> Float in i % 17 == 0 ? (i % 2 == 0 ? 0 : -0.0) : Float(rng.nextUnit() * 4 - 2) }
        let alpha = (0..<c).map { _ in Float(rng.nextUnit() * 0.5) }
        let mask = (0..<count).map { _ in rng.nextUnit() < 0.3 ? Float(0) : Float(1 / 0.7) }
        let gradIn = try PaddedBuffer(n: n, h: h, w: w, pad: 1, ld: c + 3)
        Self.fill(gradIn.view(1), n: n, h: h, w: w, c: c, &rng)
        func bits(_ b: PaddedBuffer) -> [UInt32] { b.buffer.array.map(\.bitPattern) }
        for useAlpha in [false, true] {
            for useMask in [false, true] {
                let ap = useAlpha ? alpha : nil, mp = useMask ? mask : nil
                // forward
                var fwd: [[UInt32]] = []
                for isa in [Self.avx2, Self.portable] {
                    let out = try PaddedBuffer(n: n, h: h, w: w, pad: 1, ld: c + 2)
                    #expect(srt_act_fwd(z, Int32(c), ap, mp, out.view(1), Int32(n), Int32(h), Int32(w), isa) == SRK_OK)
                    fwd.append(bits(out))
                }
                #expect(fwd[0] == fwd[1], "act_fwd c \(c) alpha \(useAlpha) mask \(useMask)")
                // backward, out of place and in place (gz aliasing gout, as the trainer's upsampler layers)
                for inPlace in [false, true] {
                    var bwd: [([UInt32], [Double], [Double])] = []
                    for isa in [Self.avx2, Self.portable] {
                        let gout = try PaddedBuffer(n: n, h: h, w: w, pad: 1, ld: c + 3)
                        gout.buffer.base.update(from: gradIn.buffer.base, count: gradIn.buffer.count)
                        let gz = inPlace ? gout : try PaddedBuffer(n: n, h: h, w: w, pad: 1, ld: c + 1)
                        var ga = [Double](repeating: 0.25, count: c), gb = [Double](repeating: -0.5, count: c)
                        let gzView = inPlace ? gout.view(1) : gz.view()
                        let rc = ga.withUnsafeMutableBufferPointer { g1 in
                            gb.withUnsafeMutableBufferPointer { g2 in
                                srt_act_bwd(z, Int32(c), gout.view(1), ap, mp, gzView, Int32(n), Int32(h), Int32(w),
                                            g1.baseAddress, g2.baseAddress, isa)
                            }
                        }
                        #expect(rc == SRK_OK)
                        bwd.append((bits(gz), ga, gb))
                    }
                    #expect(bwd[0].0 == bwd[1].0, "act_bwd gz c \(c) alpha \(useAlpha) mask \(useMask) in place \(inPlace)")
                    #expect(bwd[0].1.map(\.bitPattern) == bwd[1].1.map(\.bitPattern), "act_bwd galpha c \(c)")
                    #expect(bwd[0].2.map(\.bitPattern) == bwd[1].2.map(\.bitPattern), "act_bwd gbias c \(c)")
                }
            }
        }
    }

    // MARK: one whole training step

    /// `TrainingGraph.isa` reaches every kernel of a step: forward, loss and gradients with the
    /// portable kernels against the AVX2 ones. The per-kernel differences above (a few units of
    /// gamma_m relative to the term magnitudes) compound over the ~10 layers of forward plus backward;
    /// 1e-4 relative to the largest value leaves ~500x margin over the ~2e-7 measured here, while
    /// a kernel running on wrong data would give differences of order 1.
    @Test(arguments: [2, 3])
    func trainingStepMatchesPortable(scale: Int) throws {
        var results: [(out: [Float], loss: Double, grads: [Float])] = []
        for isa in [Self.avx2, Self.portable] {
            let c = try TrainGraphTests.makeCase(scale: scale, keep: 0.8)
            let g = c.graph
            g.isa = isa
            var grads = [Float](repeating: 0, count: c.params.count)
            var loss = 0.0
            try c.params.withUnsafeBufferPointer { p in
                try g.forward(p.baseAddress!, dropoutSeed: 5)
                loss = g.loss(l1: false, normaliser: g.n * g.hrH * g.hrW)
                try grads.withUnsafeMutableBufferPointer { try g.backward(p.baseAddress!, grads: $0.baseAddress!) }
            }
            results.append((g.out.array, loss, grads))
        }
        func relDiff(_ a: [Float], _ b: [Float]) -> Double {
            let scale = Double(a.map { abs($0) }.max() ?? 1)
            return Double(zip(a, b).map { abs($0 - $1) }.max() ?? 0) / max(scale, 1e-30)
        }
        let (x, p) = (results[0], results[1])
        #expect(relDiff(x.out, p.out) <= 1e-4)
        #expect(abs(x.loss - p.loss) <= 1e-4 * abs(p.loss))
        #expect(relDiff(x.grads, p.grads) <= 1e-4)
    }
}
