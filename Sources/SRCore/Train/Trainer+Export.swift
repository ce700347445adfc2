import SRSupport
import SRModel

extension Trainer {
    /// The weights a run exports: the moving average when `averaged` and one is kept, else the raw weights.
    public func exportedParameters(averaged: Bool, provenance: [String: String] = [:]) throws -> DCSCNParameters {
        if averaged, ema != nil, batchNorm != nil {
            throw SRError(.unsupported, "the weight average of a batch-norm run cannot be exported (it holds neither gamma/beta nor the running statistics)")
        }
        if averaged, let ema {
            var p = provenance
            p["weights"] = "exponential moving average, decay \(ema.decay)"
            return try layout.unflatten(ema.weights, config: config, provenance: p)
        }
        return try parameters(provenance: provenance)
    }
}
