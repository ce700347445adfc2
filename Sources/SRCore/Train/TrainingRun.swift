#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval

/// Validation numbers of one evaluation of the current weights.
public struct TrainValidation: Sendable {
    /// Mean PSNR / SSIM of the network.
    public var psnr: Double, ssim: Double
    /// Mean PSNR / SSIM of plain bicubic upscaling.
    public var bicubicPSNR: Double, bicubicSSIM: Double
    /// An upscaled luma image to show (0...255), if any.
    public var image: Image?

    /// Creates a result.
    public init(psnr: Double, ssim: Double, bicubicPSNR: Double, bicubicSSIM: Double, image: Image? = nil) {
        self.psnr = psnr; self.ssim = ssim; self.bicubicPSNR = bicubicPSNR; self.bicubicSSIM = bicubicSSIM; self.image = image
    }
}

/// Where and how often a run logs, validates and checkpoints.
public struct TrainRunOptions: Sendable {
    /// The run folder (checkpoint.h5, model.safetensors, train.csv, train.svg, TensorBoard events).
    public var runDir: String
    /// Validate every N steps (0 = only at epoch ends and at the end).
    public var validateEvery = 1000
    /// Validate at the end of every epoch.
    public var validateEachEpoch = true
    /// Write a checkpoint every N steps.
    public var checkpointEvery = 500
    /// Log a CSV row / progress line every N steps.
    public var logEvery = 50
    /// Provenance stored in exported weights (training data, command ...).
    public var provenance: [String: String] = [:]
    /// Write TensorBoard event files.
    public var tensorBoard = true
    /// Polled before every step; returning true ends `run()` with `.cancelled` (Ctrl-C in
    /// `sr train`). Files already written stay whole: every save is a temporary file renamed.
    public var shouldStop: (@Sendable () -> Bool)? = nil
    /// Export (and validate) the trainer's weight average instead of the raw weights.
    public var exportAverage = false
    /// End the run when validation PSNR stops improving (keeps best.safetensors).
    public var earlyStop: EarlyStopping? = nil
    /// Per-layer gradient norms, gradient histograms and activation histograms (of the exported weights on
    /// the first patches of the latest batch) in TensorBoard wherever weight histograms are written.
    public var gradientHistograms = false

    /// Options for `runDir`.
    public init(runDir: String) { self.runDir = runDir }
}

/// Drives a `Trainer` over a `PatchBatchLoader` for `steps` steps: progress lines, CSV + SVG curve,
/// TensorBoard events, periodic validation, atomic checkpoints and the exported weights file.
public final class TrainingRun {
    /// The trainer.
    public let trainer: Trainer
    /// The data.
    public let loader: PatchBatchLoader
    /// Total steps.
    public let steps: Int
    /// Logging and checkpoint settings.
    public let options: TrainRunOptions
    private let validator: ((DCSCNParameters) throws -> TrainValidation)?
    private let progress: (String) -> Void
    private var log: TrainLog
    private var events: TensorBoardWriter?
    private var activations = ActivationSummary()
    /// The latest validation result.
    public private(set) var lastValidation: TrainValidation?
    /// The early-stopping state (nil when off).
    public private(set) var earlyStop: EarlyStopping?

    /// Sets up a run. `validator` evaluates weights (the `sr eval` procedure); `progress` receives one line per log interval.
    public init(trainer: Trainer, loader: PatchBatchLoader, steps: Int, options: TrainRunOptions,
                validator: ((DCSCNParameters) throws -> TrainValidation)?, progress: @escaping (String) -> Void) throws {
        self.trainer = trainer
        self.loader = loader
        self.steps = steps
        self.options = options
        self.validator = validator
        self.progress = progress
        try FileSystem.makeDirectories(options.runDir)
        // Temporary files of a run that was killed (checkpoint, model, a snapshot the new run may
        // never write again) are removed now; AtomicFile only cleans a destination it writes.
        AtomicFile.removeStaleTemporaries(inFolder: options.runDir)
        AtomicFile.removeStaleTemporaries(inFolder: options.runDir + "/snapshots")
        log = try TrainLog(folder: options.runDir, resumeStep: trainer.step)
        if options.tensorBoard { events = try TensorBoardWriter(folder: options.runDir) }
        earlyStop = options.earlyStop
        for p in log.psnrs { earlyStop?.observe(psnr: p.psnr, step: p.step) }   // a resumed run's history
    }

    /// Path of the resumable checkpoint.
    public var checkpointPath: String { options.runDir + "/checkpoint.h5" }
    /// Path of the exported weights.
    public var modelPath: String { options.runDir + "/model.safetensors" }
    /// Path of the weights of the best validation (with early stopping).
    public var bestPath: String { options.runDir + "/best.safetensors" }

    private func provenance() -> [String: String] {
        var p = options.provenance
        p["steps"] = String(trainer.step)
        p["patches_seen"] = String(trainer.step * trainer.options.batch)
        if let v = lastValidation {
            p["validation_psnr"] = String(v.psnr)
            p["validation_ssim"] = String(v.ssim)
        }
        return p
    }

    /// Writes checkpoint.h5 and model.safetensors (snapshots/model-<step>.safetensors beside).
    public func save() throws {
        try TrainCheckpoint(trainer: trainer, options: options.provenance["command"] ?? "").write(to: checkpointPath)
        let params = try trainer.exportedParameters(averaged: options.exportAverage, provenance: provenance())
        try WeightsFile.write(params, to: modelPath)   // atomic: temp file, fsync, rename
        // Keep a copy per checkpoint so any point of the curve can be evaluated later.
        try FileSystem.makeDirectories(options.runDir + "/snapshots")
        try WeightsFile.write(params, to: options.runDir + "/snapshots/model-\(trainer.step).safetensors")
    }

    /// Runs validation now, logs it and returns it.
    @discardableResult
    public func validate() throws -> TrainValidation? {
        guard let validator else { return nil }
        let t0 = Clock.monotonic()
        let v = try validator(try trainer.exportedParameters(averaged: options.exportAverage))
        lastValidation = v
        if earlyStop?.observe(psnr: v.psnr, step: trainer.step) == true {
            try WeightsFile.write(try trainer.exportedParameters(averaged: options.exportAverage, provenance: provenance()), to: bestPath)
        }
        try log.validation(step: trainer.step, v)
        events?.scalar("validation/psnr", v.psnr, step: trainer.step)
        events?.scalar("validation/ssim", v.ssim, step: trainer.step)
        events?.scalar("validation/bicubic_psnr", v.bicubicPSNR, step: trainer.step)
        if let img = v.image { events?.image("validation/output", img, step: trainer.step) }
        try events?.flush()
        progress("validation at step \(trainer.step): PSNR \(DecimalFormat.fixed(v.psnr, 4)) SSIM \(DecimalFormat.fixed(v.ssim, 5)) (bicubic \(DecimalFormat.fixed(v.bicubicPSNR, 4))) [\(DecimalFormat.fixed(Clock.monotonic() - t0, 1)) s]")
        return v
    }

    private func histograms() throws {
        guard let events else { return }
        for e in trainer.layout.entries {
            events.histogram("weights/\(e.spec.name)/kernel", Array(trainer.weights[e.kernel]), step: trainer.step)
            if !e.bias.isEmpty { events.histogram("weights/\(e.spec.name)/bias", Array(trainer.weights[e.bias]), step: trainer.step) }
            if !e.alpha.isEmpty { events.histogram("weights/\(e.spec.name)/prelu", Array(trainer.weights[e.alpha]), step: trainer.step) }
        }
        if options.gradientHistograms && trainer.step > 0 {
            GradientSummary.write(trainer, to: events)
            try activations.write(try trainer.exportedParameters(averaged: options.exportAverage), step: trainer.step, to: events)
        }
    }

    /// Trains until `steps`; returns the mean loss of the last log interval.
    @discardableResult
    public func run() throws -> Double {
        let spe = loader.stepsPerEpoch
        loader.start(at: trainer.step)
        defer { loader.stop() }
        if trainer.step == 0 {
            try histograms()
            if validator != nil, options.validateEvery > 0 || options.validateEachEpoch { try validate() }
        }
        var sumLoss = 0.0, sumNorm = 0.0, n = 0
        var t0 = Clock.monotonic()
        let tStart = t0, stepStart = trainer.step
        var lastLoss = Double.nan
        while trainer.step < steps && !(earlyStop?.shouldStop ?? false) {
            if let stop = options.shouldStop, stop() {
                throw SRError(.cancelled, "interrupted at step \(trainer.step) of \(steps)")
            }
            let b = try loader.next()
            let r: TrainStepResult
            if options.gradientHistograms { activations.keep(b) }
            do { r = try trainer.train(b, stepsPerEpoch: spe) } catch { loader.release(); throw error }
            loader.release()
            guard r.loss.isFinite else {
                throw SRError(.internal, "loss became \(r.loss) at step \(trainer.step); lower the learning rate")
            }
            sumLoss += r.loss; sumNorm += r.gradNorm; n += 1
            let s = trainer.step
            if s % options.logEvery == 0 || s == steps {
                let t1 = Clock.monotonic()
                let rate = Double(n * trainer.options.batch) / max(t1 - t0, 1e-9)
                lastLoss = sumLoss / Double(n)
                try log.step(step: s, epoch: Double(s) / Double(spe), lr: r.learningRate, loss: lastLoss, l2: r.l2,
                             gradNorm: sumNorm / Double(n), patchesPerSecond: rate)
                events?.scalar("train/loss", lastLoss, step: s)
                events?.scalar("train/learning_rate", r.learningRate, step: s)
                events?.scalar("train/grad_norm", sumNorm / Double(n), step: s)
                events?.scalar("train/patches_per_second", rate, step: s)
                let avgRate = Double((s - stepStart) * trainer.options.batch) / max(t1 - tStart, 1e-9)
                let eta = Double((steps - s) * trainer.options.batch) / max(avgRate, 1e-9)
                let psnr = lastValidation.map { DecimalFormat.fixed($0.psnr, 3) } ?? "-"
                progress("epoch \(s / spe + 1) step \(s)/\(steps) \(DecimalFormat.fixed(rate, 1)) patches/s loss \(DecimalFormat.fixed(lastLoss, 4)) lr \(DecimalFormat.scientific(r.learningRate)) PSNR \(psnr) ETA \(DecimalFormat.duration(eta))")
                sumLoss = 0; sumNorm = 0; n = 0; t0 = t1
            }
            let epochEnd = s % spe == 0
            let doVal = validator != nil && ((options.validateEvery > 0 && s % options.validateEvery == 0) ||
                                             (options.validateEachEpoch && epochEnd))
            if doVal && s != steps {
                try histograms()
                try validate()
                t0 = Clock.monotonic()
            }
            if s % options.checkpointEvery == 0 && s != steps {
                try save()
                try events?.flush()
                t0 = Clock.monotonic()
            }
        }
        try histograms()
        if let e = earlyStop, e.shouldStop {
            progress("early stop at step \(trainer.step): no PSNR gain over \(DecimalFormat.fixed(e.best, 4)) (step \(e.bestStep)) in \(e.patience) validations; best weights in \(bestPath)")
        } else if validator != nil { try validate() }
        try save()
        try events?.flush()
        try log.finish()
        return lastLoss
    }
}
