import CMPI
import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// The processes of one `mpirun` job, for the command-line tools only (docs/scale-out.md): libsrcore
/// knows no MPI, it sees a `TrainingTopology`.
///
/// `Communicator.world` initialises MPI only when the process was started by mpirun (Open MPI's
/// OMPI_COMM_WORLD_SIZE or PMIx's PMIX_RANK in the environment); otherwise it is a single rank and
/// every collective is a no-op, so the tools run as they always did.
public final class Communicator: TrainingTopology, @unchecked Sendable {
    /// This process's rank.
    public let rank: Int
    /// Ranks in the job.
    public let size: Int
    /// Whether MPI was initialised (false: a single process outside mpirun).
    public let active: Bool

    /// The job's communicator (created on first use).
    public static let world: Communicator = Communicator()

    /// Exit status recorded by `run` when the command failed: at exit the process then leaves
    /// without MPI_Finalize (which would wait for ranks blocked in a collective), and mpirun ends the job.
    nonisolated(unsafe) private static var failedStatus: Int32?

    /// True when the environment says mpirun started this process.
    public static var underMPIRun: Bool {
        getenv("OMPI_COMM_WORLD_SIZE") != nil || getenv("PMIX_RANK") != nil
    }

    private init() {
        guard Self.underMPIRun else { rank = 0; size = 1; active = false; return }
        // Ranks waiting in a collective yield the core instead of spinning: with one rank per core
        // and a prefetch thread each, a spinning rank would steal time from the others.
        setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0)
        let rc = srmpi_init()
        if rc != 0 {
            let msg = "mpi: MPI_Init_thread failed (\(rc)); running as a single process\n"
            _ = msg.withCString { write(2, $0, strlen($0)) }
            rank = 0; size = 1; active = false; return
        }
        rank = Int(srmpi_rank())
        size = Int(srmpi_size())
        active = true
        atexit {
            if let s = Communicator.failedStatus { _exit(s) }
            if srmpi_initialized() != 0 { _ = srmpi_finalize() }
        }
    }

    /// This communicator as a training topology, or nil for a single process.
    public var topology: (any TrainingTopology)? { size > 1 ? self : nil }

    /// Runs a command's body; when it throws in a job of several ranks, the exit skips MPI_Finalize
    /// so that mpirun ends the whole job instead of waiting for this rank.
    public func run(failureStatus: (Error) -> Int32, _ body: () throws -> Void) throws {
        do { try body() } catch {
            if size > 1 { Self.failedStatus = failureStatus(error) }
            throw error
        }
    }

    private func check(_ rc: Int32, _ what: String) throws {
        guard rc != 0 else { return }
        var buf = [CChar](repeating: 0, count: 1024)
        let n = srmpi_error_string(rc, &buf, Int32(buf.count))
        let text = n > 0 ? String(decoding: buf[0..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "error \(rc)"
        throw SRError(.internal, "MPI \(what) failed on rank \(rank): \(text)")
    }

    private func count(_ n: Int) throws -> Int32 {
        guard let c = Int32(exactly: n) else { throw SRError(.invalidArgument, "MPI message of \(n) elements is too long") }
        return c
    }

    public func allreduceSum(_ values: inout [Float]) throws {
        guard active, size > 1, !values.isEmpty else { return }
        let n = try count(values.count)
        try check(values.withUnsafeMutableBufferPointer { srmpi_allreduce_float_sum($0.baseAddress, n) }, "allreduce")
    }

    public func allreduceSum(_ values: inout [Double]) throws {
        guard active, size > 1, !values.isEmpty else { return }
        let n = try count(values.count)
        try check(values.withUnsafeMutableBufferPointer { srmpi_allreduce_double_sum($0.baseAddress, n) }, "allreduce")
    }

    public func broadcast(_ values: inout [Float]) throws {
        guard active, size > 1, !values.isEmpty else { return }
        let n = try count(values.count)
        try check(values.withUnsafeMutableBufferPointer { srmpi_bcast_float($0.baseAddress, n, 0) }, "broadcast")
    }

    /// Waits until every rank gets here.
    public func barrier() throws {
        guard active, size > 1 else { return }
        try check(srmpi_barrier(), "barrier")
    }

    /// Rank 0 receives every rank's bytes (in rank order); the other ranks get an empty list.
    public func gather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        guard active, size > 1 else { return [bytes] }
        var counts = [Int32](repeating: 0, count: size)
        var mine = [try count(bytes.count)]
        // Sizes first (4 bytes each), then the payloads.
        try check(mine.withUnsafeMutableBytes { m in
            counts.withUnsafeMutableBytes { c in srmpi_gather_bytes(m.baseAddress, 4, c.baseAddress, 0) }
        }, "gather")
        var displs = [Int32](repeating: 0, count: size)
        var total = 0
        for i in 0..<size { displs[i] = Int32(total); total += Int(counts[i]) }
        var recv = [UInt8](repeating: 0, count: rank == 0 ? max(total, 1) : 1)
        try check(bytes.withUnsafeBytes { s in
            recv.withUnsafeMutableBytes { r in
                srmpi_gatherv_bytes(s.baseAddress, mine[0], r.baseAddress, counts, displs, 0)
            }
        }, "gather")
        guard rank == 0 else { return [] }
        return (0..<size).map { Array(recv[Int(displs[$0])..<(Int(displs[$0]) + Int(counts[$0]))]) }
    }
}
