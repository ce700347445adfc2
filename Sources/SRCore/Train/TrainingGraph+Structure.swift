import SRSupport
import SRKernels
import SRModel

/// The structural knobs of the config that act on the graph's inputs (docs/techniques.md "Knobs"):
/// input normalisation and the global residual. With the defaults this is a pointer pass-through.
extension TrainingGraph {
    /// The LR the first layer reads: `lr` itself, or `(lr - inputShift) * inputScale` (the same
    /// float operations as the inference engine's `ForwardPass.load`). Without the global residual
    /// the bicubic input is zeroed, so R-CNN1's output is the prediction (`bic` is refilled each step).
    func structuredInput() -> UnsafeMutablePointer<Float> {
        if !config.residual { bic.zero() }
        guard let norm = lrNorm else { return lr.base }
        let shift = config.inputShift, scale = config.inputScale
        for i in 0..<lr.count { norm.base[i] = (lr.base[i] - shift) * scale }
        return norm.base
    }
}
