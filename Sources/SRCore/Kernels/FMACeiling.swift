import CKernels
import Dispatch
import SRSupport

/// The FMA ceiling of this CPU, measured: a register-only loop of independent FMA chains
/// (`srk_fma_peak_loop`, 8 lanes, or `srk_fma_peak_loop512`, 16 lanes) on every thread at once. `sr bench` states each kernel figure as a fraction
/// of it, measured in the same run, so figures from different CPUs (Zen 2's 5-cycle FMA, Zen 3's 4)
/// compare honestly (docs/performance.md).
package enum FMACeiling {
    /// Vector width of a loop.
    package enum Width: Int, Sendable {
        /// 8-lane AVX2 FMAs.
        case avx2 = 256
        /// 16-lane AVX-512 FMAs.
        case avx512 = 512
        /// The kernels' widest on this CPU: `.avx512` when the forward conv kernel runs AVX-512
        /// (`SRK_ISA_AUTO` picks it), else `.avx2`.
        package static var kernels: Width { srk_isa_uses_avx512(Int32(SRK_ISA_AUTO)) != 0 ? .avx512 : .avx2 }
        /// Floating-point operations of one loop iteration (lanes x 2 flops x the chains).
        package var flopsPerIteration: Int { (rawValue / 32) * 2 * Int(SRK_FMA_PEAK_CHAINS) }
    }

    /// GFLOP/s of `threads` threads each running the loop of `width` for about `seconds`: the best of
    /// `repeats` rounds (noise only ever lowers a ceiling). `nil` when the CPU lacks that width.
    package static func measure(threads: Int, width: Width = .avx2, seconds: Double = 0.15, repeats: Int = 3) -> Double? {
        guard threads >= 1, srk_cpu_has_avx2_fma() != 0 else { return nil }
        if width == .avx512 && srk_cpu_has_avx512() == 0 { return nil }
        // Calibrate on one thread: iterations for `seconds` of work.
        var probe: UInt64 = 1 << 16
        var elapsed = 0.0
        while true {
            elapsed = time { _ = run(iterations: probe, width: width) }
            if elapsed > 0.01 || probe >= 1 << 34 { break }
            probe *= 4
        }
        let iterations = UInt64(max(1.0, Double(probe) * seconds / max(elapsed, 1e-9)))
        var best = 0.0
        for _ in 0..<max(1, repeats) {
            let wall = time {
                DispatchQueue.concurrentPerform(iterations: threads) { _ in _ = run(iterations: iterations, width: width) }
            }
            let flops = Double(iterations) * Double(width.flopsPerIteration) * Double(threads)
            best = max(best, flops / wall / 1e9)
        }
        return best
    }

    /// Runs the loop once: lane 0 of each chain after `iterations` steps of acc = acc * a + b.
    package static func run(iterations: UInt64, a: Float = 0.999_999, b: Float = 1e-7, width: Width = .avx2) -> [Float]? {
        var out = [Float](repeating: 0, count: Int(SRK_FMA_PEAK_CHAINS))
        let rc = out.withUnsafeMutableBufferPointer {
            width == .avx512 ? srk_fma_peak_loop512(iterations, a, b, $0.baseAddress) : srk_fma_peak_loop(iterations, a, b, $0.baseAddress)
        }
        return rc == SRK_OK ? out : nil
    }

    private static func time(_ body: () -> Void) -> Double {
        let t0 = Clock.monotonic()
        body()
        return Clock.monotonic() - t0
    }
}
