import SRCLI
import SRCore
import SRMPI
#if canImport(Glibc)
import Glibc
#endif

/// `mpirun -np N sr train ...`: data-parallel training (docs/scale-out.md). Rank 0 runs the usual
/// `TrainingRun` (validation, logs, checkpoints); the other ranks only step the trainer, which sums
/// the gradients over all ranks every step. Outside mpirun this is the plain single-process run.
extension TrainCommand {
    func run() throws {
        let world = Communicator.world
        try world.run(failureStatus: Self.exitStatus) { try train(world: world) }
    }

    static func exitStatus(_ error: Error) -> Int32 {
        (error as? SRError).map { ExitStatus($0.code).rawValue } ?? ExitStatus.failure.rawValue
    }

    /// This rank's rows of each global batch, refusing what a data-parallel run cannot do.
    func dataParallelRows(_ world: Communicator) throws -> Range<Int> {
        guard world.size > 1 else { return 0..<batch }
        if overfit != nil {
            throw SRError(.invalidArgument, "--overfit runs in one process; start it without mpirun")
        }
        if lab.earlyStop != nil {
            // Rank 0 alone validates, so it alone would stop while the others wait in the next allreduce.
            throw SRError(.invalidArgument, "--early-stop is not supported under mpirun yet; give --steps instead")
        }
        return try Trainer.share(batch: batch, topology: world.topology)
    }

    /// A rank other than 0: the same steps, no files. SRCORE_TEST_PERTURB_RANK=r (tests only)
    /// nudges rank r's first weight so that the checksum guard has something to find.
    func follow(trainer: Trainer, loader: PatchBatchLoader, steps: Int) throws {
        if let v = getenv("SRCORE_TEST_PERTURB_RANK"), Int(String(cString: v)) == Communicator.world.rank {
            trainer.weights[0] = trainer.weights[0].nextUp
        }
        let spe = loader.stepsPerEpoch
        loader.start(at: trainer.step)
        defer { loader.stop() }
        while trainer.step < steps {
            if Interrupt.requested { throw SRError(.cancelled, "interrupted at step \(trainer.step) of \(steps)") }
            let b = try loader.next()
            do { _ = try trainer.train(b, stepsPerEpoch: spe) } catch { loader.release(); throw error }
            loader.release()
        }
    }
}

extension Communicator {
    /// Prints on rank 0 only.
    func say(_ line: String) {
        if rank == 0 { print(line) }
    }
}
