import SRCore

/// The yardstick printed beside every `sr bench` figure: which CPU ran it and its FMA ceiling
/// (a register-only AVX2 FMA loop on the same number of threads, measured in the same run).
struct BenchCeiling {
    var cpu: CPUInfo
    /// GFLOP/s, nil on CPUs without AVX2+FMA.
    var gflops: Double?
    var threads: Int

    static func measure(threads: Int) -> BenchCeiling {
        BenchCeiling(cpu: .current(), gflops: FMACeiling.measure(threads: threads), threads: threads)
    }

    /// No ceiling (`--no-ceiling`): the CPU is still named.
    static func skipped(threads: Int) -> BenchCeiling {
        BenchCeiling(cpu: .current(), gflops: nil, threads: threads)
    }

    /// Header lines for the human-readable output.
    var lines: [String] {
        guard let g = gflops else {
            return ["cpu: \(cpu.description)", "FMA ceiling: not measured (--no-ceiling, or the CPU has no AVX2+FMA)"]
        }
        return ["cpu: \(cpu.description)",
                "FMA ceiling: \(DecimalFormat.fixed(g, 1)) GFLOP/s (register-only AVX2 FMA loop, \(threads) thread\(threads == 1 ? "" : "s"), best of 3)"]
    }

    /// ", 71% of the FMA ceiling" for a figure in GFLOP/s (empty without a ceiling).
    func fraction(_ figure: Double) -> String {
        guard let g = gflops, g > 0 else { return "" }
        return ", \(DecimalFormat.fixed(100 * figure / g, 0))% of the FMA ceiling"
    }

    /// JSON members shared by every row: `"cpu": ..., "cpu_family": ..., "fma_ceiling_gflops": ...`.
    func jsonMembers(_ figure: Double) -> String {
        var s = "\"cpu\": \(JSONText.string(cpu.modelName)), \"cpu_family\": \(cpu.family.map(String.init) ?? "null"), "
            + "\"cpu_model\": \(cpu.model.map(String.init) ?? "null"), "
        if let g = gflops {
            s += "\"fma_ceiling_gflops\": \(DecimalFormat.fixed(g, 3)), \"ceiling_fraction\": \(DecimalFormat.fixed(figure / g, 4))"
        } else {
            s += "\"fma_ceiling_gflops\": null, \"ceiling_fraction\": null"
        }
        return s
    }
}
