import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval
/// A resumable training state: weights, Adam moments, step and the seed that derives the data order
/// and dropout masks, stored in one HDF5 file written atomically (temp file + rename).
///
/// Layout: root attrs `format="srcore.train-checkpoint"`, `format_version`, `step`, `adam_t`, `seed`
/// (as a decimal string), the config (`scale`, `feature_widths`, `nin_a`, `nin_b`, `shuffler_filters`,
/// `kernel_size`) and `options` (a readable summary); datasets `/weights`, `/adam_m`, `/adam_v`
/// (flat, `ParameterLayout` order).
public struct TrainCheckpoint: Sendable {
    /// Format name in the `format` attribute.
    public static let formatName = "srcore.train-checkpoint"
    /// The architecture.
    public var config: DCSCNConfig
    /// Completed steps.
    public var step: Int
    /// The run's seed.
    public var seed: UInt64
    /// Flat weights.
    public var weights: [Float]
    /// Adam moments and update count.
    public var m: [Float], v: [Float], adamT: Int
    /// Human-readable options of the run that wrote it.
    public var options: String

    /// Captures a trainer's state.
    public init(trainer: Trainer, options: String) {
        config = trainer.config
        step = trainer.step
        seed = trainer.options.seed
        weights = trainer.weights
        m = trainer.adam.m; v = trainer.adam.v; adamT = trainer.adam.t
        self.options = options
    }

    /// Writes the checkpoint to `path` atomically.
    public func write(to path: String) throws {
        try HDF5File.writeAtomically(path) { f in
            try f.setAttribute("format", Self.formatName)
            try f.setAttribute("format_version", "1.0")
            try f.setAttribute("step", step)
            try f.setAttribute("adam_t", adamT)
            try f.setAttribute("seed", String(seed))
            try WeightsFile.writeConfig(config, to: f)
            try f.setAttribute("options", options)
            try f.write("/weights", floats: weights, shape: [weights.count])
            try f.write("/adam_m", floats: m, shape: [m.count])
            try f.write("/adam_v", floats: v, shape: [v.count])
        }
    }

    /// Reads a checkpoint; refuses other files with a message naming the file.
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
            let m = try f.readFloats("/adam_m"), v = try f.readFloats("/adam_v")
            let count = ParameterLayout(config: config).count
            guard w.count == count, m.count == count, v.count == count else {
                throw SRError(.shapeMismatch, "\(path): weights/moments have \(w.count)/\(m.count)/\(v.count) values, the config needs \(count)")
            }
            return TrainCheckpoint(config: config, step: try int("step"), seed: seed, weights: w, m: m, v: v,
                                   adamT: try int("adam_t"), options: try f.stringAttribute("options") ?? "")
        }
    }

    private init(config: DCSCNConfig, step: Int, seed: UInt64, weights: [Float], m: [Float], v: [Float],
                 adamT: Int, options: String) {
        self.config = config; self.step = step; self.seed = seed; self.weights = weights
        self.m = m; self.v = v; self.adamT = adamT; self.options = options
    }

    /// Puts this state into `trainer` (same config required).
    public func restore(into trainer: Trainer) throws {
        guard trainer.collapsible == nil else {
            throw SRError(.unsupported, "resuming a run with collapsible blocks is not supported (the checkpoint holds the collapsed weights only)")
        }
        guard trainer.config == config else {
            throw SRError(.shapeMismatch, "checkpoint config (widths \(config.featureWidths), x\(config.scale)) differs from the run's (widths \(trainer.config.featureWidths), x\(trainer.config.scale))")
        }
        trainer.weights = weights
        trainer.adam.m = m; trainer.adam.v = v; trainer.adam.t = adamT
        trainer.step = step
    }
}
