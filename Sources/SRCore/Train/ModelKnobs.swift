import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval

/// The activation after each conv that has one (CNN1..CNN_L, A1, B1, B2).
///
/// Every choice here is a PReLU with slopes that are either learned (`.prelu`) or fixed, so the
/// exported weights hold the slopes and the inference engine's fused PReLU computes any of them
/// unchanged: a model trained with `--activation relu` needs no flag to upscale, and older readers
/// run it correctly (docs/techniques.md "Knobs").
public enum ActivationKnob: Equatable, Sendable {
    /// PReLU with learned per-channel slopes (the reference, default).
    case prelu
    /// ReLU: slopes fixed at 0.
    case relu
    /// Leaky ReLU: slopes fixed at `slope`.
    case leakyReLU(slope: Float)

    /// The fixed slope, or nil when slopes are learned.
    public var fixedSlope: Float? {
        switch self {
        case .prelu: return nil
        case .relu: return 0
        case .leakyReLU(let s): return s
        }
    }

    /// The name `sr train --activation` takes and the weights' provenance records.
    public var name: String {
        switch self {
        case .prelu: return "prelu"
        case .relu: return "relu"
        case .leakyReLU: return "leaky_relu"
        }
    }
}

/// The structural knobs of a training run that `TrainOptions` does not already hold
/// (docs/techniques.md "Knobs"). The default value trains exactly what srcore trained before the
/// knobs existed.
public struct ModelKnobs: Equatable, Sendable {
    /// Activation of the feature, A1, B1 and B2 layers.
    public var activation: ActivationKnob = .prelu
    /// How the starting kernels are drawn (ignored for layers copied by `--init`).
    public var initializer: DCSCNInitializer = .heTruncated
    /// Hidden width of the collapsible linear blocks (0 = plain convs; CollapsibleBlocks.swift).
    public var collapsibleWidth = 0
    /// Kernel size `K` of the transposed-convolution upsampler (0 = pixel shuffle, the default;
    /// TransposedUpsampler.swift).
    public var transposedKernel = 0
    /// Batch normalization on the feature layers, folded into the convs at export (BatchNormLayers.swift).
    public var batchNorm = false

    /// The defaults.
    public init() {}

    /// Whether every knob has its default value.
    public var isDefault: Bool { self == ModelKnobs() }

    /// The provenance entries that record the knobs in the exported weights (empty for the defaults).
    public var provenance: [String: String] {
        var p: [String: String] = [:]
        if activation != .prelu { p["activation"] = activation.name }
        if let s = activation.fixedSlope, s != 0 { p["leaky_slope"] = "\(s)" }
        if initializer != .heTruncated { p["initializer"] = initializer.name }
        if case .truncatedNormal(let std) = initializer { p["init_std"] = "\(std)" }
        if collapsibleWidth > 0 { p["collapsible_width"] = String(collapsibleWidth) }
        if transposedKernel > 0 { p["upsampler"] = "transposed"; p["transposed_kernel"] = String(transposedKernel) }
        if batchNorm { p["batch_norm"] = "on" }
        return p
    }

    /// Checks the values (a leaky slope must be finite; the initializer's std positive and finite).
    public func validate() throws {
        guard (0...4096).contains(collapsibleWidth) else {
            throw SRError(.invalidArgument, "collapsible width must be in 0...4096, got \(collapsibleWidth)")
        }
        guard (0...DCSCNConfig.maxKernelSize * 8).contains(transposedKernel) else {
            throw SRError(.invalidArgument, "transposed kernel must be in 0...\(DCSCNConfig.maxKernelSize * 8), got \(transposedKernel)")
        }
        if transposedKernel > 0 && collapsibleWidth > 0 {
            throw SRError(.invalidArgument, "the transposed-convolution upsampler and collapsible blocks exclude each other (both re-parameterise Up-PS)")
        }
        if batchNorm && collapsibleWidth > 0 {
            throw SRError(.invalidArgument, "batch norm and collapsible blocks exclude each other")
        }
        if batchNorm && transposedKernel > 0 {
            throw SRError(.invalidArgument, "batch norm and the transposed-convolution upsampler are not combined yet")
        }
        if let s = activation.fixedSlope, !s.isFinite {
            throw SRError(.invalidArgument, "leaky ReLU slope must be finite, got \(s)")
        }
        if case .truncatedNormal(let std) = initializer, !(std > 0 && std.isFinite) {
            throw SRError(.invalidArgument, "truncated_normal initializer needs a positive finite std, got \(std)")
        }
    }

    /// `p` with every PReLU slope set to the activation's fixed slope (unchanged for `.prelu`).
    public func applying(to p: DCSCNParameters) throws -> DCSCNParameters {
        guard let slope = activation.fixedSlope else { return p }
        var out = p
        for (i, s) in p.config.layers.enumerated() where s.hasPReLU {
            out = try out.replacingLayer(i) { $0.alpha = [Float](repeating: slope, count: s.outChannels) }
        }
        return out
    }

    /// Zeroes the gradients of the parameters these knobs keep fixed (the slopes of a fixed
    /// activation), so the optimiser leaves them exactly where `applying(to:)` put them.
    func freeze(gradients g: inout [Float], layout: ParameterLayout) {
        guard activation.fixedSlope != nil else { return }
        for e in layout.entries { for i in e.alpha { g[i] = 0 } }
    }
}

extension ParameterLayout {
    /// 1 for the parameters an optimiser updates under `knobs`, 0 for those it must leave alone
    /// (fixed activation slopes). Optimisers and gradient reductions use it to skip frozen values.
    public func trainableMask(_ knobs: ModelKnobs) -> [Float] {
        var m = [Float](repeating: 1, count: count)
        if knobs.activation.fixedSlope != nil { for e in entries { for i in e.alpha { m[i] = 0 } } }
        return m
    }
}
