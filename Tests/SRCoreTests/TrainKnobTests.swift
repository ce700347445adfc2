#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

/// The structural knobs of `sr train` (docs/techniques.md "Knobs"): fixed-slope activations train
/// with their slopes untouched, their gradients match float64 finite differences, the exported
/// weights record the knobs and run unchanged in the inference engine; each initializer draws from
/// the distribution its formula names.
@Suite struct TrainKnobTests {
    static func batch(_ seed: UInt64, count: Int = 4, side: Int = 6) throws -> TrainBatch {
        try TrainBatch.synthetic(count: count, lrSide: side, scale: 2, seed: seed)
    }

    func trainer(_ activation: ActivationKnob) throws -> Trainer {
        var o = TrainOptions()
        o.batch = 4; o.threads = 2; o.seed = 3; o.schedule = .constant(0.01)
        o.knobs.activation = activation
        let p = try DCSCNParameters.heInitialized(config: TrainTestSupport.smallConfig(scale: 2), seed: 3)
        return try Trainer(parameters: p, options: o, lrSide: 6)
    }

    @Test(arguments: [ActivationKnob.relu, .leakyReLU(slope: 0.2), .leakyReLU(slope: -0.05)])
    func fixedSlopesStayFixedWhileKernelsLearn(activation: ActivationKnob) throws {
        let t = try trainer(activation)
        let before = t.weights
        for s in 0..<4 { _ = try t.train(try Self.batch(UInt64(10 + s)), stepsPerEpoch: 100) }
        let slope = activation.fixedSlope!
        var kernelsMoved = 0
        for e in t.layout.entries {
            for i in e.alpha { #expect(t.weights[i] == slope, "\(e.spec.name) slope \(t.weights[i])") }
            for i in e.kernel where t.weights[i] != before[i] { kernelsMoved += 1 }
        }
        #expect(kernelsMoved > t.layout.count / 2)
        let mask = t.layout.trainableMask(t.options.knobs)
        #expect(t.layout.entries.allSatisfy { e in e.alpha.allSatisfy { mask[$0] == 0 } && e.kernel.allSatisfy { mask[$0] == 1 } })
    }

    @Test func preluSlopesStillLearnAndDefaultMaskIsAllOnes() throws {
        let t = try trainer(.prelu)
        #expect(t.options.knobs.isDefault && t.options.knobs.provenance.isEmpty)
        let before = t.weights
        for s in 0..<2 { _ = try t.train(try Self.batch(UInt64(20 + s)), stepsPerEpoch: 100) }
        #expect(t.layout.entries.contains { e in e.alpha.contains { t.weights[$0] != before[$0] } })
        #expect(t.layout.trainableMask(ModelKnobs()).allSatisfy { $0 == 1 })
    }

    /// ReLU and leaky ReLU are PReLU at a fixed slope: the graph's gradients of every kernel and
    /// bias at those slopes against central finite differences of the float64 reference loss.
    @Test(arguments: [Float(0), 0.01, 0.3])
    func fixedSlopeGradientsMatchFiniteDifferences(slope: Float) throws {
        var c = try TrainGraphTests.makeCase(scale: 2, seed: 13)
        let layout = ParameterLayout(config: c.graph.config)
        for e in layout.entries { for i in e.alpha { c.params[i] = slope } }
        var grads = [Float](repeating: 0, count: c.params.count)
        try c.params.withUnsafeBufferPointer { p in
            try c.graph.forward(p.baseAddress!)
            _ = c.graph.loss(l1: false, normaliser: c.graph.n * c.graph.hrH * c.graph.hrW)
            try grads.withUnsafeMutableBufferPointer { try c.graph.backward(p.baseAddress!, grads: $0.baseAddress!) }
        }
        let p64 = c.params.map(Double.init)
        var num2 = 0.0, den2 = 0.0
        for e in layout.entries {
            for i in Array(e.kernel) + Array(e.bias) {
                // Small steps: with inputs of ~255 a larger one often crosses a ReLU kink (the reference is float64).
                let eps = 1e-6 * max(1, abs(p64[i]))
                var plus = p64, minus = p64
                plus[i] += eps; minus[i] -= eps
                let fd = (TrainGraphTests.referenceLoss(c, params: plus, masks: nil)
                          - TrainGraphTests.referenceLoss(c, params: minus, masks: nil)) / (2 * eps)
                num2 += (Double(grads[i]) - fd) * (Double(grads[i]) - fd); den2 += fd * fd
            }
        }
        let rel = (num2 / den2).squareRoot()
        #expect(rel < 1e-3, "slope \(slope): relative gradient error \(rel)")
    }

    /// A run with `--activation leaky_relu` exports weights that name the knob, hold the fixed
    /// slopes and give the training graph's output through the unchanged inference engine.
    @Test func exportedWeightsRecordTheKnobAndRunInTheEngine() throws {
        let dir = TrainTestSupport.tempDir("knobs")
        try TrainTestSupport.writePatchSet(path: dir + "/p.h5", count: 8, scale: 2, lrPatch: 6)
        var o = TrainOptions()
        o.batch = 4; o.threads = 1; o.seed = 2; o.schedule = .constant(0.005)
        o.knobs.activation = .leakyReLU(slope: 0.125)
        o.knobs.initializer = .xavier
        let config = TrainTestSupport.smallConfig(scale: 2)
        let (start, _) = try TrainSetup.initialParameters(config: config, seed: 2, from: nil, initializer: o.knobs.initializer)
        let trainer = try Trainer(parameters: start, options: o, lrSide: 6)
        let loader = try PatchBatchLoader(reader: try PatchSetReader(path: dir + "/p.h5"), batch: 4, seed: 2)
        var ro = TrainRunOptions(runDir: dir + "/run")
        ro.checkpointEvery = 1000; ro.validateEachEpoch = false; ro.tensorBoard = false
        ro.provenance = o.knobs.provenance
        _ = try TrainingRun(trainer: trainer, loader: loader, steps: 3, options: ro, validator: nil) { _ in }.run()
        let p = try WeightsFile.readSafeTensors(path: dir + "/run/model.safetensors")
        #expect(p.provenance["activation"] == "leaky_relu" && p.provenance["leaky_slope"] == "0.125")
        #expect(p.provenance["initializer"] == "xavier")
        #expect(p.layers.allSatisfy { $0.alpha.allSatisfy { $0 == 0.125 } })

        let diff = try KnobTestSupport.engineVersusGraph(p, weights: trainer.weights)
        #expect(diff < 1e-3, "max |engine - training graph| = \(diff) on values of ~255")
    }

    @Test func badKnobValuesAreRefused() throws {
        var o = TrainOptions()
        o.knobs.activation = .leakyReLU(slope: .nan)
        let p = try DCSCNParameters.heInitialized(config: TrainTestSupport.smallConfig(scale: 2), seed: 1)
        #expect(throws: SRError.self) { try Trainer(parameters: p, options: o, lrSide: 6) }
        #expect(throws: SRError.self) {
            try DCSCNParameters.initialized(config: .compact(scale: 2), seed: 1, initializer: .truncatedNormal(std: 0))
        }
    }
}

/// Each `--initializer` against its defining distribution: bounds, and the sample variance of the
/// widest c-DCSCN layers against the formula's variance.
@Suite struct InitializerKnobTests {
    let config = DCSCNConfig.compact(scale: 2)

    @Test func heTruncatedIsTheReferenceInitialisation() throws {
        #expect(try DCSCNParameters.initialized(config: config, seed: 4, initializer: .heTruncated)
                == DCSCNParameters.heInitialized(config: config, seed: 4))
    }

    /// (bound on |w|, variance) for a layer with these fans.
    static func expected(_ i: DCSCNInitializer, fanIn: Double, fanOut: Double) -> (Double, Double) {
        // Variance of a standard normal truncated to [-2, 2]: 1 - 2*2*phi(2) / (Phi(2) - Phi(-2)).
        let phi2 = exp(-2.0) / (2 * Double.pi).squareRoot()
        let truncVar = 1 - 4 * phi2 / erf(2 / 2.0.squareRoot())
        switch i {
        case .heTruncated: let s = (2 / fanIn).squareRoot(); return (2 * s, s * s * truncVar)
        case .heUniform: let a = (6 / fanIn).squareRoot(); return (a, a * a / 3)
        case .xavier: let a = (6 / (fanIn + fanOut)).squareRoot(); return (a, a * a / 3)
        case .truncatedNormal(let s): return (2 * s, s * s * truncVar)
        }
    }

    @Test(arguments: [DCSCNInitializer.heTruncated, .heUniform, .xavier, .truncatedNormal(std: 0.03)])
    func drawsFromItsDistribution(initializer: DCSCNInitializer) throws {
        let p = try DCSCNParameters.initialized(config: config, seed: 8, initializer: initializer)
        for (s, l) in zip(config.layers, p.layers) where s.kernelCount >= 4000 {
            let (bound, variance) = Self.expected(initializer, fanIn: Double(s.kernel * s.kernel * s.inChannels),
                                                  fanOut: Double(s.kernel * s.kernel * s.outChannels))
            #expect(l.kernel.allSatisfy { abs(Double($0)) <= bound * (1 + 1e-6) }, "\(initializer.name) \(s.name)")
            let n = Double(l.kernel.count)
            let mean = l.kernel.reduce(0.0) { $0 + Double($1) } / n
            let v = l.kernel.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (n - 1)
            // Sample variance has a relative standard error below sqrt(2 / n) (< 2.3% here): allow 4 of them.
            #expect(abs(v / variance - 1) < 4 * (2 / n).squareRoot(), "\(initializer.name) \(s.name): variance \(v) vs \(variance)")
            #expect(abs(mean) < 4 * (variance / n).squareRoot())
            #expect(l.bias.allSatisfy { $0 == 0 } && l.alpha.allSatisfy { $0 == 0.1 })
        }
    }
}
