#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

/// SGD with momentum and AdamW against float64 transcriptions of their update rules, the weight
/// average against its recurrence, and checkpoints of each optimiser (1.1) plus reading a 1.0 file.
@Suite struct LabOptimizerTests {
    static func setup() throws -> (ParameterLayout, [Float], [Float], [Float]) {
        let config = TrainGraphTests.tinyConfig(scale: 2)
        let layout = ParameterLayout(config: config)
        let w = try TrainGraphTests.params(config, seed: 3)
        var rng = SeededGenerator(seed: 4)
        let g0 = (0..<w.count).map { _ in Float(rng.nextUnit() * 2 - 1) }
        return (layout, w, g0, layout.kernelMask)
    }

    /// float64: gradient + L2, global clip at 5.
    static func prepared(_ g0: [Float], _ w: [Double], _ mask: [Float], l2: Double) -> [Double] {
        var g = zip(g0, zip(w, mask)).map { Double($0) + l2 * Double($1.1) * $1.0 }
        let norm = g.map { $0 * $0 }.reduce(0, +).squareRoot()
        if norm > 5 { g = g.map { $0 * 5 / norm } }
        return g
    }

    @Test func sgdMomentumMatchesFormula() throws {
        let (layout, w0, g0, mask) = try Self.setup()
        var w = w0
        var o = MomentumOptimizer(layout: layout, momentum: 0.9)
        o.l2 = 1e-3
        var rw = w0.map(Double.init), rv = [Double](repeating: 0, count: w0.count)
        for _ in 0..<3 {
            let g = Self.prepared(g0, rw, mask, l2: 1e-3)
            for i in rw.indices { rv[i] = 0.9 * rv[i] + g[i]; rw[i] -= 0.05 * rv[i] }
            var gs = g0
            o.update(&w, gradients: &gs, learningRate: 0.05)
        }
        let worst = zip(w, rw).map { abs(Double($0) - $1) }.max() ?? 1
        #expect(worst < 1e-5, "max |sgd - reference| = \(worst)")
        #expect(o.t == 3)
    }

    @Test func adamWDecaysKernelsOnly() throws {
        let (layout, w0, g0, mask) = try Self.setup()
        var w = w0
        var o = AdamWOptimizer(layout: layout, weightDecay: 0.1)
        o.l2 = 0
        var rw = w0.map(Double.init), rm = [Double](repeating: 0, count: w0.count), rv = rm
        for t in 1...2 {
            let g = Self.prepared(g0, rw, mask, l2: 0)
            let lrT = 0.01 * (1 - pow(0.999, Double(t))).squareRoot() / (1 - pow(0.9, Double(t)))
            for i in rw.indices {
                rm[i] = 0.9 * rm[i] + 0.1 * g[i]
                rv[i] = 0.999 * rv[i] + 0.001 * g[i] * g[i]
                rw[i] -= lrT * rm[i] / (rv[i].squareRoot() + 1e-8) + 0.01 * 0.1 * Double(mask[i]) * rw[i]
            }
            var gs = g0
            o.update(&w, gradients: &gs, learningRate: 0.01)
        }
        let worst = zip(w, rw).map { abs(Double($0) - $1) }.max() ?? 1
        #expect(worst < 1e-5, "max |adamw - reference| = \(worst)")
        // With decay 0 AdamW is Adam.
        var a = AdamOptimizer(layout: layout), b = AdamWOptimizer(layout: layout, weightDecay: 0)
        var wa = w0, wb = w0, ga = g0, gb = g0
        a.update(&wa, gradients: &ga, learningRate: 0.01); b.update(&wb, gradients: &gb, learningRate: 0.01)
        #expect(wa == wb)
    }

    @Test func weightAverageFollowsItsRecurrence() {
        var avg = WeightAverage(decay: 0.9, initial: [1, -2])
        var ref = [1.0, -2.0]
        for n in 0..<100 {
            let w: [Float] = [Float(n), Float(2 * n) - 3]
            let d = min(0.9, Double(1 + n) / Double(10 + n))
            for i in 0..<2 { ref[i] = d * ref[i] + (1 - d) * Double(w[i]) }
            avg.update(w)
        }
        #expect(abs(Double(avg.weights[0]) - ref[0]) < 1e-4 && abs(Double(avg.weights[1]) - ref[1]) < 1e-4)
        #expect(avg.updates == 100 && avg.currentDecay == 0.9)   // (1 + n) / (10 + n) passes 0.9 at n = 81
    }

    @Test(arguments: [OptimizerKind.adam, .sgd, .adamw])
    func checkpointResumesEachOptimizer(kind: OptimizerKind) throws {
        let dir = TrainTestSupport.tempDir("ck-\(kind.rawValue)")
        let data = dir + "/p.h5"
        try TrainTestSupport.writePatchSet(path: data, count: 12, scale: 2, lrPatch: 8)
        let config = TrainTestSupport.smallConfig(scale: 2)
        var o = TrainOptions()
        o.batch = 4; o.threads = 1; o.seed = 2; o.optimizer = kind; o.weightDecay = 0.01; o.emaDecay = 0.99
        o.schedule = .constant(kind == .sgd ? 0.01 : 0.002)
        func fresh(_ o: TrainOptions) throws -> (Trainer, PatchBatchLoader) {
            (try Trainer(parameters: try DCSCNParameters.heInitialized(config: config, seed: 2), options: o, lrSide: 8),
             try PatchBatchLoader(reader: try PatchSetReader(path: data), batch: 4, seed: 2))
        }
        func steps(_ t: Trainer, _ l: PatchBatchLoader, _ k: Int) throws {
            l.start(at: t.step)
            for _ in 0..<k { _ = try t.train(try l.next(), stepsPerEpoch: l.stepsPerEpoch); l.release() }
            l.stop()
        }
        let (a, la) = try fresh(o)
        try steps(a, la, 6)
        let (b, lb) = try fresh(o)
        try steps(b, lb, 3)
        try TrainCheckpoint(trainer: b, options: "test").write(to: dir + "/ck.h5")
        let (c, lc) = try fresh(o)
        try TrainCheckpoint.read(path: dir + "/ck.h5").restore(into: c)
        try steps(c, lc, 3)
        #expect(a.weights == c.weights)
        #expect(a.optimizer.state == c.optimizer.state)
        #expect(a.ema == c.ema && a.ema != nil)
        #expect(a.ema!.weights != a.weights)
        // Another optimiser refuses the state.
        var other = o
        other.optimizer = kind == .sgd ? .adam : .sgd
        let (d, _) = try fresh(other)
        #expect(throws: SRError.self) { try TrainCheckpoint.read(path: dir + "/ck.h5").restore(into: d) }
    }

    @Test func readsVersion10Checkpoints() throws {
        let dir = TrainTestSupport.tempDir("ck10")
        let config = TrainTestSupport.smallConfig(scale: 2)
        let count = ParameterLayout(config: config).count
        let w = (0..<count).map { Float($0) * 1e-3 }, m = w.map { $0 * 2 }, v = w.map { $0 * 3 }
        let path = dir + "/old.h5"
        // The 1.0 layout, written field by field as the earlier build did.
        try HDF5File.writeAtomically(path) { f in
            try f.setAttribute("format", TrainCheckpoint.formatName)
            try f.setAttribute("format_version", "1.0")
            try f.setAttribute("step", 7)
            try f.setAttribute("adam_t", 7)
            try f.setAttribute("seed", "3")
            try WeightsFile.writeConfig(config, to: f)
            try f.setAttribute("options", "old")
            try f.write("/weights", floats: w, shape: [count])
            try f.write("/adam_m", floats: m, shape: [count])
            try f.write("/adam_v", floats: v, shape: [count])
        }
        let ck = try TrainCheckpoint.read(path: path)
        #expect(ck.step == 7 && ck.optimizer == OptimizerState(kind: .adam, t: 7, arrays: ["m": m, "v": v]) && ck.ema == nil)
        let t = try Trainer(parameters: try DCSCNParameters.heInitialized(config: config, seed: 3), options: TrainOptions(), lrSide: 8)
        try ck.restore(into: t)
        #expect(t.weights == w && (t.optimizer as? AdamOptimizer)?.m == m)
    }
}
