#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// A zero-initialised, heap-allocated float array with a stable address, for kernel scratch.
///
/// Memory comes from `calloc`, so large buffers are zeroed lazily by the OS. The size is checked
/// for overflow; allocation failure throws `SRError(.outOfMemory)` instead of trapping.
package final class FloatBuffer {
    /// First element.
    package let base: UnsafeMutablePointer<Float>
    /// Number of floats.
    package let count: Int

    /// Allocates `count` zeroed floats; `what` names the tensor in error messages.
    package init(count: Int, what: String) throws {
        guard count >= 0 else { throw SRError(.invalidArgument, "\(what): negative size \(count)") }
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !overflow, let raw = calloc(1, bytes) else {
            throw SRError(.outOfMemory, "\(what): cannot allocate \(count) floats")
        }
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
    }

    deinit { free(base) }

    /// Sets every element to zero.
    package func zero() { base.update(repeating: 0, count: count) }
}

/// Multiplies sizes with overflow checks; throws `SRError(.outOfMemory)` naming `what`.
func checkedProduct(_ factors: [Int], _ what: String) throws -> Int {
    var p = 1
    for f in factors {
        guard f >= 0 else { throw SRError(.invalidArgument, "\(what): negative dimension \(f)") }
        let (r, o) = p.multipliedReportingOverflow(by: f)
        guard !o else { throw SRError(.outOfMemory, "\(what): size \(factors) overflows") }
        p = r
    }
    return p
}

/// Buffers of a finished forward pass offered for reuse: `take` hands out one of exactly the
/// requested size, zeroed, or allocates a new one. (A pass for the transposed image size needs
/// exactly the same buffer sizes, which is what self-ensemble rotations ask for.)
package final class BufferPool {
    private var free: [FloatBuffer]

    package init(_ buffers: [FloatBuffer] = []) { free = buffers }

    /// A zeroed buffer of `count` floats.
    func take(count: Int, what: String) throws -> FloatBuffer {
        if let i = free.firstIndex(where: { $0.count == count }) {
            let b = free.remove(at: i)
            memset(b.base, 0, count * MemoryLayout<Float>.stride)
            return b
        }
        return try FloatBuffer(count: count, what: what)
    }
}
