import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval
/// Where each layer's kernel, bias and PReLU slopes live in the trainer's flat parameter vector.
///
/// The trainer keeps weights, gradients and both Adam moments as flat `[Float]` vectors of
/// `count` values laid out layer by layer in `config.layers` order (kernel HWIO, then bias, then alpha).
public struct ParameterLayout: Sendable {
    /// Offsets of one layer's tensors.
    public struct Entry: Sendable {
        /// The layer.
        public var spec: DCSCNLayerSpec
        /// Kernel values (HWIO).
        public var kernel: Range<Int>
        /// Bias values (empty range when the layer has none).
        public var bias: Range<Int>
        /// PReLU slopes (empty range when the layer has none).
        public var alpha: Range<Int>
    }
    /// One entry per conv, in `config.layers` order.
    public let entries: [Entry]
    /// Total number of parameters.
    public let count: Int

    /// Lays out the parameters of `config`.
    public init(config: DCSCNConfig) {
        var off = 0
        var e: [Entry] = []
        for s in config.layers {
            let k = off..<(off + s.kernelCount); off += s.kernelCount
            let b = off..<(off + (s.hasBias ? s.outChannels : 0)); off = b.upperBound
            let a = off..<(off + (s.hasPReLU ? s.outChannels : 0)); off = a.upperBound
            e.append(Entry(spec: s, kernel: k, bias: b, alpha: a))
        }
        entries = e
        count = off
    }

    /// The parameters as one flat vector.
    public func flatten(_ p: DCSCNParameters) -> [Float] {
        var v = [Float](repeating: 0, count: count)
        for (e, l) in zip(entries, p.layers) {
            v.replaceSubrange(e.kernel, with: l.kernel)
            v.replaceSubrange(e.bias, with: l.bias)
            v.replaceSubrange(e.alpha, with: l.alpha)
        }
        return v
    }

    /// Rebuilds `DCSCNParameters` from a flat vector.
    public func unflatten(_ v: [Float], config: DCSCNConfig, provenance: [String: String] = [:]) throws -> DCSCNParameters {
        guard v.count == count else {
            throw SRError(.shapeMismatch, "parameter vector has \(v.count) values, the config needs \(count)")
        }
        let layers = entries.map { e in
            ConvParameters(kernel: Array(v[e.kernel]), bias: Array(v[e.bias]), alpha: Array(v[e.alpha]))
        }
        return try DCSCNParameters(config: config, layers: layers, provenance: provenance)
    }

    /// 1 for conv-kernel values (the ones L2 decay applies to), 0 for biases and slopes.
    public var kernelMask: [Float] {
        var m = [Float](repeating: 0, count: count)
        for e in entries { for i in e.kernel { m[i] = 1 } }
        return m
    }
}
