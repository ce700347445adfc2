import CKernels
import Testing
@testable import SRCore
import SRTestSupport

/// The trainer's graph against the naive float64 reference (TrainReference): forward values and
/// every parameter's gradient against central finite differences of the float64 loss.
@Suite struct TrainGraphTests {
    static func tinyConfig(scale: Int) -> DCSCNConfig {
        DCSCNConfig(scale: scale, featureWidths: [4, 3], ninA: 3, ninB: 2, shufflerFilters: 1)
    }

    /// Widths that send the graph's convs through the AVX2 narrow packings: CNN2 26 -> 11 and A1
    /// 37 -> 9 as 8 + a narrow tail of 3 and 1, the transposed CNN2 11 -> 26 as 24 + 2, B1 37 -> 3,
    /// the upsampler 12 -> 4 (x2) and the transposed CNN1 26 -> 1 as whole narrow layers.
    static func narrowConfig(scale: Int) -> DCSCNConfig {
        DCSCNConfig(scale: scale, featureWidths: [26, 11], ninA: 9, ninB: 3, shufflerFilters: 1)
    }

    /// Random but reproducible weights with non-trivial biases and slopes.
    static func params(_ config: DCSCNConfig, seed: UInt64) throws -> [Float] {
        let layout = ParameterLayout(config: config)
        var v = layout.flatten(try DCSCNParameters.heInitialized(config: config, seed: seed))
        var rng = SeededGenerator(seed: seed ^ 0x55)
        for e in layout.entries {
            for i in e.bias { v[i] = Float(rng.nextUnit() * 2 - 1) }
            for i in e.alpha { v[i] = Float(rng.nextUnit() * 0.5) }
            for i in e.kernel { v[i] *= 0.5 }
        }
        return v
    }

    struct Case {
        var graph: TrainingGraph
        var params: [Float]
        var lr: [Double], bic: [Double], hr: [Double]
    }

    static func makeCase(scale: Int, keep: Float = 1, seed: UInt64 = 7, config: DCSCNConfig? = nil) throws -> Case {
        let config = config ?? tinyConfig(scale: scale)
        let n = 2, h = 5, w = 4
        let g = try TrainingGraph(config: config, n: n, h: h, w: w)
        g.keep = keep
        var rng = SeededGenerator(seed: seed)
        let lr = (0..<(n * h * w)).map { _ in rng.nextUnit() * 255 }
        let bic = (0..<(n * g.hrH * g.hrW)).map { _ in rng.nextUnit() * 255 }
        let hr = (0..<(n * g.hrH * g.hrW)).map { _ in rng.nextUnit() * 255 }
        g.lr.copy(from: lr.map(Float.init)); g.bic.copy(from: bic.map(Float.init)); g.hr.copy(from: hr.map(Float.init))
        return Case(graph: g, params: try params(config, seed: seed), lr: lr, bic: bic, hr: hr)
    }

    /// Float64 mean squared error of the reference network over the batch.
    static func referenceLoss(_ c: Case, params: [Double], masks: [[[Double]?]]?) -> Double {
        let g = c.graph
        let lrN = g.h * g.w, hrN = g.hrH * g.hrW
        var total = 0.0
        for i in 0..<g.n {
            let out = TrainReference.forward(config: g.config, params: params,
                                             lr: Array(c.lr[(i * lrN)..<((i + 1) * lrN)]),
                                             bic: Array(c.bic[(i * hrN)..<((i + 1) * hrN)]), h: g.h, w: g.w,
                                             masks: masks?[i])
            for p in 0..<hrN { let d = out[p] - c.hr[i * hrN + p]; total += d * d }
        }
        return total / Double(g.n * hrN)
    }

    /// Layer masks of the graph's last forward, split per image.
    static func masks(_ g: TrainingGraph) -> [[[Double]?]] {
        let specs = g.config.layers
        var grid = (h: g.h, w: g.w)
        var perLayer: [[[Double]]?] = []
        for (l, s) in specs.enumerated() {
            if let m = g.masks[l], g.keep < 1 {
                let per = grid.h * grid.w * s.outChannels
                let base: UnsafeMutablePointer<Float> = m.base
                let sample: (Int) -> [Double] = { i in (0..<per).map { Double(base[i * per + $0]) } }
                perLayer.append((0..<g.n).map(sample))
            } else {
                perLayer.append(nil)
            }
            if case .upsample(_, let b) = s.role { grid = (grid.h * b, grid.w * b) }
        }
        return (0..<g.n).map { i in perLayer.map { $0?[i] } }
    }

    /// Max |graph forward - float64 reference| over the case's batch.
    static func forwardError(_ c: Case) throws -> Double {
        try c.params.withUnsafeBufferPointer { try c.graph.forward($0.baseAddress!) }
        let g = c.graph
        let hrN = g.hrH * g.hrW, lrN = g.h * g.w
        var maxDiff = 0.0
        for i in 0..<g.n {
            let ref = TrainReference.forward(config: g.config, params: c.params.map(Double.init),
                                             lr: Array(c.lr[(i * lrN)..<((i + 1) * lrN)]),
                                             bic: Array(c.bic[(i * hrN)..<((i + 1) * hrN)]), h: g.h, w: g.w)
            for p in 0..<hrN { maxDiff = max(maxDiff, abs(ref[p] - Double(g.out.base[i * hrN + p]))) }
        }
        return maxDiff
    }

    @Test(arguments: [2, 3, 4])
    func forwardMatchesFloat64Reference(scale: Int) throws {
        let c = try Self.makeCase(scale: scale)
        let maxDiff = try Self.forwardError(c)
        #expect(maxDiff < 2e-3, "max |graph - reference| = \(maxDiff) on values of ~255")
    }

    /// `every`: check every n-th parameter against finite differences (1: all).
    func checkGradients(scale: Int, keep: Float, config: DCSCNConfig? = nil, every: Int = 1) throws {
        let c = try Self.makeCase(scale: scale, keep: keep, config: config)
        let g = c.graph
        var grads = [Float](repeating: 0, count: c.params.count)
        try c.params.withUnsafeBufferPointer { p in
            try g.forward(p.baseAddress!, dropoutSeed: 99)
            let sum = g.loss(l1: false, normaliser: g.n * g.hrH * g.hrW)
            #expect(sum > 0)
            try grads.withUnsafeMutableBufferPointer { try g.backward(p.baseAddress!, grads: $0.baseAddress!) }
        }
        let masks = keep < 1 ? Self.masks(g) : nil
        let p64 = c.params.map(Double.init)
        var num2 = 0.0, den2 = 0.0, worst = 0.0
        let scaleG = grads.map { abs(Double($0)) }.max() ?? 1
        for i in stride(from: 0, to: p64.count, by: every) {
            let eps = 1e-4 * max(1, abs(p64[i]))
            var plus = p64, minus = p64
            plus[i] += eps; minus[i] -= eps
            let fd = (Self.referenceLoss(c, params: plus, masks: masks) - Self.referenceLoss(c, params: minus, masks: masks)) / (2 * eps)
            let d = Double(grads[i]) - fd
            num2 += d * d; den2 += fd * fd
            worst = max(worst, abs(d) / (abs(fd) + 1e-3 * scaleG))
        }
        let rel = (num2 / den2).squareRoot()
        #expect(rel < 1e-3, "relative gradient error \(rel) (x\(scale), keep \(keep))")
        #expect(worst < 1e-2, "worst per-parameter error \(worst) (x\(scale), keep \(keep))")
    }

    @Test(arguments: [2, 3, 4])
    func gradientsMatchFiniteDifferences(scale: Int) throws {
        try checkGradients(scale: scale, keep: 1)
    }

    @Test func gradientsWithDropoutMatchFiniteDifferences() throws {
        try checkGradients(scale: 2, keep: 0.8)
    }

    /// The narrow packings the trainer passes to the kernels (repacked every step), on widths that
    /// use them: forward values against the float64 reference and gradients (every 5th parameter,
    /// each layer included) against finite differences.
    @Test(arguments: [2, 3])
    func narrowPackingsMatchReference(scale: Int) throws {
        func first(_ k: Int32, _ cin: Int32, _ cout: Int32) -> Int32 { var p = [cin]; return srk_conv_narrow_first(k, &p, 1, cout) }
        #expect(first(3, 26, 11) == 8 && first(1, 37, 9) == 8 && first(3, 11, 26) == 24)
        #expect(first(1, 37, 3) == 0 && first(3, 12, 4) == 0 && first(3, 26, 1) == 0)
        let config = Self.narrowConfig(scale: scale)
        let c = try Self.makeCase(scale: scale, config: config)
        let maxDiff = try Self.forwardError(c)
        #expect(maxDiff < 2e-3, "max |graph - reference| = \(maxDiff) on values of ~255")
        try checkGradients(scale: scale, keep: 1, config: config, every: 5)
    }
}
