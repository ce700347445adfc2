#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

/// Adam + L2 + clipping against a float64 transcription of TF's update, and the schedules.
@Suite struct TrainOptimizerTests {
    @Test func adamStepMatchesTensorFlowFormula() throws {
        let config = TrainGraphTests.tinyConfig(scale: 2)
        let layout = ParameterLayout(config: config)
        var w = try TrainGraphTests.params(config, seed: 3)
        var rng = SeededGenerator(seed: 4)
        let g0 = (0..<w.count).map { _ in Float(rng.nextUnit() * 2 - 1) }
        var opt = AdamOptimizer(layout: layout)
        opt.clipNorm = 5; opt.l2 = 1e-4
        let mask = layout.kernelMask
        // float64 reference of two TF steps with the same gradient.
        var rw = w.map(Double.init), rm = [Double](repeating: 0, count: w.count), rv = rm
        for t in 1...2 {
            var g = zip(g0, zip(rw, mask)).map { Double($0) + 1e-4 * Double($1.1) * $1.0 }
            let norm = g.map { $0 * $0 }.reduce(0, +).squareRoot()
            if norm > 5 { g = g.map { $0 * 5 / norm } }
            let lrT = 0.01 * (1 - pow(0.999, Double(t))).squareRoot() / (1 - pow(0.9, Double(t)))
            for i in rw.indices {
                rm[i] = 0.9 * rm[i] + 0.1 * g[i]
                rv[i] = 0.999 * rv[i] + 0.001 * g[i] * g[i]
                rw[i] -= lrT * rm[i] / (rv[i].squareRoot() + 1e-8)
            }
            var gs = g0
            let n = opt.update(&w, gradients: &gs, learningRate: 0.01)
            #expect(abs(n - norm) < 1e-3 * norm, "gradient norm \(n) vs \(norm)")
        }
        let worst = zip(w, rw).map { abs(Double($0) - $1) }.max() ?? 1
        #expect(worst < 1e-5, "max |adam - reference| = \(worst)")
        #expect(opt.t == 2)
        var sq = 0.0
        for i in w.indices where mask[i] != 0 { sq += Double(w[i]) * Double(w[i]) }
        #expect(abs(opt.l2Loss(w) - 1e-4 * sq / 2) < 1e-9)
    }

    @Test func schedules() {
        let ref = LearningRateSchedule.step(initial: 0.002, decay: 0.5, decayEpochs: 9, end: 2e-5)
        #expect(ref.naturalSteps(stepsPerEpoch: 100) == 7 * 9 * 100)  // the reference's 63 epochs
        #expect(ref.rate(step: 0, stepsPerEpoch: 100) == 0.002)
        #expect(ref.rate(step: 899, stepsPerEpoch: 100) == 0.002)
        #expect(ref.rate(step: 900, stepsPerEpoch: 100) == 0.001)
        let cos = LearningRateSchedule.cosine(peak: 0.004, warmup: 500, total: 13000, end: 1e-5)
        #expect(abs(cos.rate(step: 249, stepsPerEpoch: 1) - 0.002) < 1e-12)
        #expect(abs(cos.rate(step: 500, stepsPerEpoch: 1) - 0.004) < 1e-12)
        #expect(abs(cos.rate(step: 6750, stepsPerEpoch: 1) - (1e-5 + 0.00399 * 0.5)) < 1e-9)
        #expect(abs(cos.rate(step: 13000, stepsPerEpoch: 1) - 1e-5) < 1e-12)
    }

    @Test func l1LossIsMeanAbsoluteError() throws {
        let c = try TrainGraphTests.makeCase(scale: 2)
        let g = c.graph
        try c.params.withUnsafeBufferPointer { try g.forward($0.baseAddress!) }
        let count = g.n * g.hrH * g.hrW
        let l1 = g.loss(l1: true, normaliser: count)
        var ref = 0.0
        for i in 0..<count { ref += abs(Double(g.out.base[i]) - c.hr[i]) }
        #expect(abs(l1 - ref) / ref < 1e-5)
    }
}
