import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval
/// A fixed-size, zero-initialised float buffer owned by the trainer (stable address for C kernels).
final class TrainBuffer {
    let count: Int
    let p: UnsafeMutablePointer<Float>

    init(_ count: Int) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { p.deallocate() }

    func zero() { p.update(repeating: 0, count: count) }

    var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }

    func copy(from a: [Float]) {
        a.withUnsafeBufferPointer { src in p.update(from: src.baseAddress!, count: min(count, a.count)) }
    }
}
