import SRSupport

/// How the trainer splits a batch into graph chunks, and the batch-norm step around the shards
/// (`--batch-norm`, BatchNormLayers.swift, docs/techniques.md "Knobs").
extension Trainer {
    /// The patches of each thread's consecutive chunks: `threads` contiguous shards, each cut into
    /// chunks of `microBatch` patches (0 = the whole shard). With `fixedGroups` (batch norm) the
    /// chunks are fixed groups of `microBatch` patches (0 = the whole batch) counted from the batch's
    /// first patch and the threads take whole groups, so every group — the batch-norm statistics of
    /// one graph — is the same whatever the thread count.
    package static func chunkPlan(patches local: Int, threads: Int, microBatch: Int, fixedGroups: Bool) -> [[Range<Int>]] {
        var plan: [[Range<Int>]] = []
        if fixedGroups {
            let g = microBatch > 0 ? min(microBatch, local) : local
            let groups = (local + g - 1) / g
            let t = min(threads, groups)
            var k = 0
            for i in 0..<t {
                let mine = groups / t + (i < groups % t ? 1 : 0)
                plan.append((k..<(k + mine)).map { ($0 * g)..<min(($0 + 1) * g, local) })
                k += mine
            }
            return plan
        }
        let t = min(threads, local)
        var first = 0
        for i in 0..<t {
            let n = local / t + (i < local % t ? 1 : 0)
            let m = microBatch > 0 ? min(microBatch, n) : n
            var list: [Range<Int>] = []
            var done = 0
            while done < n { let c = min(m, n - done); list.append((first + done)..<(first + done + c)); done += c }
            plan.append(list)
            first += n
        }
        return plan
    }

    /// Refuses the options batch norm does not support (it has its own Adam; the statistics are not
    /// averaged over MPI ranks). A weight average may be kept but not exported (`exportedParameters`).
    static func checkBatchNorm(options: TrainOptions, topology: (any TrainingTopology)?) throws {
        guard options.optimizer == .adam else {
            throw SRError(.invalidArgument, "batch norm trains with Adam only, not \(options.optimizer)")
        }
        if let t = topology, t.size > 1 {
            throw SRError(.unsupported, "batch norm is not supported under mpirun (\(t.size) ranks): its batch statistics are not averaged over the ranks; train it in one process")
        }
    }

    /// The weights the inference engine runs: batch norm folded into the convs, else `weights`.
    var inferenceWeights: [Float] { batchNorm.map { $0.folded(weights, layout: layout) } ?? weights }

    /// Switches every graph's batch norm on with the current γ/β (training) or off (folded weights).
    func setBatchNorm(training: Bool) {
        guard let bn = batchNorm else { return }
        for list in shards {
            for (_, g) in list { g.batchNorm?.active = training; if training { g.batchNorm?.affine = bn.affine } }
        }
    }

    /// After a training pass: γ/β's gradient summed over the graphs in patch order, and one update
    /// of the running statistics with the patch-weighted mean of the graphs' batch statistics.
    func collectBatchNorm() -> [Float] {
        let c = batchNorm!.channels
        var grad = [Float](repeating: 0, count: 2 * c)
        var mean = [Double](repeating: 0, count: c), variance = mean
        let total = Double(rows.count)
        for list in shards {
            for (_, g) in list {
                guard let gb = g.batchNorm else { continue }
                for j in 0..<(2 * c) { grad[j] += gb.affineGradient[j] }
                let f = Double(g.n) / total
                for j in 0..<c { mean[j] += f * gb.mean[j]; variance[j] += f * gb.variance[j] }
            }
        }
        batchNorm!.observe(mean: mean, variance: variance)
        return grad
    }
}
