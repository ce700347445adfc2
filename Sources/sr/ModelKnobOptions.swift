import ArgumentParser
import SRCLI
import SRCore

/// `sr train --activation`.
enum ActivationChoice: String, CaseIterable, ExpressibleByArgument {
    /// PReLU with learned slopes (the reference).
    case prelu
    /// ReLU (slopes fixed at 0).
    case relu
    /// Leaky ReLU (slopes fixed at --leaky-slope).
    case leakyRelu = "leaky_relu"
    /// tanh, ELU, SELU: no slopes; stored as the weights' `activation` (format_version 3.0).
    case tanh, elu, selu
}

/// `sr train --upsampler`.
enum UpsamplerChoice: String, CaseIterable, ExpressibleByArgument {
    /// Pixel shuffle: a conv to b²·C channels, then depth_to_space (the reference).
    case pixelShuffle = "pixel_shuffle"
    /// A stride-b transposed conv (trained as its own kernel, exported as the equivalent pixel-shuffle conv).
    case transposed
}

/// `sr train --initializer`.
enum InitializerChoice: String, CaseIterable, ExpressibleByArgument {
    case heTruncated = "he_truncated", heUniform = "he_uniform", xavier, truncatedNormal = "truncated_normal"
}

/// The structural knobs of `sr train` (docs/techniques.md "Knobs"); each is recorded in the exported
/// weights, so `sr upscale` needs no flag for them.
struct ModelKnobOptions: ParsableArguments {
    @Option(help: "Activation after the feature, A1, B1 and B2 convs (relu/leaky_relu: PReLU with fixed slopes; tanh/elu/selu: recorded in the weights, format 3.0).")
    var activation: ActivationChoice = .prelu
    @Option(parsing: .unconditional, help: "Slope of --activation leaky_relu, [-1, 1].") var leakySlope: Float = 0.01
    @Option(help: "Initial conv kernels: he_truncated (reference), he_uniform, xavier, truncated_normal (--init-std).")
    var initializer: InitializerChoice = .heTruncated
    @Option(parsing: .unconditional, help: "Std of --initializer truncated_normal, (0, 10].") var initStd: Double = 0.05

    @Option(parsing: .unconditional, help: "Train every k x k conv as a collapsible linear block with this hidden width (0 = off, up to 4096); exported collapsed.")
    var collapsibleWidth = 0
    @Option(name: .customLong("upsampler"), help: "Upsampler: pixel_shuffle (reference; the default) or transposed (a stride-b transposed conv per upsampler stage, exported as the equivalent pixel-shuffle conv).")
    var upsamplerChoice: UpsamplerChoice?
    @Option(parsing: .unconditional, help: "Kernel size K of --upsampler transposed (implies it): b·k' with k' odd and at most the kernel size 3 (b = 2 for x2 and x4, 3 for x3: 2, 6 or 3, 9; default 6 / 9).")
    var transposedKernel: Int?
    /// The upsampler: --upsampler, else transposed when --transposed-kernel is given (so a sweep can vary
    /// the kernel alone), else pixel shuffle.
    var upsampler: UpsamplerChoice { upsamplerChoice ?? (transposedKernel == nil ? .pixelShuffle : .transposed) }
    @Flag(help: "Batch normalization after each feature conv (statistics over groups of --micro-batch patches; folded into the convs at export).")
    var batchNorm = false
    @Flag(help: "No global residual: the network predicts the HR luma itself (the bicubic upscale is not added).")
    var noResidual = false
    @Option(parsing: .unconditional, help: "Input normalisation: the network sees (luma - shift) * scale; shift in [-255, 255].")
    var inputShift: Float = 0
    @Option(parsing: .unconditional, help: "Input normalisation scale, (0, 100] (e.g. 0.00392 for 1/255).")
    var inputScale: Float = 1
    @Option(help: "Dilation of each feature conv, comma-separated, one per feature layer, each 1...64 (e.g. 1,1,2,2,4,4,1).")
    var dilations: String?

    /// The parsed --dilations (empty when not given).
    var dilationList: [Int] {
        get throws {
            guard let d = dilations else { return [] }
            let v = d.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingPrefix(" ")) }
            guard !v.isEmpty, v.allSatisfy({ $0.map { (1...DCSCNConfig.maxDilationValue).contains($0) } ?? false }) else {
                throw ValidationError("--dilations must be comma-separated integers in 1...\(DCSCNConfig.maxDilationValue), got '\(d)'")
            }
            return v.map { $0! }
        }
    }

    func validate() throws {
        try OptionCheck.require("--leaky-slope", Double(leakySlope), above: -1, inclusive: true, atMost: 1)
        try OptionCheck.require("--init-std", initStd, above: 0, atMost: 10)
        try OptionCheck.require("--input-shift", Double(inputShift), above: -255, inclusive: true, atMost: 255)
        try OptionCheck.require("--input-scale", Double(inputScale), above: 0, atMost: 100)
        try OptionCheck.require("--collapsible-width", collapsibleWidth, in: 0...4096)
        if let k = transposedKernel {
            guard upsampler == .transposed else { throw ValidationError("--transposed-kernel needs --upsampler transposed") }
            try OptionCheck.require("--transposed-kernel", k, in: 1...(DCSCNConfig.maxKernelSize * 8))
        }
        if upsampler == .transposed && collapsibleWidth > 0 {
            throw ValidationError("--upsampler transposed and --collapsible-width exclude each other (both re-parameterise Up-PS)")
        }
        if upsampler == .transposed && batchNorm {
            throw ValidationError("--batch-norm and --upsampler transposed are not combined yet")
        }
        _ = try dilationList
    }

    /// `c` with the structural knobs that live in the config (residual, input normalisation, tanh/elu/selu).
    /// `validate()` has checked --dilations; `checkDilations(layers:)` its count.
    func structure(_ c: DCSCNConfig) -> DCSCNConfig {
        var c = c
        c.dilations = (try? dilationList) ?? []
        c.residual = !noResidual
        c.inputShift = inputShift
        c.inputScale = inputScale
        switch activation {
        case .tanh: c.activation = .tanh
        case .elu: c.activation = .elu
        case .selu: c.activation = .selu
        case .prelu, .relu, .leakyRelu: c.activation = .prelu
        }
        return c
    }

    /// --dilations must give one value per feature layer.
    func checkDilations(layers: Int) throws {
        let d = try dilationList
        guard d.isEmpty || d.count == layers else {
            throw ValidationError("--dilations has \(d.count) values, the model has \(layers) feature layers (--layers)")
        }
    }

    /// --transposed-kernel must fit every upsampler stage of `config` (K = b·k', k' odd, k' ≤ kernel size).
    func checkTransposedKernel(_ config: DCSCNConfig) throws {
        guard upsampler == .transposed else { return }
        do {
            _ = try TransposedUpsampler(layout: ParameterLayout(config: config), kernel: transposedKernel ?? TransposedUpsampler.defaultKernel(config))
        } catch let e as SRError {
            throw ValidationError("--transposed-kernel: \(e.message)")
        }
    }

    /// The knobs these options select (`config`: the run's architecture, for the default --transposed-kernel).
    func knobs(_ config: DCSCNConfig) -> ModelKnobs {
        var k = ModelKnobs()
        switch activation {
        case .prelu: k.activation = .prelu
        case .relu: k.activation = .relu
        case .leakyRelu: k.activation = .leakyReLU(slope: leakySlope)
        case .tanh, .elu, .selu: k.activation = .prelu   // a config field (structure(_:)), not a slope knob
        }
        switch initializer {
        case .heTruncated: k.initializer = .heTruncated
        case .heUniform: k.initializer = .heUniform
        case .xavier: k.initializer = .xavier
        case .truncatedNormal: k.initializer = .truncatedNormal(std: initStd)
        }
        k.collapsibleWidth = collapsibleWidth
        if upsampler == .transposed { k.transposedKernel = transposedKernel ?? TransposedUpsampler.defaultKernel(config) }
        k.batchNorm = batchNorm
        return k
    }
}

extension ModelKnobOptions {
    /// The options --batch-norm excludes (docs/techniques.md "Knobs").
    func checkBatchNorm(resume: Bool, optimizer: OptimizerKind, exportEma: Bool) throws {
        guard batchNorm else { return }
        if collapsibleWidth > 0 { throw ValidationError("--batch-norm and --collapsible-width exclude each other") }
        if resume { throw ValidationError("--resume of a --batch-norm run is not supported (the checkpoint holds neither gamma/beta nor the running statistics)") }
        if optimizer != .adam { throw ValidationError("--batch-norm trains with --optimizer adam only") }
        if exportEma { throw ValidationError("--batch-norm and --export-ema exclude each other (the average holds neither gamma/beta nor the running statistics)") }
    }
}
