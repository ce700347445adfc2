import SRSupport
import SRModel

/// Adam with decoupled weight decay (AdamW, Loshchilov & Hutter 2019): after the Adam step every
/// kernel weight shrinks by `learningRate * weightDecay * w` (the decay does not pass through the
/// moments, unlike `--l2`). Biases and PReLU slopes are not decayed.
public struct AdamWOptimizer: WeightOptimizer {
    /// `.adamw`.
    public var kind: OptimizerKind { .adamw }
    /// The Adam part (moments, clip, L2).
    public var adam: AdamOptimizer
    /// Decoupled decay factor per unit learning rate.
    public var weightDecay: Double

    /// Zero moments for `layout`.
    public init(layout: ParameterLayout, weightDecay: Double) {
        adam = AdamOptimizer(layout: layout)
        self.weightDecay = weightDecay
    }

    /// Clip threshold (the Adam part's).
    public var clipNorm: Double { get { adam.clipNorm } set { adam.clipNorm = newValue } }
    /// L2 on kernels through the gradient (the Adam part's; usually 0 with AdamW).
    public var l2: Double { get { adam.l2 } set { adam.l2 = newValue } }

    /// The gradient L2 term.
    public func l2Loss(_ w: [Float]) -> Double { adam.l2Loss(w) }

    /// L2 gradient, clip, decoupled decay, Adam step. Returns the norm before clipping.
    @discardableResult
    public mutating func update(_ w: inout [Float], gradients g: inout [Float], learningRate: Double) -> Double {
        let norm = GradientPreparation.prepare(w, &g, mask: adam.kernelMask, l2: adam.l2, clipNorm: adam.clipNorm)
        // The Adam step does not read w, so decaying first equals w - lr*(adam + wd*w_old).
        let f = Float(learningRate * weightDecay)
        if f != 0 { for i in w.indices { w[i] -= f * adam.kernelMask[i] * w[i] } }
        adam.adamStep(&w, g, learningRate: learningRate)
        return norm
    }

    /// Moments and count, tagged AdamW.
    public var state: OptimizerState { OptimizerState(kind: kind, t: adam.t, arrays: ["m": adam.m, "v": adam.v]) }

    /// Restores moments and count.
    public mutating func restore(_ s: OptimizerState) throws {
        try GradientPreparation.check(s, kind: kind, names: ["m", "v"], count: adam.m.count)
        adam.m = s.arrays["m"]!; adam.v = s.arrays["v"]!; adam.t = s.t
    }
}
