import ArgumentParser
import SRCore
import SRCLI
#if canImport(Glibc)
import Glibc
#endif

/// `sr bench --train`: training throughput (patches/s) of full optimisation steps (forward, loss,
/// backward, L2, clip, Adam) on synthetic minibatches, as the PyTorch peer (bench/torch_train_peer.py)
/// measures it. Cases: c-DCSCN x2 at batch 20 of 24x24 and batch 32 of 32x32 LR patches, and the
/// L12 F196->48 model at batch 20 of 24x24 (`--builtin` picks one model, `--size` one patch size).
extension BenchCommand {
    func runTrainBench() throws {
        var models: [(String, DCSCNConfig)] = []
        if let path = model {
            models.append((path.split(separator: "/").last.map(String.init) ?? path, try WeightsFile.read(path: path).config))
        } else {
            if builtin != .l12 { models.append(("c-DCSCN", .compact(scale: 2))) }
            if builtin != .compact { models.append(("L12-F196to48", .standard(scale: 2))) }
        }
        var rows: [String] = []
        let ceiling = noCeiling ? BenchCeiling.skipped(threads: threads) : BenchCeiling.measure(threads: threads)
        if !json { (ceiling.lines + [WeightGradientGEMM.summary]).forEach { print($0) }; Console.flushOutput() }
        for (name, config) in models {
            // --size N picks one case: batch 32 for 32x32 patches (the second case), else batch 20.
            let cases: [(batch: Int, side: Int)] = size.map { [($0 == 32 ? 32 : 20, $0)] } ?? (name == "L12-F196to48" ? [(20, 24)] : [(20, 24), (32, 32)])
            for c in cases {
                let micro = Int(getenv("SR_TRAIN_MICRO_BATCH").map { String(cString: $0) } ?? "") ?? TrainOptions().microBatch
                let r = try Self.measureTraining(config: config, batch: c.batch, side: c.side, threads: threads,
                                                 runs: runs ?? (name == "L12-F196to48" ? 3 : 5), microBatch: micro)
                // A training step does about 3x the forward pass's multiply-adds (forward, input and weight gradients).
                let gflops = r.rate * Double(config.macsPerLRPixel * c.side * c.side) * 3 * 2 / 1e9
                let line = "\(name) x\(config.scale) train batch \(c.batch) of \(c.side)x\(c.side): \(fmt1(r.rate)) patches/s (median of \(r.runs) runs of \(r.steps) steps; \(fmt1(r.cpuRate)) patches per CPU-second, threads \(threads)), ~\(fmt1(gflops)) GFLOP/s\(ceiling.fraction(gflops))"
                if json {
                    rows.append("{\"model\": \"\(name)\", \"scale\": \(config.scale), \"batch\": \(c.batch), \"lr_patch\": \(c.side), \"threads\": \(threads), \"patches_per_s\": \(r.rate), \"patches_per_cpu_s\": \(r.cpuRate), \"approx_gflops\": \(gflops), \"openblas_core\": \"\(WeightGradientGEMM.coreName)\", \"weight_gradient_gemm\": \(WeightGradientGEMM.enabled), \(ceiling.jsonMembers(gflops))}")
                } else {
                    print(line); Console.flushOutput()
                }
            }
        }
        if json { print("[" + rows.joined(separator: ",\n ") + "]") }
    }

    /// Median patches/s over `runs` timed runs (after one warm-up run).
    static func measureTraining(config: DCSCNConfig, batch: Int, side: Int, threads: Int, runs: Int, microBatch: Int = 1) throws
        -> (rate: Double, cpuRate: Double, runs: Int, steps: Int) {
        var o = TrainOptions()
        o.batch = batch; o.threads = threads; o.seed = 1; o.microBatch = microBatch
        o.schedule = .constant(1e-4)
        let trainer = try Trainer(parameters: try DCSCNParameters.heInitialized(config: config, seed: 1), options: o, lrSide: side)
        let b = try TrainBatch.synthetic(count: batch, lrSide: side, scale: config.scale, seed: 1)
        // Steps per run: about half a second of work on c-DCSCN, at least 2.
        let macs = Double(config.macsPerLRPixel * batch * side * side) * 3
        let steps = max(2, min(20, Int(4e9 / macs)))
        func run() throws { for _ in 0..<steps { _ = try trainer.train(b, stepsPerEpoch: 1000) } }
        try run()
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<runs {
            let c0 = Clock.processCPU(), t0 = Clock.monotonic()
            try run()
            wall.append(Clock.monotonic() - t0); cpu.append(Clock.processCPU() - c0)
        }
        let patches = Double(steps * batch)
        return (patches / wall.sorted()[wall.count / 2], patches / cpu.sorted()[cpu.count / 2], runs, steps)
    }
}

private func fmt1(_ x: Double) -> String { DecimalFormat.fixed(x, 1) }
