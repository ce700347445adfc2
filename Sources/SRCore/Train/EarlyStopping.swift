/// Early stopping on validation PSNR (`sr train --early-stop PATIENCE`, docs/lab.md): a validation
/// counts as an improvement when it beats the best so far by more than `minDelta` dB; after
/// `patience` validations in a row without one, the run ends (and `best.safetensors` holds the weights
/// of the best validation). A resumed run replays validation.csv to restore the counters.
public struct EarlyStopping: Sendable, Equatable {
    /// Validations without improvement that end the run (>= 1).
    public let patience: Int
    /// The margin in dB a validation must beat the best by.
    public let minDelta: Double
    /// Best PSNR seen and its step.
    public private(set) var best = -Double.infinity, bestStep = -1
    /// Validations since the best.
    public private(set) var stale = 0

    /// A rule with `patience` and `minDelta`.
    public init(patience: Int, minDelta: Double = 0) {
        self.patience = patience; self.minDelta = minDelta
    }

    /// Records a validation; returns whether it improved on the best.
    @discardableResult
    public mutating func observe(psnr: Double, step: Int) -> Bool {
        if psnr > best + minDelta || bestStep < 0 {
            best = psnr; bestStep = step; stale = 0
            return true
        }
        stale += 1
        return false
    }

    /// True once `patience` validations in a row did not improve.
    public var shouldStop: Bool { stale >= patience }
}
