import SRCLI
import SRCore
import SRMPI

/// `mpirun -np N srprep build ... -o OUT`: rank K builds shard K+1/N (every N-th image, the
/// `--shard` split) into OUT's folder, then rank 0 joins the shards into OUT with the virtual-dataset
/// merge of `srprep merge` (docs/scale-out.md). OUT refers to the shard files: keep them beside it.
extension BuildCommand {
    /// The shard file of `rank` for `output` (`train.h5` -> `train.shard-1-of-2.h5`).
    static func shardPath(_ output: String, rank: Int, size: Int) -> String {
        let base = output.hasSuffix(".h5") ? String(output.dropLast(3)) : output
        return "\(base).shard-\(rank + 1)-of-\(size).h5"
    }

    /// Set while a rank builds its own shard (the plain build path then runs).
    nonisolated(unsafe) static var buildingRankShard = false

    func buildOnRanks(_ world: Communicator) throws {
        try world.run(failureStatus: { e in (e as? SRError).map { ExitStatus($0.code).rawValue } ?? ExitStatus.failure.rawValue }) {
            guard shard.count == 1 else {
                throw SRError(.invalidArgument, "--shard \(shard.index)/\(shard.count) under mpirun: each rank builds its own shard; start without --shard")
            }
            if world.rank == 0 && !force && FileSystem.exists(output) {
                throw SRError(.alreadyExists, "\(output) exists (use --force to replace it)", path: output)
            }
            var mine = self
            mine.output = Self.shardPath(output, rank: world.rank, size: world.size)
            mine.shard = ShardOption(index: world.rank + 1, count: world.size)
            mine.quiet = quiet || world.rank != 0
            Self.buildingRankShard = true
            try mine.run()
            Self.buildingRankShard = false
            try world.barrier()   // every shard is whole (renamed into place) before the merge
            guard world.rank == 0 else { return }
            let shards = (0..<world.size).map { Self.shardPath(output, rank: $0, size: world.size) }
            Interrupt.removeOnSignal(PatchSetBuilder.temporaryPath(for: output))
            let info = try PatchSetMerger.merge(inputs: shards, output: output, overwrite: force)
            print("wrote \(output): \(info.count) patches from \(world.size) shards built by \(world.size) ranks (virtual datasets over \(shards.joined(separator: ", ")))")
        }
    }
}
