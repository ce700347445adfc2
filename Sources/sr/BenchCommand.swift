import ArgumentParser
import SRCLI
import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// `sr bench`: times the DCSCN forward pass (release builds only say anything about speed).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the forward pass and report the median and GFLOP/s.",
        discussion: """
            Without --model, times c-DCSCN and the default L12 F196->48 model (random weights, x2) \
            at 256x256 and 512x512 LR inputs. GFLOP/s = 2 x multiply-adds / median time, \
            also stated as a fraction of the CPU's FMA ceiling (a register-only FMA loop of the kernels' \
            widest vectors, AVX-512 where the conv kernel uses it, else AVX2, on the same threads, \
            measured in the same run; the CPU model and family are printed first). \
            Use a release build: debug builds say nothing about speed.

            Example: sr bench --size 512 --threads 2 --json
            """)

    @Option(help: "Weights file (srcore HDF5) to time instead of the built-in models.")
    var model: String?

    @Option(help: "Time only this built-in model.")
    var builtin: BuiltinModel?

    @Option(parsing: .unconditional, help: "LR input size N, 1...8192 (an N x N image); default 256 and 512.")
    var size: Int?

    @Option(parsing: .unconditional, help: "Worker threads, 1...256.")
    var threads: Int = 2

    @Option(parsing: .unconditional, help: "Timed runs per case, 1...1000 (after one warm-up); default 5, or 3 when a run takes over 2 s.")
    var runs: Int?

    @Flag(help: "Print a JSON array of {model, lr_size, scale, threads, median_s, gflops, cpu, cpu_family, cpu_model, kernels, fma_ceiling_gflops, ceiling_fraction, fma_ceiling_avx2_gflops}.")
    var json = false

    @Flag(help: "Skip the FMA-ceiling loop (its length follows the wall clock: leave it out when counting instructions with callgrind).")
    var noCeiling = false

    @Flag(help: "Benchmark training steps instead (provided by the trainer, when built in).")
    var train = false

    @Option(help: ArgumentHelp("Write lr.f32, bicubic.f32 and out.f32 of the first case to this folder (peer checks).",
                               visibility: .hidden))
    var dump: String?

    @Option(help: ArgumentHelp("Also save each model's weights to FILE (one model only; for peer scripts).",
                               visibility: .hidden))
    var saveWeights: String?

    func validate() throws {
        try OptionCheck.require("--size", size, in: 1...8192)
        try OptionCheck.require("--threads", threads, in: 1...256)
        try OptionCheck.require("--runs", runs, in: 1...1000)
        if model != nil && builtin != nil { throw ValidationError("--model and --builtin exclude each other") }
    }

    /// He-initialised weights (the reference's initialisation) with the final R-CNN1 kernel scaled
    /// by 1/20, so the residual has roughly a trained model's magnitude (tens, not hundreds) and
    /// output comparisons with peers are at a realistic scale. Timing does not depend on the values.
    static func randomModel(_ config: DCSCNConfig) throws -> DCSCNParameters {
        let p = try DCSCNParameters.heInitialized(config: config, seed: 1)
        return try p.replacingLayer(p.layers.count - 1) { $0.kernel = $0.kernel.map { $0 / 20 } }
    }

    func run() throws {
        // Nothing worth keeping is half-written: Ctrl-C exits 130 at once (removing --dump's temporaries).
        Interrupt.install(.immediate, tool: "sr")
        if let dir = dump { for f in ["lr", "bicubic", "out"] { Interrupt.removeOnSignal(AtomicFile.temporaryPath(for: "\(dir)/\(f).f32", unique: false)) } }
        if train {
            try runTrainBench()
            return
        }
        var models: [(name: String, params: DCSCNParameters)] = []
        if let path = model {
            let p = try WeightsFile.read(path: path)
            let base = path.split(separator: "/").last.map(String.init) ?? path
            models.append((base, p))
        } else {
            if builtin != .l12 { models.append(("c-DCSCN", try Self.randomModel(.compact(scale: 2)))) }
            if builtin != .compact { models.append(("L12-F196to48", try Self.randomModel(.standard(scale: 2)))) }
        }
        if let out = saveWeights {
            guard models.count == 1 else { throw ValidationError("--save-weights needs exactly one model (--model or --builtin)") }
            try WeightsFile.write(models[0].params, to: out)
        }
        let sizes = size.map { [$0] } ?? [256, 512]
        let ceiling = noCeiling ? BenchCeiling.skipped(threads: threads) : BenchCeiling.measure(threads: threads)
        if !json { ceiling.lines.forEach { print($0) }; Console.flushOutput() }
        var results: [BenchResult] = []
        for (name, params) in models {
            let net = try DCSCN(parameters: params)
            for n in sizes {
                let r = try BenchResult.measure(name: name, network: net, size: n, threads: threads, runs: runs,
                                                dump: results.isEmpty ? dump : nil)
                results.append(r)
                if !json { print(r.line + ceiling.fraction(r.gflops)); Console.flushOutput() }
            }
        }
        if json { print("[" + results.map { $0.json(ceiling) }.joined(separator: ",\n ") + "]") }
    }
}


/// One timed case.
struct BenchResult {
    var model: String
    var size: Int
    var scale: Int
    var threads: Int
    var median: Double
    var gflops: Double
    /// Median process CPU time per run (all threads): on a busy machine, wall time / CPU time shows contention.
    var cpuMedian: Double

    var line: String {
        "\(model) x\(scale) \(size)x\(size) threads \(threads): median \(fmt(median, 4)) s, \(fmt(gflops, 1)) GFLOP/s (cpu \(fmt(cpuMedian, 4)) s/run)"
    }

    func json(_ ceiling: BenchCeiling) -> String {
        "{\"model\": \"\(model)\", \"lr_size\": \(size), \"scale\": \(scale), \"threads\": \(threads), \"median_s\": \(fmt(median, 6)), \"gflops\": \(fmt(gflops, 3)), \(ceiling.jsonMembers(gflops))}"
    }

    static func measure(name: String, network: DCSCN, size: Int, threads: Int, runs: Int?, dump: String?) throws -> BenchResult {
        let s = network.config.scale
        var g = SeededGenerator(seed: 42)
        let lr = Image(width: size, height: size, pixels: (0..<(size * size)).map { _ in Float(g.nextUnit() * 255) })
        let bic = Image(width: size * s, height: size * s, pixels: (0..<(size * size * s * s)).map { _ in Float(g.nextUnit() * 255) })
        var t0 = Clock.monotonic()
        let first = try network.forward(lr: lr, bicubic: bic, threads: threads)
        let warm = Clock.monotonic() - t0
        if let dir = dump {
            try writeF32(lr.pixels, "\(dir)/lr.f32")
            try writeF32(bic.pixels, "\(dir)/bicubic.f32")
            try writeF32(first.pixels, "\(dir)/out.f32")
        }
        let n = runs ?? (warm > 2 ? 3 : 5)
        var times: [Double] = [], cpu: [Double] = []
        for _ in 0..<n {
            t0 = Clock.monotonic()
            let c0 = Clock.processCPU()
            _ = try network.forward(lr: lr, bicubic: bic, threads: threads)
            times.append(Clock.monotonic() - t0)
            cpu.append(Clock.processCPU() - c0)
        }
        let median = Self.median(times)
        let flops = 2.0 * Double(network.config.macsPerLRPixel) * Double(size * size)
        return BenchResult(model: name, size: size, scale: s, threads: threads, median: median,
                           gflops: flops / median / 1e9, cpuMedian: Self.median(cpu))
    }

    static func median(_ v: [Double]) -> Double {
        let t = v.sorted()
        return t.count % 2 == 1 ? t[t.count / 2] : (t[t.count / 2 - 1] + t[t.count / 2]) / 2
    }

    /// Raw little-endian float32 samples, written atomically (the peer scripts read them).
    static func writeF32(_ values: [Float], _ path: String) throws {
        let file = try AtomicFile(path: path, unique: false)   // its temp name is registered for Ctrl-C
        try values.withUnsafeBytes { try file.write(bytes: $0) }
        try file.commit()
    }
}

private func fmt(_ v: Double, _ digits: Int) -> String { DecimalFormat.fixed(v, digits) }
