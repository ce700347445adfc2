import CKernels
import COpenBLAS
import Dispatch
import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval

/// Hyper-parameters of a training run (defaults: the reference recipe, docs/reference.md §11.4).
public struct TrainOptions: Sendable, Equatable {
    /// Patches per step.
    public var batch = 20
    /// Learning-rate schedule.
    public var schedule: LearningRateSchedule = .step(initial: 0.002, decay: 0.5, decayEpochs: 9, end: 2e-5)
    /// Mean absolute error instead of mean squared error.
    public var l1 = false
    /// Dropout keep probability on CNN1..CNN_L, A1, B1, B2 (1 = off).
    public var dropoutKeep: Float = 1
    /// Seed of the initialisation, the data order and the dropout masks.
    public var seed: UInt64 = 1
    /// Worker threads (the batch is split into this many shards; results depend on it).
    public var threads = 2
    /// Global-norm gradient clip (0 = off).
    public var clipNorm = 5.0
    /// L2 decay on conv kernels.
    public var l2 = 1e-4
    /// Patches per forward/backward pass inside a thread's shard (0 = the whole shard at once).
    /// Smaller chunks keep a chunk's activations in cache; gradients are summed over the chunks.
    public var microBatch = 1
    /// The update rule (docs/lab.md).
    public var optimizer: OptimizerKind = .adam
    /// SGD momentum, [0, 1).
    public var momentum = 0.9
    /// AdamW's decoupled weight decay.
    public var weightDecay = 0.0
    /// Decay of the exponential moving average of the weights kept beside them (nil = none).
    public var emaDecay: Double? = nil
    /// Training-side knobs (activation, initializer, collapsible blocks; docs/techniques.md "Knobs").
    /// Residual and input normalisation are part of the config.
    public var knobs = ModelKnobs()

    /// The reference defaults.
    public init() {}
}

/// One optimisation step's numbers.
public struct TrainStepResult: Sendable {
    /// Data loss (MSE or L1) of the batch, before the update.
    public var loss: Double
    /// The L2 term.
    public var l2: Double
    /// Global gradient norm before clipping.
    public var gradNorm: Double
    /// Learning rate used.
    public var learningRate: Double
}

/// Owns the weights and optimiser state and performs training steps on minibatches.
/// The batch is split into `threads` shards, each run by its own `TrainingGraph` on its own thread
/// with single-threaded BLAS; shard gradients are summed in a fixed order (deterministic).
public final class Trainer: @unchecked Sendable {
    /// The architecture.
    public let config: DCSCNConfig
    /// The options.
    public let options: TrainOptions
    /// Parameter offsets.
    public let layout: ParameterLayout
    /// Flat weights (`layout` order).
    public var weights: [Float]
    /// The update rule and its state.
    public var optimizer: any WeightOptimizer
    /// The moving average of the weights, when `options.emaDecay` asks for one.
    public var ema: WeightAverage?
    /// Completed steps.
    public var step = 0
    /// The ranks training this model together (nil: this process alone; Trainer+DataParallel.swift).
    public let topology: (any TrainingTopology)?
    /// Every N steps the ranks compare a checksum of their weights (0 = never).
    public var syncCheckEvery = 0
    /// This rank's rows of each global batch (all of them without a topology).
    public let rows: Range<Int>
    /// The expanded parameters and their own Adam with `--collapsible-width` (then `optimizer` is unused).
    public var collapsible: CollapsibleBlocks?
    /// The upsampler trained as transposed convs with `--upsampler transposed` (the optimiser updates
    /// their kernels; `weights` holds the equivalent pixel-shuffle kernels).
    public let transposed: TransposedUpsampler?
    /// γ, β, the running statistics and their Adam with `--batch-norm` (then `optimizer` is unused).
    public var batchNorm: BatchNormLayers?
    /// Per thread, the graphs of its consecutive chunks of the batch (first patch, graph).
    var shards: [[(first: Int, graph: TrainingGraph)]] = []
    private let chunkGrads: [FloatBuffer]
    private let shardGrads: [FloatBuffer]
    private var shardLoss: [Double]
    private var shardErrors: [SRError?]   // per shard, the kernel failure of the last pass
    private(set) var grads: [Float]   // the last step's gradients (after L2 and clipping)

    /// Prepares a trainer for LR patches of `lrSide` x `lrSide`, starting from `parameters`.
    /// With a `topology`, this rank trains on its share of each batch (`options.batch` is the global batch).
    public init(parameters: DCSCNParameters, options: TrainOptions, lrSide: Int,
                topology: (any TrainingTopology)? = nil) throws {
        guard options.batch > 0, options.threads > 0, lrSide > 0 else {
            throw SRError(.invalidArgument, "batch \(options.batch), threads \(options.threads) and patch size \(lrSide) must be positive")
        }
        guard options.dropoutKeep > 0, options.dropoutKeep <= 1 else {
            throw SRError(.invalidArgument, "dropout keep probability must be in (0, 1], got \(options.dropoutKeep)")
        }
        let maxChannels = Int(SRT_MAX_CHANNELS)   // the activation kernels' limit (also checked in C)
        if let wide = parameters.config.layers.first(where: { $0.outChannels > maxChannels }) {
            throw SRError(.unsupported, "layer \(wide.name) has \(wide.outChannels) output channels; the trainer supports at most \(maxChannels) per layer")
        }
        try options.knobs.validate()
        config = parameters.config
        self.options = options
        self.topology = topology
        rows = try Self.share(batch: options.batch, topology: topology)
        layout = ParameterLayout(config: config)
        if options.knobs.collapsibleWidth > 0 && options.optimizer != .adam {
            throw SRError(.invalidArgument, "collapsible blocks train with Adam only, not \(options.optimizer)")
        }
        var start = layout.flatten(try options.knobs.applying(to: parameters))
        try topology?.broadcast(&start)   // every rank starts from rank 0's weights
        if options.knobs.transposedKernel > 0 {
            let up = try TransposedUpsampler(layout: layout, kernel: options.knobs.transposedKernel)
            up.toTransposed(&start, layout: layout)
            up.toPixelShuffle(&start, layout: layout)   // the taps outside k' x k' start (and stay) zero
            transposed = up
        } else {
            transposed = nil
        }
        weights = start
        optimizer = OptimizerFactory.make(options.optimizer, layout: layout, options: options)
        if options.knobs.collapsibleWidth > 0 {
            // The expanded blocks come from the seed, the same on every rank.
            collapsible = try CollapsibleBlocks(layout: layout, width: options.knobs.collapsibleWidth, seed: options.seed,
                                                weights: &weights, clipNorm: options.clipNorm, l2: options.l2)
        }
        if options.knobs.batchNorm {
            try Self.checkBatchNorm(options: options, topology: topology)
            batchNorm = BatchNormLayers(layout: layout, clipNorm: options.clipNorm, l2: options.l2)
        }
        let w0 = weights
        ema = options.emaDecay.map { WeightAverage(decay: $0, initial: w0) }
        for chunks in Self.chunkPlan(patches: rows.count, threads: options.threads, microBatch: options.microBatch,
                                     fixedGroups: options.knobs.batchNorm) {
            var list: [(Int, TrainingGraph)] = []
            for c in chunks {
                let g = try TrainingGraph(config: parameters.config, n: c.count, h: lrSide, w: lrSide)
                g.keep = options.dropoutKeep
                if options.knobs.batchNorm { try g.enableBatchNorm() }
                list.append((c.lowerBound, g))
            }
            shards.append(list)
        }
        let count = ParameterLayout(config: parameters.config).count
        shardGrads = try shards.map { _ in try FloatBuffer(count: count, what: "training buffer") }
        chunkGrads = try shards.map { _ in try FloatBuffer(count: count, what: "training buffer") }
        shardLoss = [Double](repeating: 0, count: shards.count)
        shardErrors = [SRError?](repeating: nil, count: shards.count)
        grads = [Float](repeating: 0, count: count)
        openblas_set_num_threads(1)
    }

    /// The current weights as parameters (with batch norm: folded into the feature convs).
    public func parameters(provenance: [String: String] = [:]) throws -> DCSCNParameters {
        try layout.unflatten(inferenceWeights, config: config, provenance: provenance)
    }

    private func check(_ b: TrainBatch) throws {
        let side = shards[0][0].graph.h
        guard b.count == rows.count, b.lrSide == side else {
            throw SRError(.shapeMismatch, "batch of \(b.count) patches of \(b.lrSide)x\(b.lrSide), trainer expects \(rows.count) of \(side)x\(side)")
        }
    }

    /// Runs `body` for every shard on its own thread, keeping each shard's failure.
    /// (Each shard touches only its own graph, gradient buffer and result slots, so the closure
    /// may run on several threads even though the compiler cannot prove it.)
    private func runShards(_ body: (Int) throws -> Void) {
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let run = body
            DispatchQueue.concurrentPerform(iterations: shards.count) { i in
                do { shardErrors[i] = nil; try run(i) } catch { shardErrors[i] = (error as? SRError) ?? SRError(.internal, "\(error)") }
            }
        }
    }

    /// The first shard's kernel failure of the last `runShards`, if any.
    private func throwShardError() throws {
        if let e = shardErrors.lazy.compactMap({ $0 }).first { throw e }
    }

    private func load(_ b: TrainBatch, first: Int, into g: TrainingGraph) {
        let p2 = b.lrSide * b.lrSide, h2 = b.hrSide * b.hrSide
        b.lr.withUnsafeBufferPointer { g.lr.base.update(from: $0.baseAddress! + first * p2, count: g.n * p2) }
        b.bic.withUnsafeBufferPointer { g.bic.base.update(from: $0.baseAddress! + first * h2, count: g.n * h2) }
        b.hr.withUnsafeBufferPointer { g.hr.base.update(from: $0.baseAddress! + first * h2, count: g.n * h2) }
    }

    /// Data loss of a batch with the current weights (dropout off, no update).
    public func evaluate(_ b: TrainBatch) throws -> Double {
        try check(b)
        let total = options.batch * b.hrSide * b.hrSide
        let l1 = options.l1
        setBatchNorm(training: false)   // the folded weights run plain convs
        defer { setBatchNorm(training: true) }
        inferenceWeights.withUnsafeBufferPointer { w in
            nonisolated(unsafe) let wp = w.baseAddress!  // read-only while the workers run
            func runShard(_ i: Int) throws {
                var sum = 0.0
                for (first, g) in shards[i] {
                    load(b, first: first, into: g)
                    let keep = g.keep
                    g.keep = 1
                    defer { g.keep = keep }
                    try g.forward(wp)
                    sum += g.loss(l1: l1, normaliser: total)
                }
                shardLoss[i] = sum
            }
            runShards(runShard)
        }
        try throwShardError()
        var loss = shardLoss.reduce(0, +)
        try reduceAcrossRanks(loss: &loss)
        return loss / Double(total)
    }

    /// One step: forward, backward, L2, clip, the optimiser's update with the schedule's rate (or `learningRate`).
    public func train(_ b: TrainBatch, stepsPerEpoch: Int, learningRate: Double? = nil) throws -> TrainStepResult {
        try check(b)
        let total = options.batch * b.hrSide * b.hrSide
        let l1 = options.l1
        let seed = options.seed &+ UInt64(step) &* 0xA076_1D64_78BD_642F
        setBatchNorm(training: true)
        weights.withUnsafeBufferPointer { w in
            nonisolated(unsafe) let wp = w.baseAddress!  // read-only while the workers run
            func runShard(_ i: Int) throws {
                var sum = 0.0
                for (c, (first, g)) in shards[i].enumerated() {
                    load(b, first: first, into: g)
                    // Shard i's first chunk keeps the original per-shard seed (results with microBatch 0 unchanged).
                    try g.forward(wp, dropoutSeed: seed &+ UInt64(shardBase + i) &* 0xE703_7ED1_A0B4_28DB &+ UInt64(c) &* 0x8EBC_6AF0_9C88_C6E3)
                    sum += g.loss(l1: l1, normaliser: total)
                    let sg = shardGrads[i].base, cg = chunkGrads[i].base
                    if c == 0 {
                        try g.backward(wp, grads: sg)
                    } else {
                        try g.backward(wp, grads: cg)
                        for j in 0..<shardGrads[i].count { sg[j] += cg[j] }
                    }
                }
                shardLoss[i] = sum
            }
            runShards(runShard)
        }
        try throwShardError()   // before the update: a failed step leaves the weights unchanged
        let affineGrads = batchNorm != nil ? collectBatchNorm() : nil
        grads.withUnsafeMutableBufferPointer { gp in
            gp.baseAddress!.update(from: shardGrads[0].base, count: gp.count)
            for i in 1..<max(shardGrads.count, 1) {
                let sp = shardGrads[i].base
                for j in 0..<gp.count { gp[j] += sp[j] }
            }
        }
        var loss = shardLoss.reduce(0, +)
        try reduceAcrossRanks(&grads, loss: &loss)   // before clipping: every rank then makes the same update
        let lr = learningRate ?? options.schedule.rate(step: step, stepsPerEpoch: stepsPerEpoch)
        options.knobs.freeze(gradients: &grads, layout: layout)
        let l2: Double, norm: Double
        if collapsible != nil {
            (l2, norm) = collapsible!.update(&weights, gradients: grads, layout: layout, learningRate: lr)
        } else if let up = transposed {
            // The optimiser's variable in the upsampler slots is the transposed kernel T; the
            // gradient of T is the adjoint (gather) of the graph's gradient of W.
            up.toTransposed(&weights, layout: layout)
            up.toTransposed(&grads, layout: layout)
            l2 = optimizer.l2Loss(weights)
            norm = optimizer.update(&weights, gradients: &grads, learningRate: lr)
            up.toPixelShuffle(&weights, layout: layout)
            up.toPixelShuffle(&grads, layout: layout)
        } else if let ag = affineGrads {
            (l2, norm) = batchNorm!.update(&weights, gradients: grads, affineGradients: ag, learningRate: lr)
        } else {
            l2 = optimizer.l2Loss(weights)
            norm = optimizer.update(&weights, gradients: &grads, learningRate: lr)
        }
        ema?.update(weights)
        step += 1
        try checkRanksAgree()
        return TrainStepResult(loss: loss / Double(total), l2: l2, gradNorm: norm, learningRate: lr)
    }
}
