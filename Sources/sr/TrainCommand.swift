import ArgumentParser
import SRCLI
import SRCore
import SRMPI
#if canImport(Glibc)
import Glibc
#endif

/// `sr train`: trains a DCSCN network on an `srprep build` patch set.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a DCSCN network on an srprep patch set.",
        discussion: """
        Defaults are the reference recipe (docs/reference.md §11.4) on c-DCSCN: MSE + 1e-4 L2 on kernels, Adam \
        (0.9, 0.999, 1e-8), global-norm clip 5, batch 20, step decay 0.002 x0.5 every 9 epochs until 2e-5.
        The run folder gets checkpoint.h5 (resumable), model.safetensors (weights with provenance), train.csv, \
        validation.csv, train.svg and TensorBoard event files.

        Example (the shipped x2 model):
          sr train --data x2.h5 --run-dir runs/x2 --schedule cosine --lr 0.004 --warmup 500 --steps 13000 \\
                   --end-lr 1e-5 --val data/set5
        """)

    @Option(help: "Patch set from `srprep build` (HDF5).") var data: String
    @Option(help: "Run folder (created; holds checkpoints, logs, model.safetensors).") var runDir: String
    // Architecture (defaults: c-DCSCN). Widths: the trainer's kernels take at most 1024 channels a layer.
    @Option(parsing: .unconditional, help: "Upscaling factor, 2...8 (the patch set's).") var scale: Int = 2
    @Option(parsing: .unconditional, help: "Feature-extraction layers, 1...64.") var layers: Int = 7
    @Option(parsing: .unconditional, help: "Width of the first feature layer, 1...1024.") var filters: Int = 32
    @Option(parsing: .unconditional, help: "Width of the last feature layer, 0...1024 (0 = all layers --filters wide).") var minFilters: Int = 8
    @Option(parsing: .unconditional, help: "Width decay exponent, (0, 1000].") var gamma: Double = 1.2
    @Option(parsing: .unconditional, help: "Width of NIN branch A1, 1...1024.") var ninA: Int = 24
    @Option(parsing: .unconditional, help: "Width of NIN branches B1/B2, 1...1024.") var ninB: Int = 8
    @Option(parsing: .unconditional, help: "Channels after the pixel shuffler, 0...1024 (0 = keep the reconstruction width).") var shufflerFilters: Int = 1
    // Optimisation.
    @Option(parsing: .unconditional, help: "Patches per step, 1...\(Self.maxBatch).") var batch: Int = 20
    @Option(parsing: .unconditional, help: "Initial (step) or peak (cosine) learning rate, (0, 10].") var lr: Double = 0.002
    @Option(help: "Learning-rate schedule: step (x --decay every --decay-epochs until below --end-lr), cosine (warm-up, then down to --end-lr), constant.")
    var schedule: ScheduleKind = .step
    @Option(parsing: .unconditional, help: "Warm-up steps (cosine), 0...\(Self.maxSteps).") var warmup: Int = 0
    @Option(parsing: .unconditional, help: "Step decay factor, (0, 1].") var decay: Double = 0.5
    @Option(parsing: .unconditional, help: "Epochs between step decays, 1...1000000.") var decayEpochs: Int = 9
    @Option(parsing: .unconditional, help: "Final learning rate, [0, 10] (step: stop below it; cosine: decay target).") var endLr: Double = 2e-5
    @Option(parsing: .unconditional, help: "Total steps, 1...\(Self.maxSteps) (default: what the schedule implies).") var steps: Int?
    @Option(parsing: .unconditional, help: "Total epochs, (0, 1000000] (alternative to --steps).") var epochs: Double?
    @Flag(help: "L1 loss instead of MSE.") var l1 = false
    @Option(parsing: .unconditional, help: "Dropout keep probability, (0, 1] (1 = off; the reference uses 0.8).") var dropoutKeep: Float = 1
    @Option(parsing: .unconditional, help: "L2 decay on conv kernels, [0, 1000].") var l2: Double = 1e-4
    @Option(parsing: .unconditional, help: "Global-norm gradient clip, [0, 1e9] (0 = off).") var clip: Double = 5
    @Option(parsing: .unconditional, help: "Seed (init, data order, dropout), 0...18446744073709551615.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Worker threads, 1...256 (results depend on it).") var threads: Int = 2
    @Option(parsing: .unconditional, help: "Contiguous patches per slice of the shuffled data order, 1 or more.") var slice: Int = 1
    @Option(parsing: .unconditional, help: "Patches per forward/backward pass within a thread, 0...--batch (0 = the thread's whole shard); with --batch-norm, the group each batch statistic covers.") var microBatch: Int = 1
    // Run control.
    @Option(help: "Validation image folder (the `sr eval` procedure).") var val: String?
    @Option(parsing: .unconditional, help: "Validate every N steps (0 = epoch ends only).") var valEvery: Int = 1000
    @Option(parsing: .unconditional, help: "Checkpoint every N steps (N >= 1).") var checkpointEvery: Int = 500
    @Option(parsing: .unconditional, help: "Progress line / CSV row every N steps (N >= 1).") var logEvery: Int = 50
    @Flag(help: "Continue from <run-dir>/checkpoint.h5.") var resume = false
    @Option(help: "Start from these weights (layers whose shapes match; e.g. x3/x4 from x2).") var `init`: String?
    @Option(parsing: .unconditional, help: "Train on the first N patches only (N >= 1) and report how far the loss falls.") var overfit: Int?
    @Flag(help: "Do not write TensorBoard event files.") var noTensorboard = false
    @Option(parsing: .unconditional, help: "Under mpirun: compare the ranks' weight checksums every N steps, 0...\(Self.maxSteps) (0 = never).") var syncCheck: Int = 100
    @OptionGroup(title: "Training procedure (docs/lab.md)") var lab: LabOptions
    @OptionGroup(title: "Model knobs") var knobs: ModelKnobOptions

    /// Upper bounds that keep every count in range (and the step arithmetic far from overflow).
    static let maxSteps = 100_000_000
    static let maxBatch = 1024
    static let maxChannels = 1024

    var config: DCSCNConfig {
        knobs.structure(DCSCNConfig(scale: scale, layers: layers, filters: filters, minFilters: minFilters, gamma: gamma,
                                    ninA: ninA, ninB: ninB, shufflerFilters: shufflerFilters))
    }

    func validate() throws {
        try OptionCheck.require("--scale", scale, in: 2...8)
        try OptionCheck.require("--layers", layers, in: 1...64)
        try knobs.checkDilations(layers: layers)
        try knobs.checkTransposedKernel(config)
        try OptionCheck.require("--filters", filters, in: 1...Self.maxChannels)
        try OptionCheck.require("--min-filters", minFilters, in: 0...Self.maxChannels)
        try OptionCheck.require("--gamma", gamma, above: 0, atMost: 1000)
        try OptionCheck.require("--nin-a", ninA, in: 1...Self.maxChannels)
        try OptionCheck.require("--nin-b", ninB, in: 1...Self.maxChannels)
        try OptionCheck.require("--shuffler-filters", shufflerFilters, in: 0...Self.maxChannels)
        try OptionCheck.require("--batch", batch, in: 1...Self.maxBatch)
        try OptionCheck.require("--lr", lr, above: 0, atMost: 10)
        try OptionCheck.require("--warmup", warmup, in: 0...Self.maxSteps)
        try OptionCheck.require("--decay", decay, above: 0, atMost: 1)
        try OptionCheck.require("--decay-epochs", decayEpochs, in: 1...1_000_000)
        try OptionCheck.require("--end-lr", endLr, above: 0, inclusive: true, atMost: 10)
        try OptionCheck.require("--steps", steps, in: 1...Self.maxSteps)
        if let e = epochs { try OptionCheck.require("--epochs", e, above: 0, atMost: 1_000_000) }
        if steps != nil && epochs != nil { throw ValidationError("--steps and --epochs exclude each other") }
        if `init` != nil && knobs.collapsibleWidth > 0 { throw ValidationError("--init and --collapsible-width exclude each other (the blocks start from their own initialisation)") }
        try knobs.checkBatchNorm(resume: resume, optimizer: lab.optimizer, exportEma: lab.exportEma)
        try OptionCheck.require("--dropout-keep", Double(dropoutKeep), above: 0, atMost: 1)
        try OptionCheck.require("--l2", l2, above: 0, inclusive: true, atMost: 1000)
        try OptionCheck.require("--clip", clip, above: 0, inclusive: true, atMost: 1e9)
        try OptionCheck.require("--threads", threads, in: 1...256)
        try OptionCheck.require("--slice", slice, in: 1...(1 << 30))
        try OptionCheck.require("--micro-batch", microBatch, in: 0...batch)
        try OptionCheck.require("--val-every", valEvery, in: 0...Self.maxSteps)
        try OptionCheck.require("--checkpoint-every", checkpointEvery, in: 1...Self.maxSteps)
        try OptionCheck.require("--log-every", logEvery, in: 1...Self.maxSteps)
        try OptionCheck.require("--overfit", overfit, in: 1...Int(Int32.max))
        try OptionCheck.require("--sync-check", syncCheck, in: 0...Self.maxSteps)
        try lab.validate(hasValidation: val != nil)
        if schedule != .step && steps == nil && epochs == nil {
            throw ValidationError("--schedule \(schedule.rawValue) needs --steps or --epochs")
        }
        if schedule == .step && steps == nil && epochs == nil && endLr == 0 && decay < 1 {
            throw ValidationError("--schedule step with --end-lr 0 never ends: give --end-lr > 0, --steps or --epochs")
        }
        // The architecture: the same checks the trainer makes, before any weights are allocated.
        let c = config
        do { try c.validate() } catch let e as SRError { throw ValidationError(e.message) }
        if let wide = c.layers.first(where: { $0.outChannels > Self.maxChannels }) {
            throw ValidationError("layer \(wide.name) would have \(wide.outChannels) output channels; the trainer "
                                  + "supports at most \(Self.maxChannels) (lower --shuffler-filters, --nin-a or --nin-b)")
        }
    }

    /// Total steps from --steps, --epochs or the schedule, checked against `maxSteps` in floating
    /// point first, so no product can overflow.
    func totalSteps(stepsPerEpoch spe: Int, schedule s: LearningRateSchedule) throws -> Int {
        if let steps { return steps }
        let estimate: Double
        if let epochs {
            estimate = (epochs * Double(spe)).rounded(.down)
        } else if decay < 1 && lr > endLr {
            let stages = (log(endLr / lr) / log(decay)).rounded(.up) + 1
            estimate = stages * Double(decayEpochs) * Double(spe)
        } else {
            estimate = Double(decayEpochs) * Double(spe)
        }
        guard estimate >= 1, estimate <= Double(Self.maxSteps) else {
            throw ValidationError("these options make \(estimate) steps (\(spe) per epoch); the limit is "
                                  + "1...\(Self.maxSteps): give --steps")
        }
        if epochs != nil { return Int(estimate) }
        guard let n = s.naturalSteps(stepsPerEpoch: spe), n >= 1, n <= Self.maxSteps else {
            throw ValidationError("the schedule implies no usable step count: give --steps")
        }
        return n
    }

    /// The run on `world`'s rank (TrainCommand+MPI.swift; a single rank outside mpirun).
    func train(world: Communicator) throws {
        // Ctrl-C sets a flag that the training loop polls before each step.
        Interrupt.install(.deferred, tool: "sr")
        let config = self.config
        let reader = try PatchSetReader(path: data)
        try TrainSetup.check(reader, config: config)
        var o = TrainOptions()
        o.batch = batch; o.l1 = l1; o.dropoutKeep = dropoutKeep; o.seed = seed; o.threads = threads
        o.clipNorm = clip; o.l2 = l2; o.microBatch = microBatch; o.knobs = knobs.knobs(config)
        lab.apply(to: &o)
        let rows = try dataParallelRows(world)
        let loader = try PatchBatchLoader(reader: reader, batch: batch, sliceLength: slice, seed: seed, limit: overfit, rows: rows)
        let spe = loader.stepsPerEpoch
        switch schedule {
        case .step: o.schedule = .step(initial: lr, decay: decay, decayEpochs: decayEpochs, end: endLr)
        case .constant: o.schedule = .constant(lr)
        case .cosine:
            o.schedule = .cosine(peak: lr, warmup: warmup, total: try totalSteps(stepsPerEpoch: spe, schedule: .constant(lr)), end: endLr)
        }
        let total = try totalSteps(stepsPerEpoch: spe, schedule: o.schedule)

        var initial: DCSCNParameters? = nil
        if let i = `init` { initial = try WeightsFile.read(path: i) }
        let (start, copied) = try TrainSetup.initialParameters(config: config, seed: seed, from: initial,
                                                               initializer: o.knobs.initializer)
        if `init` != nil { world.say("initialised from \(`init`!): copied \(copied.joined(separator: " ")); others He-initialised") }
        let trainer = try Trainer(parameters: start, options: o, lrSide: reader.lrPatch, topology: world.topology)
        trainer.syncCheckEvery = syncCheck
        var ro = TrainRunOptions(runDir: runDir)
        ro.validateEvery = valEvery; ro.checkpointEvery = checkpointEvery; ro.logEvery = logEvery
        ro.tensorBoard = !noTensorboard
        ro.shouldStop = { Interrupt.requested }
        lab.apply(to: &ro)
        ro.provenance = ["training_data": data, "training_patches": String(loader.usable),
                         // the tool's name, not the path it ran from: provenance travels with shipped files
                         "command": ([String(CommandLine.arguments.first?.split(separator: "/").last ?? "sr")]
                                     + CommandLine.arguments.dropFirst()).joined(separator: " "),
                         "validation_data": val ?? ""].merging(o.knobs.provenance) { a, _ in a }
        if resume {
            let ck = try TrainCheckpoint.read(path: runDir + "/checkpoint.h5")
            try ck.restore(into: trainer)
            world.say("resumed at step \(trainer.step) from \(runDir)/checkpoint.h5")
        }
        if world.rank != 0 { return try follow(trainer: trainer, loader: loader, steps: total) }
        var validator: ((DCSCNParameters) throws -> TrainValidation)? = nil
        if let val { validator = try TrainValidator.make(folder: val, scale: scale, threads: threads) }
        try Interrupt.check("nothing was written")
        print("training \(config.parameterCount) parameters (L\(config.featureWidths.count) \(config.featureWidths) A\(ninA) B\(ninB) x\(scale)) on \(loader.usable) patches of \(reader.lrPatch)x\(reader.lrPatch): \(spe) steps/epoch, \(total) steps")
        let run = try TrainingRun(trainer: trainer, loader: loader, steps: total, options: ro, validator: validator) { line in
            print(line)
            Console.flushOutput()
        }
        var firstLoss: Double? = nil
        if overfit != nil {
            let b = try loader.next(); firstLoss = try trainer.evaluate(b); loader.release(); loader.stop()
        }
        let last: Double
        do {
            last = try run.run()
        } catch let e as SRError where e.code == .cancelled {
            let saved = FileSystem.exists(run.checkpointPath)
                ? "the last checkpoint, \(run.checkpointPath), is whole: continue with --resume"
                : "no checkpoint was written yet"
            throw SRError(.cancelled, "\(e.message); \(saved)")
        }
        if let firstLoss {
            print("overfit \(overfit!) patches: loss \(firstLoss) -> \(last) (x\(firstLoss / max(last, 1e-30)) lower)")
        }
        print("wrote \(run.modelPath) and \(run.checkpointPath)")
    }
}
