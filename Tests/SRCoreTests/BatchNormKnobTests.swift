import Testing
@testable import SRCore
import SRTestSupport

/// `--batch-norm` (BatchNormLayers.swift, GraphBatchNorm.swift, docs/techniques.md "Knobs"): the
/// graph's training-mode forward and every gradient against an independent float64 batch-norm
/// network, the folded export in the engine against float64 eval mode, the running statistics'
/// update, groups independent of the thread count, and the refused combinations.
@Suite struct BatchNormKnobTests {
    /// Random γ in [0.5, 1.5] and β in [-0.5, 0.5] for `channels` channels.
    static func affine(_ channels: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<channels).map { _ in Float(0.5 + rng.nextUnit()) } + (0..<channels).map { _ in Float(rng.nextUnit() - 0.5) }
    }

    /// Float64 CNN1..CNN_L of a batch of images with batch norm before each activation: training mode
    /// (statistics of the batch) when `running` is nil, else eval mode with those (mean, variance).
    /// Returns the feature outputs per image and layer, and the batch mean and variance per channel.
    static func features(config: DCSCNConfig, params: [Double], affine: [Double], lrs: [[Double]], h: Int, w: Int,
                         running: (mean: [Double], variance: [Double])? = nil)
        -> (feats: [[[Double]]], mean: [Double], variance: [Double]) {
        let layout = ParameterLayout(config: config)
        let C = config.featureWidths.reduce(0, +)
        var cur = lrs, cin = 1, off = 0
        var feats = [[[Double]]](repeating: [], count: lrs.count)
        var means: [Double] = [], vars: [Double] = []
        for e in layout.entries {
            guard case .feature = e.spec.role else { continue }
            let s = e.spec, co = s.outChannels
            let zs = cur.map { x in
                TrainReference.activate(TrainReference.conv(x, h: h, w: w, cin: cin, k: s.kernel, kernel: params[e.kernel], cout: co,
                                                            dilation: s.dilation),
                                        cout: co, bias: params[e.bias], alpha: nil, mask: nil)
            }
            let count = Double(lrs.count * h * w)
            var m = [Double](repeating: 0, count: co), v = m
            for z in zs { for (i, x) in z.enumerated() { m[i % co] += x / count } }
            for z in zs { for (i, x) in z.enumerated() { v[i % co] += (x - m[i % co]) * (x - m[i % co]) / count } }
            means += m; vars += v
            let um = running.map { Array($0.mean[off..<(off + co)]) } ?? m
            let uv = running.map { Array($0.variance[off..<(off + co)]) } ?? v
            cur = zs.map { z in
                let y = z.enumerated().map { i, x in
                    let c = i % co
                    return affine[off + c] * (x - um[c]) / (uv[c] + BatchNormLayers.epsilon).squareRoot() + affine[C + off + c]
                }
                return TrainReference.activate(y, cout: co, bias: nil, alpha: s.hasPReLU ? params[e.alpha] : nil, mask: nil,
                                               act: s.separateActivation)
            }
            for b in cur.indices { feats[b].append(cur[b]) }
            cin = co; off += co
        }
        return (feats, means, vars)
    }

    /// Float64 outputs of the batch-norm network for the case's images.
    static func outputs(_ c: TrainGraphTests.Case, params: [Double], affine: [Double],
                        running: (mean: [Double], variance: [Double])? = nil) -> [[Double]] {
        let g = c.graph
        let lrN = g.h * g.w, hrN = g.hrH * g.hrW
        let lrs = (0..<g.n).map { Array(c.lr[($0 * lrN)..<(($0 + 1) * lrN)]) }
        let f = features(config: g.config, params: params, affine: affine, lrs: lrs, h: g.h, w: g.w, running: running)
        return (0..<g.n).map { i in
            TrainReference.forward(config: g.config, params: params, lr: lrs[i], bic: Array(c.bic[(i * hrN)..<((i + 1) * hrN)]),
                                   h: g.h, w: g.w, features: f.feats[i])
        }
    }

    /// Float64 mean squared error of the training-mode network over the batch.
    static func loss(_ c: TrainGraphTests.Case, params: [Double], affine: [Double]) -> Double {
        let hrN = c.graph.hrH * c.graph.hrW
        var total = 0.0
        for (i, out) in outputs(c, params: params, affine: affine).enumerated() {
            for p in 0..<hrN { let d = out[p] - c.hr[i * hrN + p]; total += d * d }
        }
        return total / Double(c.graph.n * hrN)
    }

    /// A tiny case (3 patches) with batch norm on and random γ/β set.
    static func makeCase(scale: Int) throws -> (TrainGraphTests.Case, [Float]) {
        let c = try TrainGraphTests.makeCase(scale: scale, seed: 11)
        try c.graph.enableBatchNorm()
        let a = affine(c.graph.config.featureWidths.reduce(0, +), seed: 4)
        c.graph.batchNorm!.affine = a
        return (c, a)
    }

    /// (1) Training-mode forward and batch statistics against float64.
    @Test(arguments: [2, 3]) func forwardMatchesTheFloat64Reference(scale: Int) throws {
        let (c, a) = try Self.makeCase(scale: scale)
        try c.params.withUnsafeBufferPointer { try c.graph.forward($0.baseAddress!) }
        let p64 = c.params.map(Double.init), a64 = a.map(Double.init)
        let ref = Self.outputs(c, params: p64, affine: a64)
        let hrN = c.graph.hrH * c.graph.hrW, out = c.graph.out.array
        var diff = 0.0
        for i in 0..<c.graph.n { for q in 0..<hrN { diff = max(diff, abs(Double(out[i * hrN + q]) - ref[i][q])) } }
        #expect(diff < 1e-3, "forward differs from float64 by \(diff)")
        let lrN = c.graph.h * c.graph.w
        let f = Self.features(config: c.graph.config, params: p64, affine: a64,
                              lrs: (0..<c.graph.n).map { Array(c.lr[($0 * lrN)..<(($0 + 1) * lrN)]) }, h: c.graph.h, w: c.graph.w)
        for j in f.mean.indices {
            #expect(abs(c.graph.batchNorm!.mean[j] - f.mean[j]) <= 1e-4 * max(1, abs(f.mean[j])))
            #expect(abs(c.graph.batchNorm!.variance[j] - f.variance[j]) <= 1e-4 * max(1, f.variance[j]))
        }
    }

    /// (2) Every kernel, bias and slope gradient (CNN1's kernels reach the loss through both batch
    /// norms' input gradients) and every γ/β gradient against central finite differences.
    @Test func gradientsMatchFiniteDifferences() throws {
        let (c, a) = try Self.makeCase(scale: 2)
        var grads = [Float](repeating: 0, count: c.params.count)
        try c.params.withUnsafeBufferPointer { p in
            try c.graph.forward(p.baseAddress!)
            _ = c.graph.loss(l1: false, normaliser: c.graph.n * c.graph.hrH * c.graph.hrW)
            try grads.withUnsafeMutableBufferPointer { try c.graph.backward(p.baseAddress!, grads: $0.baseAddress!) }
        }
        let ga = c.graph.batchNorm!.affineGradient
        let p64 = c.params.map(Double.init), a64 = a.map(Double.init)
        func check(_ name: String, _ got: [Float], _ x: [Double], _ loss: ([Double]) -> Double) {
            var num2 = 0.0, den2 = 0.0
            for i in x.indices {
                let eps = 1e-6 * max(1, abs(x[i]))
                var plus = x, minus = x
                plus[i] += eps; minus[i] -= eps
                let fd = (loss(plus) - loss(minus)) / (2 * eps)
                num2 += (Double(got[i]) - fd) * (Double(got[i]) - fd); den2 += fd * fd
            }
            #expect((num2 / max(den2, 1e-30)).squareRoot() < 1e-3, "\(name): relative gradient error \((num2 / den2).squareRoot())")
        }
        let layout = ParameterLayout(config: c.graph.config)
        for e in layout.entries {
            var isFeature = false
            if case .feature = e.spec.role { isFeature = true }
            for part in [e.kernel, e.bias, e.alpha] where !part.isEmpty && !(isFeature && part == e.bias) {
                let idx = Array(part)
                check("\(e.spec.name) \(part)", idx.map { grads[$0] }, idx.map { p64[$0] }) { v in
                    var p = p64
                    for (k, i) in idx.enumerated() { p[i] = v[k] }
                    return Self.loss(c, params: p, affine: a64)
                }
            }
        }
        check("gamma/beta", ga, a64) { Self.loss(c, params: p64, affine: $0) }
        // A feature conv's bias is cancelled by the batch mean: gradient exactly 0, its loss flat.
        let base = Self.loss(c, params: p64, affine: a64)
        for e in layout.entries {
            guard case .feature = e.spec.role else { continue }
            for i in e.bias {
                #expect(grads[i] == 0)
                var plus = p64, minus = p64
                plus[i] += 1e-3; minus[i] -= 1e-3
                #expect(abs(Self.loss(c, params: plus, affine: a64) - Self.loss(c, params: minus, affine: a64)) <= 1e-9 * max(1, base))
            }
        }
    }

    /// (3) The folded weights in the inference engine equal the float64 network in eval mode.
    @Test func foldedEngineEqualsEvalMode() throws {
        let (c, a) = try Self.makeCase(scale: 2)
        let layout = ParameterLayout(config: c.graph.config)
        var bn = BatchNormLayers(layout: layout, clipNorm: 5, l2: 0)
        try bn.setAffine(a)
        try c.params.withUnsafeBufferPointer { try c.graph.forward($0.baseAddress!) }
        var rng = SeededGenerator(seed: 9)
        let mean = c.graph.batchNorm!.mean.map { $0 + rng.nextUnit() - 0.5 }
        let variance = c.graph.batchNorm!.variance.map { $0 * (0.5 + rng.nextUnit()) }
        try bn.setRunning(mean: mean, variance: variance)
        let p = try layout.unflatten(bn.folded(c.params, layout: layout), config: c.graph.config)
        let ref = Self.outputs(c, params: c.params.map(Double.init), affine: a.map(Double.init), running: (mean, variance))
        let net = try DCSCN(parameters: p)
        let g = c.graph, lrN = g.h * g.w, hrN = g.hrH * g.hrW
        var diff = 0.0
        for i in 0..<g.n {
            let lr = Image(width: g.w, height: g.h, pixels: c.lr[(i * lrN)..<((i + 1) * lrN)].map(Float.init))
            let bic = Image(width: g.hrW, height: g.hrH, pixels: c.bic[(i * hrN)..<((i + 1) * hrN)].map(Float.init))
            let out = try net.forward(lr: lr, bicubic: bic, threads: 1)
            for q in 0..<hrN { diff = max(diff, abs(Double(out.pixels[q]) - ref[i][q]) / max(1, abs(ref[i][q]))) }
        }
        #expect(diff <= 1e-4, "max relative |engine - float64 eval mode| \(diff)")
    }

    /// (4) One step updates the running statistics with momentum 0.99 from the patch-weighted mean
    /// of the groups' batch statistics (groups of `microBatch` patches, whatever the thread count);
    /// the exported model is the folded one and names the knob; refused combinations (the weight average
    /// may be kept but not exported).
    @Test func runningStatisticsAndGroups() throws {
        var o = TrainOptions()
        o.batch = 5; o.seed = 3; o.schedule = .constant(0.003); o.microBatch = 2
        o.knobs.batchNorm = true
        let config = TrainTestSupport.smallConfig(scale: 2)
        let start = try DCSCNParameters.heInitialized(config: config, seed: 3)
        let b = try TrainBatch.synthetic(count: 5, lrSide: 6, scale: 2, seed: 8)
        var trainers: [Trainer] = []
        for threads in [1, 2, 3] {
            o.threads = threads
            let t = try Trainer(parameters: start, options: o, lrSide: 6)
            let w0 = t.weights.map(Double.init)
            _ = try t.train(b, stepsPerEpoch: 100)
            // Independent float64 statistics of the groups {0,1}, {2,3}, {4}.
            let C = t.batchNorm!.channels
            var mean = [Double](repeating: 0, count: C), variance = mean
            for g in [0..<2, 2..<4, 4..<5] {
                let lrs = g.map { i in b.lr[(i * 36)..<((i + 1) * 36)].map(Double.init) }
                let f = Self.features(config: config, params: w0, affine: [Double](repeating: 1, count: C) + [Double](repeating: 0, count: C),
                                      lrs: lrs, h: 6, w: 6)
                for j in 0..<C { mean[j] += Double(g.count) / 5 * f.mean[j]; variance[j] += Double(g.count) / 5 * f.variance[j] }
            }
            for j in 0..<C {
                #expect(abs(t.batchNorm!.runningMean[j] - 0.01 * mean[j]) <= 1e-5 * max(1, abs(mean[j])))
                #expect(abs(t.batchNorm!.runningVariance[j] - (0.99 + 0.01 * variance[j])) <= 1e-5 * max(1, variance[j]))
            }
            trainers.append(t)
        }
        for t in trainers.dropFirst() {
            #expect(t.batchNorm!.runningMean == trainers[0].batchNorm!.runningMean)
            let d = zip(t.weights, trainers[0].weights).map { abs($0 - $1) }.max()!
            #expect(d < 1e-5, "threads change the step by \(d)")
        }
        let t = trainers[1]
        for _ in 0..<10 { _ = try t.train(b, stepsPerEpoch: 100) }
        let p = try t.exportedParameters(averaged: false)
        #expect(ParameterLayout(config: config).flatten(p) == t.batchNorm!.folded(t.weights, layout: t.layout))
        #expect(try KnobTestSupport.engineVersusGraph(p, weights: t.batchNorm!.folded(t.weights, layout: t.layout)) < 1e-3)
        #expect(try t.evaluate(b).isFinite)
        #expect(o.knobs.provenance["batch_norm"] == "on")
        #expect(throws: SRError.self) { try TrainCheckpoint(trainer: t, options: "").restore(into: t) }
        var bad = o
        bad.optimizer = .sgd
        #expect(throws: SRError.self) { try Trainer(parameters: start, options: bad, lrSide: 6) }
        bad = o; bad.emaDecay = 0.9
        let averaged = try Trainer(parameters: start, options: bad, lrSide: 6)   // kept, not exportable
        #expect(throws: SRError.self) { try averaged.exportedParameters(averaged: true) }
        bad = o; bad.knobs.collapsibleWidth = 4
        #expect(throws: SRError.self) { try Trainer(parameters: start, options: bad, lrSide: 6) }
    }

    /// The default path's chunks are what the trainer always cut; batch norm's groups ignore the threads.
    @Test func chunkPlans() {
        #expect(Trainer.chunkPlan(patches: 5, threads: 2, microBatch: 2, fixedGroups: false) == [[0..<2, 2..<3], [3..<5]])
        #expect(Trainer.chunkPlan(patches: 5, threads: 2, microBatch: 0, fixedGroups: false) == [[0..<3], [3..<5]])
        #expect(Trainer.chunkPlan(patches: 5, threads: 2, microBatch: 2, fixedGroups: true) == [[0..<2, 2..<4], [4..<5]])
        #expect(Trainer.chunkPlan(patches: 5, threads: 4, microBatch: 0, fixedGroups: true) == [[0..<5]])
    }
}
