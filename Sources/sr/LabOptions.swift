import ArgumentParser
import SRCLI
import SRCore

extension OptimizerKind: ExpressibleByArgument {}

/// The training-procedure knobs of `sr train` (docs/lab.md): optimiser, weight average, early
/// stopping and TensorBoard diagnostics, kept in one option group so the train command stays small.
struct LabOptions: ParsableArguments {
    @Option(help: "Update rule: adam (default, the reference's), sgd (with --momentum), adamw (with --weight-decay).")
    var optimizer: OptimizerKind = .adam
    @Option(parsing: .unconditional, help: "SGD momentum, [0, 1) (--optimizer sgd).") var momentum: Double = 0.9
    @Option(parsing: .unconditional, help: "AdamW decoupled weight decay on kernels, [0, 10] (--optimizer adamw).") var weightDecay: Double = 0.01
    @Option(parsing: .unconditional, help: "Keep an exponential moving average of the weights with this decay, (0, 1).") var ema: Double?
    @Flag(help: "Export (and validate) the moving average instead of the raw weights (needs --ema).") var exportEma = false
    @Option(parsing: .unconditional, help: "Stop after N validations without a PSNR gain, N >= 1 (needs --val; keeps best.safetensors).") var earlyStop: Int?
    @Option(parsing: .unconditional, help: "PSNR gain in dB that counts as an improvement for --early-stop, [0, 100].") var earlyStopDelta: Double = 0
    @Flag(help: "Per-layer gradient norms, gradient and activation histograms in TensorBoard at each validation (costs a pass over 4 patches).") var tbHistograms = false

    func validate(hasValidation: Bool) throws {
        try OptionCheck.require("--momentum", momentum, above: 0, inclusive: true, atMost: 0.999999)
        try OptionCheck.require("--weight-decay", weightDecay, above: 0, inclusive: true, atMost: 10)
        if let ema { try OptionCheck.require("--ema", ema, above: 0, atMost: 0.999999) }
        if exportEma && ema == nil { throw ValidationError("--export-ema needs --ema DECAY") }
        try OptionCheck.require("--early-stop", earlyStop, in: 1...1_000_000)
        try OptionCheck.require("--early-stop-delta", earlyStopDelta, above: 0, inclusive: true, atMost: 100)
        if earlyStop != nil && !hasValidation { throw ValidationError("--early-stop needs --val (it watches validation PSNR)") }
    }

    /// Puts the knobs into the trainer's options.
    func apply(to o: inout TrainOptions) {
        o.optimizer = optimizer; o.momentum = momentum; o.weightDecay = optimizer == .adamw ? weightDecay : 0
        o.emaDecay = ema
    }

    /// Puts the knobs into the run's options.
    func apply(to ro: inout TrainRunOptions) {
        ro.exportAverage = exportEma
        ro.earlyStop = earlyStop.map { EarlyStopping(patience: $0, minDelta: earlyStopDelta) }
        ro.gradientHistograms = tbHistograms
    }
}
