import SRSupport
import SRModel

/// Which update rule a run uses (`sr train --optimizer`, docs/lab.md).
public enum OptimizerKind: String, Sendable, CaseIterable {
    /// TensorFlow's Adam (the reference's, the default).
    case adam
    /// Stochastic gradient descent with (heavy-ball) momentum, TF's `MomentumOptimizer`.
    case sgd
    /// Adam with decoupled weight decay (Loshchilov & Hutter).
    case adamw
}

/// An optimiser's resumable state: named flat arrays (`ParameterLayout` order) and its update count.
public struct OptimizerState: Sendable, Equatable {
    /// The optimiser that owns the state.
    public var kind: OptimizerKind
    /// Completed updates.
    public var t: Int
    /// State arrays by name (Adam: `m`, `v`; SGD: `velocity`).
    public var arrays: [String: [Float]]

    /// Creates a state.
    public init(kind: OptimizerKind, t: Int, arrays: [String: [Float]]) {
        self.kind = kind; self.t = t; self.arrays = arrays
    }
}

/// An update rule on the flat parameter vector. Every rule first adds the L2 gradient on kernels and
/// clips by global norm (`GradientPreparation`), then applies its own step.
public protocol WeightOptimizer: Sendable {
    /// The rule.
    var kind: OptimizerKind { get }
    /// Global-norm clip threshold; 0 disables clipping.
    var clipNorm: Double { get set }
    /// L2 decay weight on kernels: adds `l2 * sum(w^2) / 2` to the loss.
    var l2: Double { get set }
    /// The L2 term `l2 * sum(w^2)/2` over kernels.
    func l2Loss(_ w: [Float]) -> Double
    /// Adds the L2 gradient, clips, applies one update to `w`. Returns the global gradient norm before clipping.
    @discardableResult
    mutating func update(_ w: inout [Float], gradients g: inout [Float], learningRate: Double) -> Double
    /// The state a checkpoint stores.
    var state: OptimizerState { get }
    /// Puts a checkpoint's state back; refuses another optimiser's or a wrongly sized state.
    mutating func restore(_ state: OptimizerState) throws
}

/// Builds the optimiser a run asks for.
public enum OptimizerFactory {
    /// An optimiser of `kind` for `layout` with the options' clip, L2, momentum and weight decay.
    public static func make(_ kind: OptimizerKind, layout: ParameterLayout, options: TrainOptions) -> any WeightOptimizer {
        var o: any WeightOptimizer
        switch kind {
        case .adam: o = AdamOptimizer(layout: layout)
        case .sgd: o = MomentumOptimizer(layout: layout, momentum: Float(options.momentum))
        case .adamw: o = AdamWOptimizer(layout: layout, weightDecay: options.weightDecay)
        }
        o.clipNorm = options.clipNorm
        o.l2 = options.l2
        return o
    }
}

/// The part every optimiser shares: L2 gradient on kernels and global-norm clipping.
enum GradientPreparation {
    /// `l2 * sum(w^2)/2` over the entries where `mask` is 1.
    static func l2Loss(_ w: [Float], mask: [Float], l2: Double) -> Double {
        var s = 0.0
        for i in w.indices where mask[i] != 0 { s += Double(w[i]) * Double(w[i]) }
        return l2 * s / 2
    }

    /// Adds `l2 * mask * w` to `g`, then scales `g` to norm `clipNorm` when larger (0 = no clip).
    /// Returns the norm before clipping.
    static func prepare(_ w: [Float], _ g: inout [Float], mask: [Float], l2: Double, clipNorm: Double) -> Double {
        let l2f = Float(l2)
        var n2 = 0.0
        for i in g.indices {
            g[i] += l2f * mask[i] * w[i]
            n2 += Double(g[i]) * Double(g[i])
        }
        let norm = n2.squareRoot()
        if clipNorm > 0, norm > clipNorm {
            let f = Float(clipNorm / norm)
            for i in g.indices { g[i] *= f }
        }
        return norm
    }

    /// Checks that a checkpoint's state belongs to `kind` and has `names` of `count` values each.
    static func check(_ s: OptimizerState, kind: OptimizerKind, names: [String], count: Int) throws {
        guard s.kind == kind else {
            throw SRError(.shapeMismatch, "the checkpoint holds \(s.kind.rawValue) state; this run uses --optimizer \(kind.rawValue)")
        }
        for n in names where s.arrays[n]?.count != count {
            throw SRError(.shapeMismatch, "the checkpoint's \(kind.rawValue) state '\(n)' has \(s.arrays[n]?.count ?? 0) values, the model needs \(count)")
        }
    }
}
