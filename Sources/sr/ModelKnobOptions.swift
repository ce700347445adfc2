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
}

/// `sr train --initializer`.
enum InitializerChoice: String, CaseIterable, ExpressibleByArgument {
    case heTruncated = "he_truncated", heUniform = "he_uniform", xavier, truncatedNormal = "truncated_normal"
}

/// The structural knobs of `sr train` (docs/techniques.md "Knobs"); each is recorded in the exported
/// weights, so `sr upscale` needs no flag for them.
struct ModelKnobOptions: ParsableArguments {
    @Option(help: "Activation after the feature, A1, B1 and B2 convs (relu/leaky_relu: PReLU with fixed slopes).")
    var activation: ActivationChoice = .prelu
    @Option(parsing: .unconditional, help: "Slope of --activation leaky_relu, [-1, 1].") var leakySlope: Float = 0.01
    @Option(help: "Initial conv kernels: he_truncated (reference), he_uniform, xavier, truncated_normal (--init-std).")
    var initializer: InitializerChoice = .heTruncated
    @Option(parsing: .unconditional, help: "Std of --initializer truncated_normal, (0, 10].") var initStd: Double = 0.05

    @Option(parsing: .unconditional, help: "Train every k x k conv as a collapsible linear block with this hidden width (0 = off, up to 4096); exported collapsed.")
    var collapsibleWidth = 0
    @Flag(help: "No global residual: the network predicts the HR luma itself (the bicubic upscale is not added).")
    var noResidual = false
    @Option(parsing: .unconditional, help: "Input normalisation: the network sees (luma - shift) * scale; shift in [-255, 255].")
    var inputShift: Float = 0
    @Option(parsing: .unconditional, help: "Input normalisation scale, (0, 100] (e.g. 0.00392 for 1/255).")
    var inputScale: Float = 1

    func validate() throws {
        try OptionCheck.require("--leaky-slope", Double(leakySlope), above: -1, inclusive: true, atMost: 1)
        try OptionCheck.require("--init-std", initStd, above: 0, atMost: 10)
        try OptionCheck.require("--input-shift", Double(inputShift), above: -255, inclusive: true, atMost: 255)
        try OptionCheck.require("--input-scale", Double(inputScale), above: 0, atMost: 100)
        try OptionCheck.require("--collapsible-width", collapsibleWidth, in: 0...4096)
    }

    /// `c` with the structural knobs that live in the config (residual, input normalisation).
    func structure(_ c: DCSCNConfig) -> DCSCNConfig {
        var c = c
        c.residual = !noResidual
        c.inputShift = inputShift
        c.inputScale = inputScale
        return c
    }

    /// The knobs these options select.
    var knobs: ModelKnobs {
        var k = ModelKnobs()
        switch activation {
        case .prelu: k.activation = .prelu
        case .relu: k.activation = .relu
        case .leakyRelu: k.activation = .leakyReLU(slope: leakySlope)
        }
        switch initializer {
        case .heTruncated: k.initializer = .heTruncated
        case .heUniform: k.initializer = .heUniform
        case .xavier: k.initializer = .xavier
        case .truncatedNormal: k.initializer = .truncatedNormal(std: initStd)
        }
        k.collapsibleWidth = collapsibleWidth
        return k
    }
}
