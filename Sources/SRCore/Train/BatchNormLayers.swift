import SRSupport
import SRModel

/// Batch normalization on the feature layers CNN1..CNN_L (`sr train --batch-norm`,
/// docs/techniques.md "Knobs").
///
/// While training, each feature conv's output `x` (bias included) is normalised per channel before
/// its activation: `y = γ·(x − μ_B)/sqrt(σ²_B + ε) + β`, with the mean and the (biased) variance over
/// the positions of every patch of one statistics group (`Trainer`: fixed groups of `--micro-batch`
/// consecutive patches of the batch, independent of the thread count; "ghost batch norm"). γ and β
/// are trained by their own Adam beside the conv weights (no L2 on them); the running statistics,
/// outside the optimiser, follow `run = momentum·run + (1 − momentum)·batch` once per step with the
/// patch-weighted mean of the groups' statistics. At export the running statistics are folded into
/// the conv: `W' = W·γ/sqrt(σ²_run + ε)`, `b' = (b − μ_run)·γ/sqrt(σ²_run + ε) + β`, so the exported
/// weights are a plain model that the unchanged engine runs.
public struct BatchNormLayers: Sendable {
    /// ε of the normalisation (TensorFlow's `batch_normalization` default).
    public static let epsilon = 1e-3
    /// Decay of the running statistics (TensorFlow's default).
    public static let momentum = 0.99

    /// Layout index of each feature layer.
    package let layers: [Int]
    /// First channel of feature layer i in the per-channel arrays.
    package let offsets: [Int]
    /// Channels of all feature layers together.
    public let channels: Int
    /// Graph-layout count (the conv weights come first in the optimiser's vector).
    package let graphCount: Int
    /// γ of every channel, then β of every channel.
    public private(set) var affine: [Float]
    /// Running mean and variance per channel (start 0 and 1, as TensorFlow's).
    public private(set) var runningMean: [Double], runningVariance: [Double]
    /// Adam over `[graph weights, affine]`, L2 on the conv kernels only.
    public var adam: AdamOptimizer

    /// γ = 1, β = 0 and fresh running statistics for the feature layers of `layout`.
    public init(layout: ParameterLayout, clipNorm: Double, l2: Double) {
        var ls: [Int] = [], offs: [Int] = []
        var c = 0
        for (l, e) in layout.entries.enumerated() {
            if case .feature = e.spec.role { ls.append(l); offs.append(c); c += e.spec.outChannels }
        }
        layers = ls; offsets = offs; channels = c; graphCount = layout.count
        affine = [Float](repeating: 1, count: c) + [Float](repeating: 0, count: c)
        runningMean = [Double](repeating: 0, count: c)
        runningVariance = [Double](repeating: 1, count: c)
        var opt = AdamOptimizer(count: layout.count + 2 * c, kernelMask: layout.kernelMask + [Float](repeating: 0, count: 2 * c))
        opt.clipNorm = clipNorm
        opt.l2 = l2
        adam = opt
    }

    /// Replaces γ and β (`2·channels` values; for tests and tools).
    package mutating func setAffine(_ x: [Float]) throws {
        guard x.count == affine.count else {
            throw SRError(.shapeMismatch, "batch norm holds \(affine.count) values, got \(x.count)")
        }
        affine = x
    }

    /// Replaces the running statistics (`channels` values each; for tests and tools).
    package mutating func setRunning(mean: [Double], variance: [Double]) throws {
        guard mean.count == channels, variance.count == channels else {
            throw SRError(.shapeMismatch, "batch norm holds \(channels) running statistics, got \(mean.count) and \(variance.count)")
        }
        runningMean = mean; runningVariance = variance
    }

    /// One running-statistics update from a step's batch mean and variance per channel.
    package mutating func observe(mean: [Double], variance: [Double]) {
        let m = Self.momentum
        for c in 0..<channels {
            runningMean[c] = m * runningMean[c] + (1 - m) * mean[c]
            runningVariance[c] = m * runningVariance[c] + (1 - m) * variance[c]
        }
    }

    /// `weights` (graph layout) with the running statistics, γ and β folded into the feature convs.
    public func folded(_ weights: [Float], layout: ParameterLayout) -> [Float] {
        var w = weights
        for (i, l) in layers.enumerated() {
            let e = layout.entries[l], co = e.spec.outChannels
            for c in 0..<co {
                let ch = offsets[i] + c
                let s = Double(affine[ch]) / (runningVariance[ch] + Self.epsilon).squareRoot()
                for r in 0..<(e.kernel.count / co) { w[e.kernel.lowerBound + r * co + c] = Float(Double(weights[e.kernel.lowerBound + r * co + c]) * s) }
                let b = e.bias.isEmpty ? 0 : Double(weights[e.bias.lowerBound + c])
                if !e.bias.isEmpty { w[e.bias.lowerBound + c] = Float((b - runningMean[ch]) * s + Double(affine[channels + ch])) }
            }
        }
        return w
    }

    /// One optimiser step from the graph's gradient `g` and γ/β's gradient `ga`.
    /// Returns (L2 loss before the step, gradient norm before clipping).
    package mutating func update(_ weights: inout [Float], gradients g: [Float], affineGradients ga: [Float],
                                 learningRate: Double) -> (l2: Double, norm: Double) {
        var all = weights + affine
        var grad = g + ga
        let l2 = adam.l2Loss(all)
        let norm = adam.update(&all, gradients: &grad, learningRate: learningRate)
        weights = Array(all[0..<graphCount])
        affine = Array(all[graphCount...])
        return (l2, norm)
    }
}
