import SRSupport

/// Data-parallel training (docs/scale-out.md): each rank of a `TrainingTopology` takes a contiguous
/// share of every global batch; the gradients and the loss are summed over the ranks before
/// clipping and the optimiser step, so every rank makes the same update and the run equals a
/// single process whose threads cover the same shares (same global batch, same schedule).
extension Trainer {
    /// Rows of a global batch of `batch` patches that `topology`'s rank trains on.
    public static func share(batch: Int, topology: (any TrainingTopology)?) throws -> Range<Int> {
        guard let t = topology, t.size > 1 else { return 0..<batch }
        guard t.size <= batch, batch % t.size == 0 else {
            throw SRError(.invalidArgument, "the batch of \(batch) patches does not divide over \(t.size) ranks: give a --batch that is a multiple of the number of processes")
        }
        let n = batch / t.size
        return (t.rank * n)..<((t.rank + 1) * n)
    }

    /// Global index of this rank's first thread shard (the dropout seeds follow it, so N ranks of
    /// T threads draw the masks of one process with N*T threads).
    var shardBase: Int { (topology?.rank ?? 0) * min(options.threads, rows.count) }

    /// Sums `grads` and `loss` over the ranks.
    func reduceAcrossRanks(_ grads: inout [Float], loss: inout Double) throws {
        guard let t = topology, t.size > 1 else { return }
        try t.allreduceSum(&grads)
        try reduceAcrossRanks(loss: &loss)
    }

    /// Sums `loss` over the ranks.
    func reduceAcrossRanks(loss: inout Double) throws {
        guard let t = topology, t.size > 1 else { return }
        var l = [loss]
        try t.allreduceSum(&l)
        loss = l[0]
    }

    /// FNV-1a (64-bit) of the weights' bit patterns.
    public static func checksum(_ weights: [Float]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for w in weights {
            var b = w.bitPattern
            for _ in 0..<4 { h = (h ^ UInt64(b & 0xFF)) &* 0x0000_0100_0000_01B3; b >>= 8 }
        }
        return h
    }

    /// Every `syncCheckEvery` steps: the ranks compare weight checksums and all stop with the same
    /// error if any differs from rank 0's (they would otherwise drift apart silently).
    func checkRanksAgree() throws {
        guard let t = topology, t.size > 1, syncCheckEvery > 0, step % syncCheckEvery == 0 else { return }
        let mine = Self.checksum(weights)
        var root = [Float(bitPattern: UInt32(truncatingIfNeeded: mine)), Float(bitPattern: UInt32(truncatingIfNeeded: mine >> 32))]
        try t.broadcast(&root)   // a copy of bits, no arithmetic
        let rootSum = UInt64(root[0].bitPattern) | UInt64(root[1].bitPattern) << 32
        var differing = [rootSum == mine ? 0.0 : 1.0]
        try t.allreduceSum(&differing)
        guard differing[0] == 0 else {
            throw SRError(.internal, "ranks out of step at step \(step): \(Int(differing[0])) of \(t.size) ranks hold weights whose checksum differs from rank 0's (on this rank, \(t.rank): \(String(mine, radix: 16)); on rank 0: \(String(rootSum, radix: 16))); the run stops rather than train diverged copies — resume from the last checkpoint")
        }
    }
}
