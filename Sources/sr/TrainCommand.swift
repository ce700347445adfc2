import ArgumentParser
import SRCore
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
    // Architecture (defaults: c-DCSCN).
    @Option(help: "Upscaling factor.") var scale: Int = 2
    @Option(help: "Feature-extraction layers.") var layers: Int = 7
    @Option(help: "Width of the first feature layer.") var filters: Int = 32
    @Option(help: "Width of the last feature layer.") var minFilters: Int = 8
    @Option(help: "Width decay exponent.") var gamma: Double = 1.2
    @Option(help: "Width of NIN branch A1.") var ninA: Int = 24
    @Option(help: "Width of NIN branches B1/B2.") var ninB: Int = 8
    @Option(help: "Channels after the pixel shuffler (0 = keep the reconstruction width).") var shufflerFilters: Int = 1
    // Optimisation.
    @Option(help: "Patches per step.") var batch: Int = 20
    @Option(help: "Initial (step) or peak (cosine) learning rate.") var lr: Double = 0.002
    @Option(help: "step | cosine | constant.") var schedule: String = "step"
    @Option(help: "Warm-up steps (cosine).") var warmup: Int = 0
    @Option(help: "Step decay factor.") var decay: Double = 0.5
    @Option(help: "Epochs between step decays.") var decayEpochs: Int = 9
    @Option(help: "Final learning rate (step: stop below it; cosine: decay target).") var endLr: Double = 2e-5
    @Option(help: "Total steps (default: what the schedule implies).") var steps: Int?
    @Option(help: "Total epochs (alternative to --steps).") var epochs: Double?
    @Flag(help: "L1 loss instead of MSE.") var l1 = false
    @Option(help: "Dropout keep probability (1 = off; the reference uses 0.8).") var dropoutKeep: Float = 1
    @Option(help: "L2 decay on conv kernels.") var l2: Double = 1e-4
    @Option(help: "Global-norm gradient clip (0 = off).") var clip: Double = 5
    @Option(help: "Seed (init, data order, dropout).") var seed: UInt64 = 1
    @Option(help: "Worker threads (results depend on it).") var threads: Int = 2
    @Option(help: "Contiguous patches per slice of the shuffled data order.") var slice: Int = 1
    @Option(help: "Patches per forward/backward pass within a thread (0 = the thread's whole shard).") var microBatch: Int = 1
    // Run control.
    @Option(help: "Validation image folder (the `sr eval` procedure).") var val: String?
    @Option(help: "Validate every N steps (0 = epoch ends only).") var valEvery: Int = 1000
    @Option(help: "Checkpoint every N steps.") var checkpointEvery: Int = 500
    @Option(help: "Progress line / CSV row every N steps.") var logEvery: Int = 50
    @Flag(help: "Continue from <run-dir>/checkpoint.h5.") var resume = false
    @Option(help: "Start from these weights (layers whose shapes match; e.g. x3/x4 from x2).") var `init`: String?
    @Option(help: "Train on the first N patches only and report how far the loss falls.") var overfit: Int?
    @Flag(help: "Do not write TensorBoard event files.") var noTensorboard = false

    func run() throws {
        let config = DCSCNConfig(scale: scale, layers: layers, filters: filters, minFilters: minFilters, gamma: gamma,
                                 ninA: ninA, ninB: ninB, shufflerFilters: shufflerFilters)
        try config.validate()
        let reader = try PatchSetReader(path: data)
        try TrainSetup.check(reader, config: config)
        var o = TrainOptions()
        o.batch = batch; o.l1 = l1; o.dropoutKeep = dropoutKeep; o.seed = seed; o.threads = threads
        o.clipNorm = clip; o.l2 = l2; o.microBatch = microBatch
        let loader = try PatchBatchLoader(reader: reader, batch: batch, sliceLength: slice, seed: seed, limit: overfit)
        let spe = loader.stepsPerEpoch
        switch schedule {
        case "step": o.schedule = .step(initial: lr, decay: decay, decayEpochs: decayEpochs, end: endLr)
        case "constant": o.schedule = .constant(lr)
        case "cosine":
            guard let total = steps ?? epochs.map({ Int($0 * Double(spe)) }) else {
                throw ValidationError("--schedule cosine needs --steps or --epochs")
            }
            o.schedule = .cosine(peak: lr, warmup: warmup, total: total, end: endLr)
        default: throw ValidationError("--schedule must be step, cosine or constant")
        }
        guard let total = steps ?? epochs.map({ Int($0 * Double(spe)) }) ?? o.schedule.naturalSteps(stepsPerEpoch: spe) else {
            throw ValidationError("--schedule constant needs --steps or --epochs")
        }

        var initial: DCSCNParameters? = nil
        if let i = `init` { initial = try WeightsFile.read(path: i) }
        let (start, copied) = try TrainSetup.initialParameters(config: config, seed: seed, from: initial)
        if `init` != nil { print("initialised from \(`init`!): copied \(copied.joined(separator: " ")); others He-initialised") }
        let trainer = try Trainer(parameters: start, options: o, lrSide: reader.lrPatch)
        var ro = TrainRunOptions(runDir: runDir)
        ro.validateEvery = valEvery; ro.checkpointEvery = checkpointEvery; ro.logEvery = logEvery
        ro.tensorBoard = !noTensorboard
        ro.provenance = ["training_data": data, "training_patches": String(loader.usable),
                         "command": CommandLine.arguments.joined(separator: " "),
                         "validation_data": val ?? ""]
        if resume {
            let ck = try TrainCheckpoint.read(path: runDir + "/checkpoint.h5")
            try ck.restore(into: trainer)
            print("resumed at step \(trainer.step) from \(runDir)/checkpoint.h5")
        }
        var validator: ((DCSCNParameters) throws -> TrainValidation)? = nil
        if let val { validator = try TrainValidator.make(folder: val, scale: scale, threads: threads) }
        print("training \(config.parameterCount) parameters (L\(config.featureWidths.count) \(config.featureWidths) A\(ninA) B\(ninB) x\(scale)) on \(loader.usable) patches of \(reader.lrPatch)x\(reader.lrPatch): \(spe) steps/epoch, \(total) steps")
        let run = try TrainingRun(trainer: trainer, loader: loader, steps: total, options: ro, validator: validator) { line in
            print(line)
            fflush(stdout)
        }
        var firstLoss: Double? = nil
        if overfit != nil {
            let b = try loader.next(); firstLoss = try trainer.evaluate(b); loader.release(); loader.stop()
        }
        let last = try run.run()
        if let firstLoss {
            print("overfit \(overfit!) patches: loss \(firstLoss) -> \(last) (x\(firstLoss / max(last, 1e-30)) lower)")
        }
        print("wrote \(run.modelPath) and \(run.checkpointPath)")
    }
}
