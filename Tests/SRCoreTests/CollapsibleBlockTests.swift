import Testing
@testable import SRCore
import SRTestSupport

/// `--collapsible-width` (CollapsibleBlocks.swift, docs/techniques.md "Knobs"): the collapsed conv
/// equals the expanded block run layer by layer in float64, the expanded parameters' gradients match
/// float64 finite differences of the reference network's loss, and a trained model exports collapsed
/// weights that the unchanged engine runs like the training graph.
@Suite struct CollapsibleBlockTests {
    /// An independent float64 collapse: (kernel, bias) of every block, graph layout.
    static func collapse64(_ cb: CollapsibleBlocks, layout: ParameterLayout, graph: [Double], expanded x: [Double]) -> [Double] {
        var out = graph
        let off = cb.graphCount, w = cb.width
        for bl in cb.blocks {
            let e = layout.entries[bl.layer]
            let s = e.spec
            for r in 0..<bl.rows {
                for co in 0..<bl.cout {
                    var v = 0.0
                    let ar = bl.a.lowerBound - off + r * w, bc = bl.b.lowerBound - off + co
                    for h in 0..<w { v += x[ar + h] * x[bc + h * bl.cout] }
                    let c = s.kernel / 2, ci = r % s.inChannels
                    if s.inChannels == s.outChannels, r / s.inChannels == c * s.kernel + c, ci == co { v += 1 }
                    out[e.kernel.lowerBound + r * bl.cout + co] = v
                }
            }
            if s.hasBias {
                for co in 0..<bl.cout {
                    var v = x[bl.bBias.lowerBound - off + co]
                    let ab = bl.aBias.lowerBound - off, bc = bl.b.lowerBound - off + co
                    for h in 0..<w { v += x[ab + h] * x[bc + h * bl.cout] }
                    out[e.bias.lowerBound + co] = v
                }
            }
        }
        return out
    }

    /// SAME k x k conv of an `h` x `w` x `cin` image (HWIO kernel), float64, zero padding.
    static func conv(_ x: [Double], h: Int, w: Int, cin: Int, k: Int, kernel: [Double], bias: [Double], cout: Int) -> [Double] {
        var y = [Double](repeating: 0, count: h * w * cout)
        let p = k / 2
        for i in 0..<h { for j in 0..<w { for co in 0..<cout {
            var s = bias.isEmpty ? 0 : bias[co]
            for dy in 0..<k { for dx in 0..<k {
                let yy = i + dy - p, xx = j + dx - p
                guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                for ci in 0..<cin { s += x[(yy * w + xx) * cin + ci] * kernel[((dy * k + dx) * cin + ci) * cout + co] }
            } }
            y[(i * w + j) * cout + co] = s
        } } }
        return y
    }

    /// Each collapsed layer against its block: k x k to W, 1x1 back, plus the identity (B2 keeps its width).
    @Test func collapsedConvEqualsTheExpandedBlock() throws {
        let config = TrainTestSupport.smallConfig(scale: 2)
        let layout = ParameterLayout(config: config)
        var weights = layout.flatten(try DCSCNParameters.heInitialized(config: config, seed: 1))
        var cb = try CollapsibleBlocks(layout: layout, width: 12, seed: 5, weights: &weights, clipNorm: 5, l2: 0)
        // Non-zero biases in the blocks.
        var rng = SeededGenerator(seed: 9)
        var x = cb.expanded
        for bl in cb.blocks { for i in Array(bl.aBias) + Array(bl.bBias) { x[i - cb.graphCount] = Float(rng.nextUnit() - 0.5) } }
        try cb.setExpanded(x)
        cb.collapse(into: &weights, layout: layout)
        #expect(cb.blocks.map { layout.entries[$0.layer].spec.name } == ["CNN1", "CNN2", "CNN3", "B2", "Up-PS", "R-CNN1"])
        #expect(cb.blocks.contains { $0.identity })
        let h = 6, w = 5
        for bl in cb.blocks {
            let s = layout.entries[bl.layer].spec
            let e = layout.entries[bl.layer]
            let input = (0..<(h * w * s.inChannels)).map { _ in rng.nextUnit() * 2 - 1 }
            let d = x.map(Double.init), off = cb.graphCount
            let hidden = Self.conv(input, h: h, w: w, cin: s.inChannels, k: s.kernel, kernel: Array(d[(bl.a.lowerBound - off)..<(bl.a.upperBound - off)]),
                                   bias: Array(d[(bl.aBias.lowerBound - off)..<(bl.aBias.upperBound - off)]), cout: cb.width)
            var block = Self.conv(hidden, h: h, w: w, cin: cb.width, k: 1, kernel: Array(d[(bl.b.lowerBound - off)..<(bl.b.upperBound - off)]),
                                  bias: Array(d[(bl.bBias.lowerBound - off)..<(bl.bBias.upperBound - off)]), cout: s.outChannels)
            if bl.identity { for i in block.indices { block[i] += input[i] } }
            let collapsed = Self.conv(input, h: h, w: w, cin: s.inChannels, k: s.kernel, kernel: weights[e.kernel].map(Double.init),
                                      bias: weights[e.bias].map(Double.init), cout: s.outChannels)
            let err = zip(block, collapsed).map { abs($0 - $1) }.max() ?? 1
            let scale = block.map(abs).max() ?? 1
            #expect(err <= 1e-4 * max(1, scale), "\(s.name): max |block - collapsed| = \(err) on values up to \(scale)")
        }
    }

    /// The chain rule of `expandedGradient` through the whole network: the graph's gradient mapped
    /// onto the block parameters against central differences of the float64 reference loss of the
    /// float64-collapsed network.
    @Test func expandedGradientsMatchFiniteDifferences() throws {
        let c = try TrainGraphTests.makeCase(scale: 2, seed: 21)
        let layout = ParameterLayout(config: c.graph.config)
        var weights = c.params
        let cb = try CollapsibleBlocks(layout: layout, width: 5, seed: 3, weights: &weights, clipNorm: 5, l2: 0)
        var grads = [Float](repeating: 0, count: weights.count)
        try weights.withUnsafeBufferPointer { p in
            try c.graph.forward(p.baseAddress!)
            _ = c.graph.loss(l1: false, normaliser: c.graph.n * c.graph.hrH * c.graph.hrW)
            try grads.withUnsafeMutableBufferPointer { try c.graph.backward(p.baseAddress!, grads: $0.baseAddress!) }
        }
        let analytic = cb.expandedGradient(grads, layout: layout)
        let g64 = weights.map(Double.init), x64 = cb.expanded.map(Double.init)
        var rng = SeededGenerator(seed: 4)
        var num2 = 0.0, den2 = 0.0, checked = 0
        for bl in cb.blocks {
            for range in [bl.a, bl.aBias, bl.b, bl.bBias] where !range.isEmpty {
                for _ in 0..<3 {
                    let i = range.lowerBound + Int(rng.nextUnit() * Double(range.count)) % range.count
                    let j = i - cb.graphCount
                    let eps = 1e-5 * max(1, abs(x64[j]))
                    var plus = x64, minus = x64
                    plus[j] += eps; minus[j] -= eps
                    let fd = (TrainGraphTests.referenceLoss(c, params: Self.collapse64(cb, layout: layout, graph: g64, expanded: plus), masks: nil)
                              - TrainGraphTests.referenceLoss(c, params: Self.collapse64(cb, layout: layout, graph: g64, expanded: minus), masks: nil)) / (2 * eps)
                    num2 += (Double(analytic[i]) - fd) * (Double(analytic[i]) - fd); den2 += fd * fd
                    checked += 1
                }
            }
        }
        let rel = (num2 / den2).squareRoot()
        #expect(checked > 30 && rel < 1e-3, "relative gradient error \(rel) over \(checked) block parameters")
        // The collapsed layers' own entries carry no gradient (they are derived).
        for bl in cb.blocks { #expect(layout.entries[bl.layer].kernel.allSatisfy { analytic[$0] == 0 }) }
    }

    /// A run with blocks: loss falls on a repeated batch, the graph always runs the collapse of
    /// the current expanded weights, the exported model runs in the engine like the graph, and the
    /// knob is recorded; resuming such a run is refused.
    @Test func trainsAndExportsCollapsedWeights() throws {
        var o = TrainOptions()
        o.batch = 4; o.threads = 2; o.seed = 3; o.schedule = .constant(0.003)
        o.knobs.collapsibleWidth = 16
        let config = TrainTestSupport.smallConfig(scale: 2)
        let t = try Trainer(parameters: try DCSCNParameters.heInitialized(config: config, seed: 3), options: o, lrSide: 6)
        let b = try TrainBatch.synthetic(count: 4, lrSide: 6, scale: 2, seed: 8)
        let first = try t.evaluate(b)
        for _ in 0..<12 { _ = try t.train(b, stepsPerEpoch: 100) }
        #expect(try t.evaluate(b) < first)
        var again = t.weights
        t.collapsible!.collapse(into: &again, layout: t.layout)
        #expect(again == t.weights)
        #expect(o.knobs.provenance["collapsible_width"] == "16")

        #expect(try KnobTestSupport.engineVersusGraph(try t.parameters(), weights: t.weights) < 1e-3)

        let ck = TrainCheckpoint(trainer: t, options: "")
        #expect(throws: SRError.self) { try ck.restore(into: t) }
        o.knobs.collapsibleWidth = 5000
        #expect(throws: SRError.self) { try Trainer(parameters: try t.parameters(), options: o, lrSide: 6) }
    }
}
