import SRModel

extension Trainer {
    /// The weights a run exports: the moving average when `averaged` and one is kept, else the raw weights.
    public func exportedParameters(averaged: Bool, provenance: [String: String] = [:]) throws -> DCSCNParameters {
        if averaged, let ema {
            var p = provenance
            p["weights"] = "exponential moving average, decay \(ema.decay)"
            return try layout.unflatten(ema.weights, config: config, provenance: p)
        }
        return try parameters(provenance: provenance)
    }
}
