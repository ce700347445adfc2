#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats

/// How the trainer draws the starting conv kernels (the `--initializer` knob of `sr train`,
/// docs/techniques.md "Knobs"). Biases start at 0 and PReLU slopes at 0.1 whichever is chosen.
public enum DCSCNInitializer: Equatable, Sendable {
    /// The reference's He truncated normal: sigma = sqrt(2 / fan_in), resampled beyond 2 sigma (default).
    case heTruncated
    /// He uniform: U(-sqrt(6 / fan_in), +sqrt(6 / fan_in)).
    case heUniform
    /// Xavier/Glorot uniform: U(-sqrt(6 / (fan_in + fan_out)), +sqrt(6 / (fan_in + fan_out))).
    case xavier
    /// Normal with this standard deviation, resampled beyond 2 sigma (the TF `truncated_normal` of the reference's flags).
    case truncatedNormal(std: Double)

    /// The name `sr train --initializer` takes and the weights' provenance records.
    public var name: String {
        switch self {
        case .heTruncated: return "he_truncated"
        case .heUniform: return "he_uniform"
        case .xavier: return "xavier"
        case .truncatedNormal: return "truncated_normal"
        }
    }
}

extension DCSCNParameters {
    /// Starting weights for `config` drawn by `initializer` (`.heTruncated` is exactly `heInitialized`).
    public static func initialized(config: DCSCNConfig, seed: UInt64, initializer: DCSCNInitializer) throws -> DCSCNParameters {
        if initializer == .heTruncated { return try heInitialized(config: config, seed: seed) }
        try config.validate()
        if case .truncatedNormal(let std) = initializer, !(std > 0 && std.isFinite) {
            throw SRError(.invalidArgument, "truncated_normal initializer needs a positive finite std, got \(std)")
        }
        var rng = SeededGenerator(seed: seed)
        var layers: [ConvParameters] = []
        for s in config.layers {
            let fanIn = Double(s.kernel * s.kernel * s.inChannels), fanOut = Double(s.kernel * s.kernel * s.outChannels)
            var k = [Float](repeating: 0, count: s.kernelCount)
            for i in 0..<k.count {
                switch initializer {
                case .heTruncated: break
                case .heUniform: k[i] = Float((2 * rng.nextUnit() - 1) * (6 / fanIn).squareRoot())
                case .xavier: k[i] = Float((2 * rng.nextUnit() - 1) * (6 / (fanIn + fanOut)).squareRoot())
                case .truncatedNormal(let std):
                    var z = rng.nextNormal()
                    while abs(z) > 2 { z = rng.nextNormal() }
                    k[i] = Float(z * std)
                }
            }
            layers.append(ConvParameters(kernel: k,
                                         bias: s.hasBias ? [Float](repeating: 0, count: s.outChannels) : [],
                                         alpha: s.hasPReLU ? [Float](repeating: 0.1, count: s.outChannels) : []))
        }
        return try DCSCNParameters(config: config, layers: layers)
    }
}
