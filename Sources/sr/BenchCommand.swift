import ArgumentParser
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
            at 256x256 and 512x512 LR inputs. GFLOP/s = 2 x multiply-adds / median time. \
            Use a release build: debug builds say nothing about speed.

            Example: sr bench --size 512 --threads 2 --json
            """)

    @Option(help: "Weights file (srcore HDF5) to time instead of the built-in models.")
    var model: String?

    @Option(help: "Time only this built-in model: c-DCSCN or L12.")
    var builtin: String?

    @Option(help: "LR input size N (an N x N image); default 256 and 512.")
    var size: Int?

    @Option(help: "Worker threads.")
    var threads: Int = 2

    @Option(help: "Timed runs per case (after one warm-up); default 5, or 3 when a run takes over 2 s.")
    var runs: Int?

    @Flag(help: "Print a JSON array of {model, lr_size, scale, threads, median_s, gflops}.")
    var json = false

    @Flag(help: "Benchmark training steps instead (provided by the trainer, when built in).")
    var train = false

    @Option(help: ArgumentHelp("Write lr.f32, bicubic.f32 and out.f32 of the first case to this folder (peer checks).",
                               visibility: .hidden))
    var dump: String?

    @Option(help: ArgumentHelp("Also save each model's weights to FILE (one model only; for peer scripts).",
                               visibility: .hidden))
    var saveWeights: String?

    func validate() throws {
        if let s = size, s < 1 || s > 8192 { throw ValidationError("--size must be in 1...8192, got \(s)") }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be in 1...256, got \(threads)") }
        if let r = runs, r < 1 { throw ValidationError("--runs must be positive") }
        if let b = builtin, !["c-DCSCN", "L12"].contains(b) { throw ValidationError("--builtin must be c-DCSCN or L12, got \(b)") }
    }

    /// He-initialised weights (the reference's initialisation) with the final R-CNN1 kernel scaled
    /// by 1/20, so the residual has roughly a trained model's magnitude (tens, not hundreds) and
    /// output comparisons with peers are at a realistic scale. Timing does not depend on the values.
    static func randomModel(_ config: DCSCNConfig) throws -> DCSCNParameters {
        let p = try DCSCNParameters.heInitialized(config: config, seed: 1)
        return try p.replacingLayer(p.layers.count - 1) { $0.kernel = $0.kernel.map { $0 / 20 } }
    }

    func run() throws {
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
            if builtin != "L12" { models.append(("c-DCSCN", try Self.randomModel(.compact(scale: 2)))) }
            if builtin != "c-DCSCN" { models.append(("L12-F196to48", try Self.randomModel(.standard(scale: 2)))) }
        }
        if let out = saveWeights {
            guard models.count == 1 else { throw ValidationError("--save-weights needs exactly one model (--model or --builtin)") }
            try WeightsFile.write(models[0].params, to: out)
        }
        let sizes = size.map { [$0] } ?? [256, 512]
        var results: [BenchResult] = []
        for (name, params) in models {
            let net = try DCSCN(parameters: params)
            for n in sizes {
                let r = try BenchResult.measure(name: name, network: net, size: n, threads: threads, runs: runs,
                                                dump: results.isEmpty ? dump : nil)
                results.append(r)
                if !json { print(r.line); fflush(stdout) }
            }
        }
        if json { print("[" + results.map(\.json).joined(separator: ",\n ") + "]") }
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

    var json: String {
        "{\"model\": \"\(model)\", \"lr_size\": \(size), \"scale\": \(scale), \"threads\": \(threads), \"median_s\": \(fmt(median, 6)), \"gflops\": \(fmt(gflops, 3))}"
    }

    static func measure(name: String, network: DCSCN, size: Int, threads: Int, runs: Int?, dump: String?) throws -> BenchResult {
        let s = network.config.scale
        var g = SeededGenerator(seed: 42)
        let lr = Image(width: size, height: size, pixels: (0..<(size * size)).map { _ in Float(g.nextUnit() * 255) })
        let bic = Image(width: size * s, height: size * s, pixels: (0..<(size * size * s * s)).map { _ in Float(g.nextUnit() * 255) })
        var t0 = now()
        let first = try network.forward(lr: lr, bicubic: bic, threads: threads)
        let warm = now() - t0
        if let dir = dump {
            try writeF32(lr.pixels, "\(dir)/lr.f32")
            try writeF32(bic.pixels, "\(dir)/bicubic.f32")
            try writeF32(first.pixels, "\(dir)/out.f32")
        }
        let n = runs ?? (warm > 2 ? 3 : 5)
        var times: [Double] = [], cpu: [Double] = []
        for _ in 0..<n {
            t0 = now()
            let c0 = now(CLOCK_PROCESS_CPUTIME_ID)
            _ = try network.forward(lr: lr, bicubic: bic, threads: threads)
            times.append(now() - t0)
            cpu.append(now(CLOCK_PROCESS_CPUTIME_ID) - c0)
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

    static func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func writeF32(_ values: [Float], _ path: String) throws {
        let tmp = path + ".tmp"
        guard let f = fopen(tmp, "wb") else { throw SRError(.io, "\(tmp): cannot open for writing") }
        let ok = values.withUnsafeBufferPointer { fwrite($0.baseAddress, 4, $0.count, f) } == values.count
        fclose(f)
        guard ok, rename(tmp, path) == 0 else { throw SRError(.io, "\(path): write failed") }
    }
}

private func fmt(_ v: Double, _ digits: Int) -> String {
    var buf = [CChar](repeating: 0, count: 64)
    _ = withVaList([v]) { vsnprintf(&buf, 64, "%.\(digits)f", $0) }
    return String(cString: buf)
}
