import SRCore

/// The yardstick printed beside every `sr bench` figure: which CPU ran it and its FMA ceiling
/// (a register-only FMA loop of the kernels' widest vectors, AVX-512 where the conv kernel uses it,
/// else AVX2, on the same number of threads, measured in the same run). Where the kernels run
/// AVX-512 the AVX2 loop is measured too and printed beside it.
struct BenchCeiling {
    var cpu: CPUInfo
    /// GFLOP/s of the kernels' width, nil on CPUs without AVX2+FMA (or with --no-ceiling).
    var gflops: Double?
    /// Vector width of `gflops`.
    var width: FMACeiling.Width
    /// The AVX2 loop's GFLOP/s when `width` is AVX-512 (else nil: `gflops` is that loop).
    var avx2Gflops: Double?
    var threads: Int

    static func measure(threads: Int) -> BenchCeiling {
        let width = FMACeiling.Width.kernels
        let g = FMACeiling.measure(threads: threads, width: width)
        return BenchCeiling(cpu: .current(), gflops: g, width: width,
                            avx2Gflops: width == .avx512 ? FMACeiling.measure(threads: threads, width: .avx2) : nil,
                            threads: threads)
    }

    /// No ceiling (`--no-ceiling`): the CPU is still named.
    static func skipped(threads: Int) -> BenchCeiling {
        BenchCeiling(cpu: .current(), gflops: nil, width: .kernels, avx2Gflops: nil, threads: threads)
    }

    private var widthName: String { width == .avx512 ? "AVX-512" : "AVX2" }

    /// Header lines for the human-readable output.
    var lines: [String] {
        let kernels = "kernels: \(widthName)\(width == .avx512 ? " conv (SRCORE_KERNELS=avx2 for AVX2 only)" : "")"
        guard let g = gflops else {
            return ["cpu: \(cpu.description)", kernels, "FMA ceiling: not measured (--no-ceiling, or the CPU has no AVX2+FMA)"]
        }
        var ceiling = "FMA ceiling: \(DecimalFormat.fixed(g, 1)) GFLOP/s (register-only \(widthName) FMA loop, \(threads) thread\(threads == 1 ? "" : "s"), best of 3"
        if let a = avx2Gflops { ceiling += "; the AVX2 loop: \(DecimalFormat.fixed(a, 1)) GFLOP/s" }
        return ["cpu: \(cpu.description)", kernels, ceiling + ")"]
    }

    /// ", 71% of the FMA ceiling" for a figure in GFLOP/s (empty without a ceiling).
    func fraction(_ figure: Double) -> String {
        guard let g = gflops, g > 0 else { return "" }
        return ", \(DecimalFormat.fixed(100 * figure / g, 0))% of the FMA ceiling"
    }

    /// JSON members shared by every row: `"cpu": ..., "cpu_family": ..., "fma_ceiling_gflops": ...`.
    func jsonMembers(_ figure: Double) -> String {
        var s = "\"cpu\": \(JSONText.string(cpu.modelName)), \"cpu_family\": \(cpu.family.map(String.init) ?? "null"), "
            + "\"cpu_model\": \(cpu.model.map(String.init) ?? "null"), \"kernels\": \"\(width == .avx512 ? "avx512" : "avx2")\", "
        if let g = gflops {
            s += "\"fma_ceiling_gflops\": \(DecimalFormat.fixed(g, 3)), \"ceiling_fraction\": \(DecimalFormat.fixed(figure / g, 4))"
        } else {
            s += "\"fma_ceiling_gflops\": null, \"ceiling_fraction\": null"
        }
        let avx2 = width == .avx2 ? gflops : avx2Gflops
        s += ", \"fma_ceiling_avx2_gflops\": \(avx2.map { DecimalFormat.fixed($0, 3) } ?? "null")"
        return s
    }
}
