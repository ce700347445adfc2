import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval
/// A resumable training state: weights, optimiser state, step and the seed that derives the data order
/// and dropout masks, stored in one HDF5 file written atomically (temp file + rename).
///
/// Layout (format_version 1.1): root attrs `format="srcore.train-checkpoint"`, `format_version`, `step`,
/// `seed` (as a decimal string), `optimizer` (adam, sgd, adamw), `optimizer_t`, the config (`scale`,
/// `feature_widths`, `nin_a`, `nin_b`, `shuffler_filters`, `kernel_size`) and `options` (a readable summary);
/// datasets `/weights` and `/optimizer/<name>` per state array (flat, `ParameterLayout` order); with a
/// weight average also `/ema` and attrs `ema_decay`, `ema_updates`; with a transposed-convolution
/// upsampler the attr `transposed_kernel`. Version 1.0 (Adam only: `adam_t`,
/// `/adam_m`, `/adam_v`) is still read.
public struct TrainCheckpoint: Sendable {
    /// Format name in the `format` attribute.
    public static let formatName = "srcore.train-checkpoint"
    /// The version written.
    public static let version = "1.1"
    /// The architecture.
    public var config: DCSCNConfig
    /// Completed steps.
    public var step: Int
    /// The run's seed.
    public var seed: UInt64
    /// Flat weights.
    public var weights: [Float]
    /// The optimiser's state.
    public var optimizer: OptimizerState
    /// The weight average, if the run keeps one.
    public var ema: WeightAverage?
    /// Human-readable options of the run that wrote it.
    public var options: String
    /// The run's `--transposed-kernel` (0: pixel shuffle). With a transposed upsampler the optimiser
    /// state of the Up-PS kernels is in the transposed kernels' order, so a resume needs the same value.
    public var transposedKernel = 0

    /// Captures a trainer's state.
    public init(trainer: Trainer, options: String) {
        config = trainer.config
        step = trainer.step
        seed = trainer.options.seed
        weights = trainer.weights
        optimizer = trainer.optimizer.state
        ema = trainer.ema
        self.options = options
        transposedKernel = trainer.transposed?.kernel ?? 0
    }

    /// Writes the checkpoint to `path` atomically.
    public func write(to path: String) throws {
        try HDF5File.writeAtomically(path) { f in
            try f.setAttribute("format", Self.formatName)
            try f.setAttribute("format_version", Self.version)
            try f.setAttribute("step", step)
            try f.setAttribute("optimizer", optimizer.kind.rawValue)
            try f.setAttribute("optimizer_t", optimizer.t)
            try f.setAttribute("seed", String(seed))
            try WeightsFile.writeConfig(config, to: f)
            try f.setAttribute("options", options)
            if transposedKernel > 0 { try f.setAttribute("transposed_kernel", transposedKernel) }
            try f.write("/weights", floats: weights, shape: [weights.count])
            try f.createGroup("/optimizer")
            for (name, a) in optimizer.arrays.sorted(by: { $0.key < $1.key }) {
                try f.write("/optimizer/" + name, floats: a, shape: [a.count])
            }
            if let ema {
                try f.setAttribute("ema_decay", ema.decay)
                try f.setAttribute("ema_updates", ema.updates)
                try f.write("/ema", floats: ema.weights, shape: [ema.weights.count])
            }
        }
    }

    /// Reads a checkpoint (version 1.0 or 1.1); refuses other files with a message naming the file.
    public static func read(path: String) throws -> TrainCheckpoint {
        try HDF5File.lock.withLock {
            let f = try HDF5File.open(path)
            defer { f.release() }
            guard try f.stringAttribute("format") == formatName else {
                throw SRError(.format, "\(path): not a training checkpoint (format attribute is not \(formatName))")
            }
            func int(_ n: String) throws -> Int {
                guard let v = try f.intAttribute(n) else { throw SRError(.format, "\(path): attribute \(n) is missing") }
                return v
            }
            guard let seedText = try f.stringAttribute("seed"), let seed = UInt64(seedText) else {
                throw SRError(.format, "\(path): the seed attribute is missing")
            }
            let config = try WeightsFile.readConfig(f, path: path)
            let w = try f.readFloats("/weights")
            let count = ParameterLayout(config: config).count
            let version = try f.stringAttribute("format_version") ?? "1.0"
            let state: OptimizerState
            switch version {
            case "1.0":
                state = OptimizerState(kind: .adam, t: try int("adam_t"),
                                       arrays: ["m": try f.readFloats("/adam_m"), "v": try f.readFloats("/adam_v")])
            case "1.1":
                guard let name = try f.stringAttribute("optimizer"), let kind = OptimizerKind(rawValue: name) else {
                    throw SRError(.format, "\(path): the optimizer attribute is missing or unknown")
                }
                var arrays: [String: [Float]] = [:]
                for n in try f.members(of: "/optimizer") { arrays[n] = try f.readFloats("/optimizer/" + n) }
                state = OptimizerState(kind: kind, t: try int("optimizer_t"), arrays: arrays)
            default:
                throw SRError(.unsupported, "\(path): checkpoint format_version \(version); this build reads 1.0 and 1.1")
            }
            let bad = state.arrays.first { $0.value.count != count }
            guard w.count == count, bad == nil else {
                throw SRError(.shapeMismatch, "\(path): weights/\(bad?.key ?? "state") have \(w.count)/\(bad?.value.count ?? count) values, the config needs \(count)")
            }
            var ema: WeightAverage? = nil
            if f.exists("/ema") {
                let e = try f.readFloats("/ema")
                guard e.count == count, let d = try f.doubleAttribute("ema_decay") else {
                    throw SRError(.format, "\(path): /ema has \(e.count) values (needs \(count)) or ema_decay is missing")
                }
                ema = WeightAverage(decay: d, initial: e, updates: try int("ema_updates"))
            }
            var ck = TrainCheckpoint(config: config, step: try int("step"), seed: seed, weights: w, optimizer: state,
                                     ema: ema, options: try f.stringAttribute("options") ?? "")
            ck.transposedKernel = try f.intAttribute("transposed_kernel") ?? 0
            return ck
        }
    }

    private init(config: DCSCNConfig, step: Int, seed: UInt64, weights: [Float], optimizer: OptimizerState,
                 ema: WeightAverage?, options: String) {
        self.config = config; self.step = step; self.seed = seed; self.weights = weights
        self.optimizer = optimizer; self.ema = ema; self.options = options
    }

    /// Puts this state into `trainer` (same config and optimiser required). A run that keeps a weight
    /// average but resumes a checkpoint without one starts the average at the checkpoint's weights.
    public func restore(into trainer: Trainer) throws {
        guard trainer.collapsible == nil else {
            throw SRError(.unsupported, "resuming a run with collapsible blocks is not supported (the checkpoint holds the collapsed weights only)")
        }
        guard trainer.batchNorm == nil else {
            throw SRError(.unsupported, "resuming a run with batch norm is not supported (the checkpoint holds neither γ/β nor the running statistics)")
        }
        let k = trainer.transposed?.kernel ?? 0
        guard k == transposedKernel else {
            func name(_ k: Int) -> String { k > 0 ? "a transposed-convolution upsampler (--transposed-kernel \(k))" : "the pixel-shuffle upsampler" }
            throw SRError(.shapeMismatch, "the checkpoint was trained with \(name(transposedKernel)), this run asks for \(name(k)); resume with the same --upsampler and --transposed-kernel")
        }
        guard trainer.config == config else {
            throw SRError(.shapeMismatch, "checkpoint config (widths \(config.featureWidths), x\(config.scale)) differs from the run's (widths \(trainer.config.featureWidths), x\(trainer.config.scale))")
        }
        try trainer.optimizer.restore(optimizer)
        trainer.weights = weights
        if let d = trainer.options.emaDecay {
            trainer.ema = ema.map { WeightAverage(decay: d, initial: $0.weights, updates: $0.updates) }
                ?? WeightAverage(decay: d, initial: weights)
        }
        trainer.step = step
    }
}
