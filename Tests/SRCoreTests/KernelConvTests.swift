import Testing
@testable import SRCore
@testable import SRSupport
@testable import SRImage
@testable import SRKernels
@testable import SRFormats
@testable import SRModel
@testable import SRData
@testable import SREval
@testable import SRTrain
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
            for isa in [KernelOps.ISA.auto, .portable] {
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

    @Test func avx2AndPortableAgreeAndThreadsAreBitIdentical() throws {
        for shape in [(9, 23, 19, 37, 3), (7, 19, 21, 6, 3), (7, 19, 21, 3, 3), (6, 13, 40, 7, 1)] {
        let c = Case(shape, seed: 7)
        let one = try c.run(prelu: true, isa: .auto, threads: 1)
        for t in [2, 3, 5, 16] { #expect(try c.run(prelu: true, isa: .auto, threads: t) == one, "threads \(t)") }
        let portable = try c.run(prelu: true, isa: .portable, threads: 1)
        #expect(try c.run(prelu: true, isa: .portable, threads: 3) == portable)
        var d: Float = 0
        for i in one.indices { d = max(d, abs(one[i] - portable[i]) / (1 + abs(one[i]))) }
        #expect(d <= 1e-4)
        if !KernelOps.hasAVX2 { #expect(one == portable) }
        }
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
