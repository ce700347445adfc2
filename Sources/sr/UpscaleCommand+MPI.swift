import SRCore
import SRMPI

/// `mpirun -np N sr upscale DIR -o OUT`: the files are dealt out over the ranks (rank r takes
/// files r, r+N, ...), each rank writes its own outputs, and rank 0 prints the totals of all ranks
/// (docs/scale-out.md). Outside mpirun `share` returns every file and `sum` its argument.
extension Communicator {
    /// Every `size`-th element of `items`, starting at this rank's index.
    func share<T>(_ items: [T]) -> [T] {
        guard size > 1 else { return items }
        return items.enumerated().filter { $0.offset % size == rank }.map(\.element)
    }

    /// Element-wise sums of small counters over all ranks (exact: doubles hold them without rounding).
    func sum(_ counts: [Int]) throws -> [Int] {
        var d = counts.map(Double.init)
        try allreduceSum(&d)
        return d.map { Int($0) }
    }
}
