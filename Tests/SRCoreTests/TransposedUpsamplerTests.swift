import Testing
@testable import SRCore
import SRTestSupport

/// `--upsampler transposed` (TransposedUpsampler.swift, docs/techniques.md "Knobs"): the rearranged
/// pixel-shuffle conv + depth_to_space equals a float64 direct (scatter) transposed convolution, the
/// transposed kernel's gradient matches central differences of the float64 reference loss, and a
/// trained model exports pixel-shuffle weights that the unchanged engine runs like the training graph.
@Suite struct TransposedUpsamplerTests {
    /// The truth: stride-`b` transposed conv in scatter form, float64. LR pixel (y, x) adds
    /// `x[y, x, ci] · t[p][q][ci][c]` to HR pixel (y·b + p − P, x·b + q − P), `P = b·(K/b − 1)/2`;
    /// HR pixels outside `b·h x b·w` are dropped (PyTorch ConvTranspose2d(stride b, padding P)).
    static func transposedConv(_ x: [Double], h: Int, w: Int, cin: Int, t: [Double], kernel K: Int, b: Int, c: Int) -> [Double] {
        let P = b * (K / b - 1) / 2, H = h * b, W = w * b
        var out = [Double](repeating: 0, count: H * W * c)
        for y in 0..<h { for xx in 0..<w { for p in 0..<K { for q in 0..<K {
            let oy = y * b + p - P, ox = xx * b + q - P
            guard oy >= 0, oy < H, ox >= 0, ox < W else { continue }
            for ci in 0..<cin { for ch in 0..<c {
                out[(oy * W + ox) * c + ch] += x[(y * w + xx) * cin + ci] * t[((p * K + q) * cin + ci) * c + ch]
            } }
        } } } }
        return out
    }

    /// Rearranged conv + depth_to_space against the direct transposed conv, x2/x3/x4 strides, every
    /// admissible K for conv kernels 3 and 5, one and two output channels.
    @Test(arguments: [2, 3, 4]) func rearrangementEqualsDirectTransposedConv(b: Int) {
        var rng = SeededGenerator(seed: UInt64(40 + b))
        let h = 5, w = 4, cin = 3
        for k in [3, 5] {
            for kp in stride(from: 1, through: k, by: 2) {
                for c in [1, 2] {
                    let K = b * kp
                    let t = (0..<(K * K * cin * c)).map { _ in rng.nextUnit() * 2 - 1 }
                    let x = (0..<(h * w * cin)).map { _ in rng.nextUnit() * 2 - 1 }
                    let map = TransposedUpsampler.stageMap(block: b, kernel: K, convKernel: k, inChannels: cin, channels: c)
                    #expect(Set(map).count == map.count)   // injective
                    let ps = TransposedUpsampler.pixelShuffleKernel(t, map: map, count: k * k * cin * b * b * c)
                    let conv = TrainReference.conv(x, h: h, w: w, cin: cin, k: k, kernel: ps[...], cout: b * b * c)
                    let got = TrainReference.depthToSpace(conv, h: h, w: w, b: b, C: c)
                    let want = Self.transposedConv(x, h: h, w: w, cin: cin, t: t, kernel: K, b: b, c: c)
                    let err = zip(got, want).map { abs($0 - $1) }.max() ?? 1
                    #expect(err < 1e-12, "b \(b), k \(k), K \(K), C \(c): max error \(err)")
                    #expect(TransposedUpsampler.transposedKernel(ps, map: map) == t)
                }
            }
        }
    }

    /// The network's stages: x2 and x3 one stage, x4 two x2 stages; bad K refused.
    @Test func stagesAndValidation() throws {
        for (s, blocks) in [(2, [2]), (3, [3]), (4, [2, 2])] {
            let config = TrainTestSupport.smallConfig(scale: s)
            let layout = ParameterLayout(config: config)
            let up = try TransposedUpsampler(layout: layout, kernel: TransposedUpsampler.defaultKernel(config))
            #expect(up.stages.map(\.block) == blocks)
            #expect(up.kernel == blocks[0] * 3)
            for bad in [0, 1, 4, 3 * blocks[0] + 1, 5 * blocks[0], 2 * blocks[0]] {
                #expect(throws: SRError.self) { try TransposedUpsampler(layout: layout, kernel: bad) }
            }
        }
    }

    /// The adjoint through the whole network: the graph's gradient of the Up-PS kernels gathered onto
    /// the transposed kernels against central differences of the float64 reference loss.
    @Test(arguments: [(2, 6), (2, 2), (3, 9), (4, 6)]) func transposedGradientMatchesFiniteDifferences(scale: Int, kernel: Int) throws {
        let c = try TrainGraphTests.makeCase(scale: scale, seed: 23)
        let layout = ParameterLayout(config: c.graph.config)
        let up = try TransposedUpsampler(layout: layout, kernel: kernel)
        var weights = c.params
        up.toTransposed(&weights, layout: layout)
        up.toPixelShuffle(&weights, layout: layout)
        var grads = [Float](repeating: 0, count: weights.count)
        try weights.withUnsafeBufferPointer { p in
            try c.graph.forward(p.baseAddress!)
            _ = c.graph.loss(l1: false, normaliser: c.graph.n * c.graph.hrH * c.graph.hrW)
            try grads.withUnsafeMutableBufferPointer { try c.graph.backward(p.baseAddress!, grads: $0.baseAddress!) }
        }
        let w64 = weights.map(Double.init)
        var rng = SeededGenerator(seed: 6)
        var num2 = 0.0, den2 = 0.0, checked = 0
        for s in up.stages {
            let r = layout.entries[s.layer].kernel
            let analytic = TransposedUpsampler.transposedKernel(grads[r].map(Double.init), map: s.map)
            let t64 = TransposedUpsampler.transposedKernel(Array(w64[r]), map: s.map)
            func loss(_ t: [Double]) -> Double {
                var p = w64
                let ps = TransposedUpsampler.pixelShuffleKernel(t, map: s.map, count: r.count)
                for (i, v) in ps.enumerated() { p[r.lowerBound + i] = v }
                return TrainGraphTests.referenceLoss(c, params: p, masks: nil)
            }
            for _ in 0..<12 {
                let j = Int(rng.nextUnit() * Double(t64.count)) % t64.count
                let eps = 1e-5 * max(1, abs(t64[j]))
                var plus = t64, minus = t64
                plus[j] += eps; minus[j] -= eps
                let fd = (loss(plus) - loss(minus)) / (2 * eps)
                num2 += (analytic[j] - fd) * (analytic[j] - fd); den2 += fd * fd
                checked += 1
            }
        }
        let rel = (num2 / den2).squareRoot()
        #expect(checked >= 12 && rel < 1e-3, "x\(scale) K \(kernel): relative gradient error \(rel) over \(checked) entries")
    }

    /// A short run: the loss falls, the taps outside k' x k' stay zero, the exported weights run in the
    /// engine like the graph and name the knob; Adam over T is Adam over W re-indexed (same run as the
    /// pixel shuffle up to the summation order of the norm); resume needs the same K.
    @Test func trainsAndExportsPixelShuffleWeights() throws {
        for (scale, kernel) in [(2, 2), (3, 9), (4, 6)] {
            var o = TrainOptions()
            o.batch = 4; o.threads = 2; o.seed = 3; o.schedule = .constant(0.003)
            o.knobs.transposedKernel = kernel
            let config = TrainTestSupport.smallConfig(scale: scale)
            let start = try DCSCNParameters.heInitialized(config: config, seed: 3)
            let t = try Trainer(parameters: start, options: o, lrSide: 6)
            let b = try TrainBatch.synthetic(count: 4, lrSide: 6, scale: scale, seed: 8)
            let first = try t.evaluate(b)
            for _ in 0..<10 { _ = try t.train(b, stepsPerEpoch: 100) }
            #expect(try t.evaluate(b) < first)
            var again = t.weights
            t.transposed!.toTransposed(&again, layout: t.layout)
            t.transposed!.toPixelShuffle(&again, layout: t.layout)
            #expect(again == t.weights)   // nothing outside the transposed kernel's taps
            #expect(o.knobs.provenance["upsampler"] == "transposed")
            #expect(o.knobs.provenance["transposed_kernel"] == String(kernel))
            let p = try t.parameters(provenance: o.knobs.provenance)
            #expect(try KnobTestSupport.engineVersusGraph(p, weights: t.weights) < 1e-3)

            if kernel == TransposedUpsampler.defaultKernel(config) {
                var po = o
                po.knobs.transposedKernel = 0
                let plain = try Trainer(parameters: start, options: po, lrSide: 6)
                for _ in 0..<10 { _ = try plain.train(b, stepsPerEpoch: 100) }
                let d = zip(plain.weights, t.weights).map { abs($0 - $1) }.max() ?? 1
                #expect(d < 1e-3, "x\(scale): transposed vs pixel-shuffle run differ by \(d)")
            }

            let ck = TrainCheckpoint(trainer: t, options: "")
            #expect(ck.transposedKernel == kernel)
            let same = try Trainer(parameters: start, options: o, lrSide: 6)
            try ck.restore(into: same)
            #expect(same.weights == t.weights && same.step == t.step)
            var po = o
            po.knobs.transposedKernel = 0
            #expect(throws: SRError.self) { try ck.restore(into: try Trainer(parameters: start, options: po, lrSide: 6)) }
            #expect(throws: SRError.self) { try TrainCheckpoint(trainer: try Trainer(parameters: start, options: po, lrSide: 6), options: "").restore(into: t) }
        }
        var o = TrainOptions()
        o.knobs.transposedKernel = 6
        o.knobs.collapsibleWidth = 4
        #expect(throws: SRError.self) { try Trainer(parameters: try DCSCNParameters.heInitialized(config: .compact(scale: 2), seed: 1), options: o, lrSide: 6) }
    }
}
