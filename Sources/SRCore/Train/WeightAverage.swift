/// An exponential moving average of the weights (`sr train --ema DECAY`, docs/lab.md): after every
/// step `avg = d * avg + (1 - d) * w` with `d = min(decay, (1 + n) / (10 + n))` for the n-th update
/// (TensorFlow's `ExponentialMovingAverage` with `num_updates`, so early averages are not dominated
/// by the initial weights). Exported instead of the raw weights with `--export-ema`: a "simple
/// ensemble" of the last ~1/(1-decay) steps at no inference cost.
public struct WeightAverage: Sendable, Equatable {
    /// The target decay in (0, 1).
    public let decay: Double
    /// The averaged weights (`ParameterLayout` order).
    public var weights: [Float]
    /// Updates so far.
    public var updates: Int

    /// Starts the average at `initial`.
    public init(decay: Double, initial: [Float], updates: Int = 0) {
        self.decay = decay; weights = initial; self.updates = updates
    }

    /// The decay the next update uses.
    public var currentDecay: Double { min(decay, Double(1 + updates) / Double(10 + updates)) }

    /// Folds `w` into the average.
    public mutating func update(_ w: [Float]) {
        let d = Float(currentDecay), e = 1 - d
        w.withUnsafeBufferPointer { wp in
            weights.withUnsafeMutableBufferPointer { ap in
                for i in 0..<ap.count { ap[i] = d * ap[i] + e * wp[i] }
            }
        }
        updates += 1
    }
}
