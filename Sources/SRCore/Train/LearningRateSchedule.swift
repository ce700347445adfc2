#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval

/// The learning rate as a function of the step (docs/reference.md §11.4 step decay, or cosine with warm-up).
public enum LearningRateSchedule: Equatable, Sendable {
    /// The reference: `initial * decay^floor(epoch / decayEpochs)`, training until it falls to `end`.
    case step(initial: Double, decay: Double, decayEpochs: Int, end: Double)
    /// Linear warm-up from 0 to `peak` over `warmup` steps, then cosine decay to `end` at `total` steps.
    case cosine(peak: Double, warmup: Int, total: Int, end: Double)
    /// A constant rate.
    case constant(Double)

    /// The rate for `step` (0-based) given the steps per epoch.
    public func rate(step: Int, stepsPerEpoch: Int) -> Double {
        switch self {
        case .constant(let r): return r
        case let .step(initial, decay, decayEpochs, end):
            let epoch = step / max(stepsPerEpoch, 1)
            return max(initial * pow(decay, Double(epoch / max(decayEpochs, 1))), end)
        case let .cosine(peak, warmup, total, end):
            if step < warmup { return peak * Double(step + 1) / Double(warmup) }
            let span = max(total - warmup, 1)
            let t = min(Double(step - warmup) / Double(span), 1)
            return end + (peak - end) * 0.5 * (1 + cos(Double.pi * t))
        }
    }

    /// Steps the schedule needs by itself: the step decay runs until the rate would fall below `end`
    /// (the reference's `while lr > end_lr`), the cosine until `total`; nil for a constant rate.
    public func naturalSteps(stepsPerEpoch: Int) -> Int? {
        switch self {
        case .constant: return nil
        case let .step(initial, decay, decayEpochs, end):
            guard decay < 1, decay > 0, initial > end else { return decayEpochs * stepsPerEpoch }
            var stages = 0
            var lr = initial
            while lr > end { lr *= decay; stages += 1 }
            return stages * decayEpochs * stepsPerEpoch
        case let .cosine(_, _, total, _): return total
        }
    }
}
