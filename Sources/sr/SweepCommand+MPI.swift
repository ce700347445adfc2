#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SRCLI
import SRCore
import SRMPI

/// `mpirun -np N sr sweep ...` (docs/lab.md): rank 0 lists the runs that are not finished and every
/// rank gets that list; rank r trains runs r, r+N, ... of it (`--jobs` children at a time); the ranks
/// meet, and rank 0 alone writes results.csv, summary.md and sweep.svg from every run folder (the
/// folders are on a file system all ranks share). Outside mpirun this is the plain one-process sweep.
extension SweepCommand {
    func run() throws {
        let world = Communicator.world
        try world.run(failureStatus: { ($0 as? ExitCode)?.rawValue ?? TrainCommand.exitStatus($0) }) { try sweep(world: world) }
    }

    func sweep(world: Communicator) throws {
        // A rank that throws before a collective leaves without MPI_Finalize (Communicator.run), so
        // mpirun ends the job instead of leaving the others waiting; a run that fails is counted instead.
        let plan = try makePlan()
        let runs = allRuns(plan)
        var unfinished = [Double](repeating: 0, count: runs.count)
        if world.rank == 0 {
            try FileSystem.makeDirectories(out)
            for (i, r) in runs.enumerated() {
                if access(r.dir + "/done", F_OK) == 0 { print("sweep: \(r.config.name) seed \(r.seed) done, kept") }
                else { unfinished[i] = 1 }
            }
            Console.flushOutput()
        }
        // Rank 0's list, on every rank (and a barrier: nothing has started before every rank has it).
        try world.allreduceSum(&unfinished)
        let pending = runs.indices.filter { unfinished[$0] > 0 }.map { runs[$0] }
        let mine = world.share(pending)
        let failures = train(mine, plan: plan, environment: world.size > 1 ? Self.childEnvironment() : nil,
                             rank: world.size > 1 ? world.rank : nil)
        let total = try world.sum([failures])[0]
        if world.rank == 0 { try writeReports(plan: plan, configs: plan.configs) }
        guard total > 0 else { return }
        // Every rank fails once rank 0 has written the reports; rank 0 alone says why.
        try world.barrier()
        if world.rank == 0 { throw SRError(.internal, "sweep: \(total) run(s) failed; rerun the same command to retry them") }
        throw ExitCode(ExitStatus(.internal).rawValue)
    }

    /// This process's environment without mpirun's variables: a child `sr train` is a process of its
    /// own, not another rank (it would otherwise call MPI_Init as this rank).
    static func childEnvironment() -> [String] {
        var env: [String] = []
        var p = environ
        while let entry = p.pointee {
            let kv = String(cString: entry)
            if !["OMPI_", "PMIX_", "PMI_", "PRTE_", "OPAL_"].contains(where: { kv.hasPrefix($0) }) { env.append(kv) }
            p += 1
        }
        return env
    }
}
