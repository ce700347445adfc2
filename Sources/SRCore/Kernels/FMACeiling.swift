import CKernels
import Dispatch
import SRSupport

/// The FMA ceiling of this CPU, measured: a register-only loop of independent AVX2 FMA chains
/// (`srk_fma_peak_loop`) on every thread at once. `sr bench` states each kernel figure as a fraction
/// of it, measured in the same run, so figures from different CPUs (Zen 2's 5-cycle FMA, Zen 3's 4)
/// compare honestly (docs/performance.md).
package enum FMACeiling {
    /// Floating-point operations of one loop iteration (8 lanes x 2 flops x the chains).
    package static let flopsPerIteration = 16 * Int(SRK_FMA_PEAK_CHAINS)

    /// GFLOP/s of `threads` threads each running the loop for about `seconds`: the best of `repeats`
    /// rounds (noise only ever lowers a ceiling). `nil` when the CPU has no AVX2+FMA.
    package static func measure(threads: Int, seconds: Double = 0.15, repeats: Int = 3) -> Double? {
        guard threads >= 1, srk_cpu_has_avx2_fma() != 0 else { return nil }
        // Calibrate on one thread: iterations for `seconds` of work.
        var probe: UInt64 = 1 << 16
        var elapsed = 0.0
        while true {
            elapsed = time { _ = run(iterations: probe) }
            if elapsed > 0.01 || probe >= 1 << 34 { break }
            probe *= 4
        }
        let iterations = UInt64(max(1.0, Double(probe) * seconds / max(elapsed, 1e-9)))
        var best = 0.0
        for _ in 0..<max(1, repeats) {
            let wall = time {
                DispatchQueue.concurrentPerform(iterations: threads) { _ in _ = run(iterations: iterations) }
            }
            let flops = Double(iterations) * Double(flopsPerIteration) * Double(threads)
            best = max(best, flops / wall / 1e9)
        }
        return best
    }

    /// Runs the loop once: lane 0 of each chain after `iterations` steps of acc = acc * a + b.
    package static func run(iterations: UInt64, a: Float = 0.999_999, b: Float = 1e-7) -> [Float]? {
        var out = [Float](repeating: 0, count: Int(SRK_FMA_PEAK_CHAINS))
        let rc = out.withUnsafeMutableBufferPointer { srk_fma_peak_loop(iterations, a, b, $0.baseAddress) }
        return rc == SRK_OK ? out : nil
    }

    private static func time(_ body: () -> Void) -> Double {
        let t0 = Clock.monotonic()
        body()
        return Clock.monotonic() - t0
    }
}
