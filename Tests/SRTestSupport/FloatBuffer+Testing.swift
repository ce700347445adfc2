import SRCore
import SRKernels

extension FloatBuffer {
    /// The elements as an array.
    package var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Copies `a` (up to `count` values) into the buffer.
    package func copy(from a: [Float]) {
        a.withUnsafeBufferPointer { src in base.update(from: src.baseAddress!, count: min(count, a.count)) }
    }
}
