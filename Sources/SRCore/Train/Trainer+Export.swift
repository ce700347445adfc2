import SRSupport
import SRModel

extension Trainer {
    /// The weights a run exports: the moving average when `averaged` and one is kept, else the raw weights;
    /// subnormal values (0 < |w| < 2^-126, which Adam's small steps leave behind) exported as zero, as
    /// the kernels pack them (srk_conv.h): they change no output, and other runtimes reading the file
    /// pay an FMA assist per use on Intel cores (docs/performance.md, "Subnormal weights").
    public func exportedParameters(averaged: Bool, provenance: [String: String] = [:]) throws -> DCSCNParameters {
        if averaged, ema != nil, batchNorm != nil {
            throw SRError(.unsupported, "the weight average of a batch-norm run cannot be exported (it holds neither gamma/beta nor the running statistics)")
        }
        if averaged, let ema {
            var p = provenance
            p["weights"] = "exponential moving average, decay \(ema.decay)"
            return try layout.unflatten(Self.flushingSubnormals(ema.weights), config: config, provenance: p)
        }
        return try layout.unflatten(Self.flushingSubnormals(inferenceWeights), config: config, provenance: provenance)
    }

    /// `v` with every subnormal value replaced by zero.
    static func flushingSubnormals(_ v: [Float]) -> [Float] { v.map { $0.isSubnormal ? 0 : $0 } }
}
