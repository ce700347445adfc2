import SRSupport
import SRModel

/// SGD with heavy-ball momentum, TensorFlow's `MomentumOptimizer`: `v = momentum * v + g`,
/// `w -= learningRate * v` (momentum 0: plain SGD), after the L2 gradient and the clip.
public struct MomentumOptimizer: WeightOptimizer {
    /// `.sgd`.
    public var kind: OptimizerKind { .sgd }
    /// Momentum factor in [0, 1).
    public var momentum: Float
    /// Global-norm clip threshold; 0 disables clipping.
    public var clipNorm: Double = 5
    /// L2 decay weight on kernels.
    public var l2: Double = 1e-4
    /// The accumulated velocity.
    public var velocity: [Float]
    /// Completed updates.
    public var t = 0
    private let kernelMask: [Float]

    /// Zero velocity for `layout`.
    public init(layout: ParameterLayout, momentum: Float) {
        self.momentum = momentum
        velocity = [Float](repeating: 0, count: layout.count)
        kernelMask = layout.kernelMask
    }

    /// The L2 term over kernels.
    public func l2Loss(_ w: [Float]) -> Double { GradientPreparation.l2Loss(w, mask: kernelMask, l2: l2) }

    /// L2 gradient, clip, momentum step. Returns the norm before clipping.
    @discardableResult
    public mutating func update(_ w: inout [Float], gradients g: inout [Float], learningRate: Double) -> Double {
        let norm = GradientPreparation.prepare(w, &g, mask: kernelMask, l2: l2, clipNorm: clipNorm)
        let lr = Float(learningRate), mu = momentum
        for i in w.indices {
            velocity[i] = mu * velocity[i] + g[i]
            w[i] -= lr * velocity[i]
        }
        t += 1
        return norm
    }

    /// The velocity and count.
    public var state: OptimizerState { OptimizerState(kind: kind, t: t, arrays: ["velocity": velocity]) }

    /// Restores velocity and count.
    public mutating func restore(_ s: OptimizerState) throws {
        try GradientPreparation.check(s, kind: kind, names: ["velocity"], count: velocity.count)
        velocity = s.arrays["velocity"]!; t = s.t
    }
}
