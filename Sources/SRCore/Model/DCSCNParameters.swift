#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats

/// The weights of one conv layer.
public struct ConvParameters: Equatable, Sendable {
    /// Kernel in HWIO order `[kh, kw, in, out]` (TensorFlow's layout).
    public var kernel: [Float]
    /// Bias `[out]`, or empty when the layer has none.
    public var bias: [Float]
    /// PReLU slopes `[out]`, or empty when the layer has no PReLU.
    public var alpha: [Float]

    /// Creates layer weights.
    public init(kernel: [Float], bias: [Float] = [], alpha: [Float] = []) {
        self.kernel = kernel
        self.bias = bias
        self.alpha = alpha
    }
}

/// A DCSCN network's config and all its weights, one `ConvParameters` per `config.layers` entry.
public struct DCSCNParameters: Equatable, Sendable {
    /// The architecture.
    public private(set) var config: DCSCNConfig
    /// Weights in `config.layers` order (change them with `replacingLayer`, which checks shapes).
    public private(set) var layers: [ConvParameters]
    /// Free-form provenance stored with the weights (training data, steps, validation PSNR ...).
    public var provenance: [String: String]

    /// Wraps weights after checking every shape against the config.
    public init(config: DCSCNConfig, layers: [ConvParameters], provenance: [String: String] = [:]) throws {
        try config.validate()
        let specs = config.layers
        guard layers.count == specs.count else {
            throw SRError(.shapeMismatch, "expected \(specs.count) layers for this config, got \(layers.count)")
        }
        for (s, p) in zip(specs, layers) {
            guard p.kernel.count == s.kernelCount else {
                throw SRError(.shapeMismatch, "layer \(s.name): kernel has \(p.kernel.count) values, expected [\(s.kernel), \(s.kernel), \(s.inChannels), \(s.outChannels)] = \(s.kernelCount)")
            }
            guard p.bias.count == (s.hasBias ? s.outChannels : 0) else {
                throw SRError(.shapeMismatch, "layer \(s.name): bias has \(p.bias.count) values, expected \(s.hasBias ? s.outChannels : 0)")
            }
            guard p.alpha.count == (s.hasPReLU ? s.outChannels : 0) else {
                throw SRError(.shapeMismatch, "layer \(s.name): PReLU has \(p.alpha.count) slopes, expected \(s.hasPReLU ? s.outChannels : 0)")
            }
            for (what, values) in [("kernel", p.kernel), ("bias", p.bias), ("PReLU slopes", p.alpha)] {
                if let i = values.firstIndex(where: { !$0.isFinite }) {
                    throw SRError(.format, "layer \(s.name): \(what) value \(i) is \(values[i]) (weights must be finite)")
                }
            }
        }
        self.config = config
        self.layers = layers
        self.provenance = provenance
    }

    /// A copy with layer `index` changed by `transform`, checked against the config again.
    /// - Throws: `.invalidArgument` for an index out of range, `.shapeMismatch` when the changed
    ///   layer no longer fits.
    public func replacingLayer(_ index: Int, _ transform: (inout ConvParameters) throws -> Void) throws -> DCSCNParameters {
        guard layers.indices.contains(index) else {
            throw SRError(.invalidArgument, "layer index \(index) is outside 0..<\(layers.count)")
        }
        var changed = layers
        try transform(&changed[index])
        return try DCSCNParameters(config: config, layers: changed, provenance: provenance)
    }

    /// The reference initialisation (docs/reference.md §11.4): He truncated normal kernels
    /// (sigma = sqrt(2 / (kh*kw*in)), resampled beyond 2 sigma), zero biases, PReLU slopes 0.1.
    public static func heInitialized(config: DCSCNConfig, seed: UInt64) throws -> DCSCNParameters {
        try config.validate()
        var rng = SeededGenerator(seed: seed)
        var layers: [ConvParameters] = []
        for s in config.layers {
            let sigma = sqrt(2.0 / Double(s.kernel * s.kernel * s.inChannels))
            var k = [Float](repeating: 0, count: s.kernelCount)
            for i in 0..<k.count {
                var z = rng.nextNormal()
                while abs(z) > 2 { z = rng.nextNormal() }
                k[i] = Float(z * sigma)
            }
            layers.append(ConvParameters(kernel: k,
                                         bias: s.hasBias ? [Float](repeating: 0, count: s.outChannels) : [],
                                         alpha: s.hasPReLU ? [Float](repeating: 0.1, count: s.outChannels) : []))
        }
        return try DCSCNParameters(config: config, layers: layers)
    }
}
