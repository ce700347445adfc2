import CKernels
#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRModel

/// TensorFlow's Adam (`tf.train.AdamOptimizer`) on the flat parameter vector, with the reference's
/// L2 decay on conv kernels and global-norm gradient clipping (docs/reference.md §11.4).
public struct AdamOptimizer: WeightOptimizer {
    /// `.adam`.
    public var kind: OptimizerKind { .adam }
    /// First-moment decay.
    public var beta1: Float = 0.9
    /// Second-moment decay.
    public var beta2: Float = 0.999
    /// TF's epsilon (added to sqrt(v), the "epsilon hat" of the Adam paper).
    public var epsilon: Float = 1e-8
    /// Global-norm clip threshold (`tf.clip_by_global_norm`); 0 disables clipping.
    public var clipNorm: Double = 5
    /// L2 decay weight on kernels: adds `l2 * sum(w^2) / 2` to the loss.
    public var l2: Double = 1e-4
    /// First moments.
    public var m: [Float]
    /// Second moments.
    public var v: [Float]
    /// Completed updates (t in the bias correction).
    public var t: Int = 0
    let kernelMask: [Float]

    /// Zero moments for `layout`.
    public init(layout: ParameterLayout) {
        m = [Float](repeating: 0, count: layout.count)
        v = m
        kernelMask = layout.kernelMask
    }

    /// Zero moments for `count` values; L2 applies where `kernelMask` is 1 (collapsible blocks).
    public init(count: Int, kernelMask: [Float]) {
        m = [Float](repeating: 0, count: count)
        v = m
        self.kernelMask = kernelMask
    }

    /// The L2 term `l2 * sum(w^2)/2` over kernels.
    public func l2Loss(_ w: [Float]) -> Double { GradientPreparation.l2Loss(w, mask: kernelMask, l2: l2) }

    /// Adds the L2 gradient, clips by global norm, applies one Adam update to `w`.
    /// Returns the global gradient norm before clipping.
    @discardableResult
    public mutating func update(_ w: inout [Float], gradients g: inout [Float], learningRate: Double) -> Double {
        let norm = GradientPreparation.prepare(w, &g, mask: kernelMask, l2: l2, clipNorm: clipNorm)
        adamStep(&w, g, learningRate: learningRate)
        return norm
    }

    /// The Adam step proper on prepared gradients (AdamW reuses it).
    mutating func adamStep(_ w: inout [Float], _ g: [Float], learningRate: Double) {
        t += 1
        let lrT = learningRate * (1 - pow(Double(beta2), Double(t))).squareRoot() / (1 - pow(Double(beta1), Double(t)))
        let count = w.count
        let b1 = beta1, b2 = beta2, eps = epsilon
        w.withUnsafeMutableBufferPointer { wp in
            g.withUnsafeBufferPointer { gp in
                m.withUnsafeMutableBufferPointer { mp in
                    v.withUnsafeMutableBufferPointer { vp in
                        srt_adam(wp.baseAddress, gp.baseAddress, mp.baseAddress, vp.baseAddress, count, Float(lrT), b1, b2, eps)
                    }
                }
            }
        }
    }

    /// Moments `m`, `v` and the update count.
    public var state: OptimizerState { OptimizerState(kind: kind, t: t, arrays: ["m": m, "v": v]) }

    /// Restores moments and count.
    public mutating func restore(_ s: OptimizerState) throws {
        try GradientPreparation.check(s, kind: kind, names: ["m", "v"], count: m.count)
        m = s.arrays["m"]!; v = s.arrays["v"]!; t = s.t
    }
}
