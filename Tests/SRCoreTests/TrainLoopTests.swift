#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

/// The whole training loop: it learns (overfitting a few patches), resumes bit-identically from a
/// checkpoint, feeds every patch once per epoch, refuses mismatched data, and its forward pass
/// agrees with the inference engine.
@Suite struct TrainLoopTests {
    @Test func overfitsAFewPatches() throws {
        let dir = TrainTestSupport.tempDir("overfit")
        let data = dir + "/p.h5"
        try TrainTestSupport.writePatchSet(path: data, count: 8, scale: 2, lrPatch: 10)
        let reader = try PatchSetReader(path: data)
        let config = TrainTestSupport.smallConfig(scale: 2)
        var o = TrainOptions()
        o.batch = 4; o.threads = 2; o.seed = 5
        o.schedule = .cosine(peak: 0.004, warmup: 20, total: 300, end: 1e-4)
        let loader = try PatchBatchLoader(reader: reader, batch: 4, seed: 5, limit: 8)
        let trainer = try Trainer(parameters: try DCSCNParameters.heInitialized(config: config, seed: 5), options: o, lrSide: 10)
        let first = try trainer.evaluate(try loader.next())
        loader.release(); loader.stop()
        var ro = TrainRunOptions(runDir: dir + "/run")
        ro.logEvery = 50; ro.checkpointEvery = 1000; ro.validateEachEpoch = false
        var lines: [String] = []
        let run = try TrainingRun(trainer: trainer, loader: loader, steps: 300, options: ro, validator: nil) { lines.append($0) }
        let last = try run.run()
        #expect(last < first / 8, "loss \(first) -> \(last)")
        #expect(lines.count == 6 && lines[0].contains("patches/s") && lines[0].contains("ETA"))
        // The run folder has everything the CLI promises.
        for f in ["checkpoint.h5", "model.safetensors", "train.csv", "train.svg"] { #expect(access(dir + "/run/" + f, R_OK) == 0, "\(f)") }
        let exported = try WeightsFile.readSafeTensors(path: dir + "/run/model.safetensors")
        #expect(exported.provenance["steps"] == "300")
        #expect(try exported.layers == trainer.parameters().layers)
    }

    @Test func resumeIsBitIdentical() throws {
        let dir = TrainTestSupport.tempDir("resume")
        let data = dir + "/p.h5"
        try TrainTestSupport.writePatchSet(path: data, count: 24, scale: 2, lrPatch: 8)
        let config = TrainTestSupport.smallConfig(scale: 2)
        var o = TrainOptions()
        o.batch = 6; o.threads = 2; o.seed = 9; o.dropoutKeep = 0.8
        o.schedule = .cosine(peak: 0.003, warmup: 2, total: 10, end: 1e-5)
        func fresh() throws -> (Trainer, PatchBatchLoader) {
            let r = try PatchSetReader(path: data)
            return (try Trainer(parameters: try DCSCNParameters.heInitialized(config: config, seed: 9), options: o, lrSide: 8),
                    try PatchBatchLoader(reader: r, batch: 6, seed: 9))
        }
        func steps(_ t: Trainer, _ l: PatchBatchLoader, _ k: Int) throws {
            l.start(at: t.step)
            for _ in 0..<k { _ = try t.train(try l.next(), stepsPerEpoch: l.stepsPerEpoch); l.release() }
            l.stop()
        }
        let (a, la) = try fresh()
        try steps(a, la, 10)           // crosses an epoch boundary (4 steps per epoch)
        let (b, lb) = try fresh()
        try steps(b, lb, 5)
        try TrainCheckpoint(trainer: b, options: "test").write(to: dir + "/ck.h5")
        let (c, lc) = try fresh()
        try TrainCheckpoint.read(path: dir + "/ck.h5").restore(into: c)
        #expect(c.step == 5)
        try steps(c, lc, 5)
        #expect(a.weights == c.weights)
        #expect(a.optimizer.state == c.optimizer.state)
    }

    @Test func microBatchesGiveTheSameStep() throws {
        let config = TrainTestSupport.smallConfig(scale: 3)
        let b = try TrainBatch.synthetic(count: 7, lrSide: 9, scale: 3, seed: 2)
        var results: [[Float]] = []
        for micro in [0, 1, 3] {
            var o = TrainOptions()
            o.batch = 7; o.threads = 2; o.microBatch = micro; o.schedule = .constant(0.001)
            let t = try Trainer(parameters: try DCSCNParameters.heInitialized(config: config, seed: 4), options: o, lrSide: 9)
            for _ in 0..<2 { _ = try t.train(b, stepsPerEpoch: 10) }
            results.append(t.weights)
        }
        for r in results.dropFirst() {
            let d = zip(r, results[0]).map { abs($0 - $1) }.max() ?? 1
            #expect(d < 1e-5, "micro-batched weights differ by \(d)")
        }
    }

    @Test(arguments: [1, 4])
    func everyPatchOncePerEpoch(slice: Int) throws {
        let dir = TrainTestSupport.tempDir("epoch")
        try TrainTestSupport.writePatchSet(path: dir + "/p.h5", count: 40, scale: 2, lrPatch: 4)
        let loader = try PatchBatchLoader(reader: try PatchSetReader(path: dir + "/p.h5"), batch: 8, sliceLength: slice, seed: 1)
        #expect(loader.stepsPerEpoch == 5)
        let e0 = loader.order(epoch: 0), e1 = loader.order(epoch: 1)
        #expect(e0.sorted() == Array(0..<40) && e1.sorted() == Array(0..<40))
        #expect(e0 != e1)
        for s in stride(from: 0, to: 40, by: slice) { #expect(e0[s] % slice == 0 && (0..<slice).allSatisfy { e0[s + $0] == e0[s] + $0 }) }
    }

    @Test func refusesAnotherScale() throws {
        let dir = TrainTestSupport.tempDir("scale")
        try TrainTestSupport.writePatchSet(path: dir + "/p.h5", count: 4, scale: 3, lrPatch: 4)
        let r = try PatchSetReader(path: dir + "/p.h5")
        #expect(throws: SRError.self) { try TrainSetup.check(r, config: TrainTestSupport.smallConfig(scale: 2)) }
        #expect(throws: Never.self) { try TrainSetup.check(r, config: TrainTestSupport.smallConfig(scale: 3)) }
    }

    @Test(arguments: [2, 3, 4])
    func forwardMatchesInferenceEngine(scale: Int) throws {
        let config = DCSCNConfig.compact(scale: scale)
        let params = try DCSCNParameters.heInitialized(config: config, seed: UInt64(scale))
        let h = 9, w = 12
        let g = try TrainingGraph(config: config, n: 1, h: h, w: w)
        var rng = SeededGenerator(seed: 77)
        let lr = Image(width: w, height: h, pixels: (0..<(h * w)).map { _ in Float(rng.nextUnit() * 255) })
        let bic = Resize.bicubic(lr, width: w * scale, height: h * scale)
        g.lr.copy(from: lr.pixels); g.bic.copy(from: bic.pixels)
        let flat = ParameterLayout(config: config).flatten(params)
        try flat.withUnsafeBufferPointer { try g.forward($0.baseAddress!) }
        let engine = try DCSCN(parameters: params).forward(lr: lr, bicubic: bic, threads: 1)
        let diff = zip(engine.pixels, g.out.array).map { abs($0 - $1) }.max() ?? 1
        #expect(engine.pixels.count == g.out.count)
        #expect(diff < 1e-3, "x\(scale): max |engine - trainer| = \(diff)")
    }

    @Test func fineTuneCarriesFeatureLayers() throws {
        let x2 = try DCSCNParameters.heInitialized(config: .compact(scale: 2), seed: 1)
        let (x4, copied) = try TrainSetup.initialParameters(config: .compact(scale: 4), seed: 2, from: x2)
        #expect(copied == ["CNN1", "CNN2", "CNN3", "CNN4", "CNN5", "CNN6", "CNN7", "A1", "B1", "B2", "R-CNN1"])
        #expect(x4.layers[0] == x2.layers[0])
    }
}
