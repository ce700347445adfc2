import SRSupport

/// The processes that train one model together, data-parallel (docs/scale-out.md). The library
/// knows no transport: the command-line tools implement this over MPI (Sources/SRMPI), so
/// libsrcore never links an MPI library.
///
/// Every rank must make the same calls in the same order (collective operations).
public protocol TrainingTopology: AnyObject, Sendable {
    /// This process's index, 0..<size; rank 0 validates, logs and checkpoints.
    var rank: Int { get }
    /// Number of processes.
    var size: Int { get }
    /// Replaces `values` on every rank by their element-wise sum over all ranks.
    func allreduceSum(_ values: inout [Float]) throws
    /// Replaces `values` on every rank by their element-wise sum over all ranks.
    func allreduceSum(_ values: inout [Double]) throws
    /// Replaces `values` on every rank by rank 0's (same count on every rank).
    func broadcast(_ values: inout [Float]) throws
}
