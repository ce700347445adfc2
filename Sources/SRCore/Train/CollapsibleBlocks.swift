import SRSupport
import SRModel

/// Collapsible linear blocks (SESR, Bhardwaj et al. 2022; RepVGG-style re-parameterisation;
/// `sr train --collapsible-width W`, docs/techniques.md "Knobs").
///
/// Every k x k conv (k > 1) is trained as a linear block: a k x k conv to `W` hidden channels
/// (kernel `A`, bias `a`), then a 1x1 conv back (kernel `B`, bias `b`), no nonlinearity between,
/// plus the identity when the conv keeps its width. The block is linear, so it equals one plain
/// k x k conv with `K = A·B (+ I)` and bias `a·B + b`; that collapsed conv is what the training
/// graph runs at every step and what is exported, so inference costs the same and the weights
/// file is unchanged. The optimiser updates the expanded parameters, with the graph's gradient of
/// `K` and the bias mapped back through the chain rule:
/// `dA = dK·Bᵀ`, `dB = Aᵀ·dK + aᵀ·db`, `da = db·Bᵀ`, `db_block = db`.
public struct CollapsibleBlocks: Sendable {
    /// One collapsed layer: its place in the graph layout and in `expanded`.
    package struct Block: Sendable {
        package let layer: Int
        package let rows: Int          // k * k * cin (rows of K and A)
        package let cout: Int
        package let identity: Bool     // cin == cout: K gains the identity at the kernel centre
        package let centre: Int        // row of the centre tap of input channel 0
        package let a: Range<Int>, aBias: Range<Int>, b: Range<Int>, bBias: Range<Int>   // in `expanded`
    }

    /// Hidden width of every block.
    public let width: Int
    package let blocks: [Block]
    /// Graph-layout count (the collapsed weights come first in the optimiser's vector).
    package let graphCount: Int
    /// The expanded block parameters.
    public private(set) var expanded: [Float]
    /// Adam over `[graph weights, expanded]`; the collapsed kernels and biases in the first part
    /// are derived, so their gradient is zero and they are rewritten after every update.
    public var adam: AdamOptimizer

    /// Expanded blocks for every k x k layer of `layout`, drawn so that `K = A·B` has the He
    /// variance of the plain conv (A: He normal over k·k·cin, B: normal with variance 1/W, biases 0);
    /// rewrites those layers' kernels and biases of `weights` with the collapsed values.
    public init(layout: ParameterLayout, width: Int, seed: UInt64, weights: inout [Float],
                clipNorm: Double, l2: Double) throws {
        guard (1...4096).contains(width) else {
            throw SRError(.invalidArgument, "collapsible width must be in 1...4096, got \(width)")
        }
        self.width = width
        graphCount = layout.count
        var rng = SeededGenerator(seed: seed ^ 0xC011_A951_B1E5_0001)
        var params: [Float] = []
        var list: [Block] = []
        var mask = layout.kernelMask
        for (l, e) in layout.entries.enumerated() where e.spec.kernel > 1 {
            let s = e.spec
            let rows = s.kernel * s.kernel * s.inChannels
            let base = graphCount + params.count
            let a = base..<(base + rows * width)
            let aBias = a.upperBound..<(a.upperBound + (s.hasBias ? width : 0))
            let b = aBias.upperBound..<(aBias.upperBound + width * s.outChannels)
            let bBias = b.upperBound..<(b.upperBound + (s.hasBias ? s.outChannels : 0))
            let sa = (2 / Double(rows)).squareRoot(), sb = (1 / Double(width)).squareRoot()
            params += (0..<a.count).map { _ in Float(rng.nextNormal() * sa) }
            params += [Float](repeating: 0, count: aBias.count)
            params += (0..<b.count).map { _ in Float(rng.nextNormal() * sb) }
            params += [Float](repeating: 0, count: bBias.count)
            let c = s.kernel / 2
            list.append(Block(layer: l, rows: rows, cout: s.outChannels, identity: s.inChannels == s.outChannels,
                              centre: (c * s.kernel + c) * s.inChannels, a: a, aBias: aBias, b: b, bBias: bBias))
            for i in e.kernel { mask[i] = 0 }
        }
        blocks = list
        expanded = params
        for bl in list {
            mask += [Float](repeating: 1, count: bl.a.count) + [Float](repeating: 0, count: bl.aBias.count)
                + [Float](repeating: 1, count: bl.b.count) + [Float](repeating: 0, count: bl.bBias.count)
        }
        var opt = AdamOptimizer(count: mask.count, kernelMask: mask)
        opt.clipNorm = clipNorm
        opt.l2 = l2
        adam = opt
        collapse(into: &weights, layout: layout)
    }

    /// Replaces the expanded parameters (same count; for tests and tools).
    package mutating func setExpanded(_ x: [Float]) throws {
        guard x.count == expanded.count else {
            throw SRError(.shapeMismatch, "collapsible blocks hold \(expanded.count) values, got \(x.count)")
        }
        expanded = x
    }

    /// Writes every block's collapsed kernel and bias into the graph-layout `weights`.
    public func collapse(into weights: inout [Float], layout: ParameterLayout) {
        let x = expanded, off = graphCount, w = width
        for bl in blocks {
            let e = layout.entries[bl.layer]
            for r in 0..<bl.rows {
                for co in 0..<bl.cout {
                    var s: Float = 0
                    for h in 0..<w { s += x[bl.a.lowerBound - off + r * w + h] * x[bl.b.lowerBound - off + h * bl.cout + co] }
                    weights[e.kernel.lowerBound + r * bl.cout + co] = s
                }
            }
            if bl.identity { for c in 0..<bl.cout { weights[e.kernel.lowerBound + (bl.centre + c) * bl.cout + c] += 1 } }
            if !bl.bBias.isEmpty {
                for co in 0..<bl.cout {
                    var s = x[bl.bBias.lowerBound - off + co]
                    for h in 0..<w { s += x[bl.aBias.lowerBound - off + h] * x[bl.b.lowerBound - off + h * bl.cout + co] }
                    weights[e.bias.lowerBound + co] = s
                }
            }
        }
    }

    /// The gradient over `[graph weights, expanded]` from the graph's gradient `g` (graph layout):
    /// the collapsed kernels' and biases' entries are moved onto the block parameters.
    package func expandedGradient(_ g: [Float], layout: ParameterLayout) -> [Float] {
        var out = g + [Float](repeating: 0, count: expanded.count)
        let x = expanded, off = graphCount, w = width
        for bl in blocks {
            let e = layout.entries[bl.layer]
            let gk = e.kernel.lowerBound, gb = e.bias.lowerBound
            for r in 0..<bl.rows {
                for h in 0..<w {
                    var s: Float = 0
                    for co in 0..<bl.cout { s += g[gk + r * bl.cout + co] * x[bl.b.lowerBound - off + h * bl.cout + co] }
                    out[bl.a.lowerBound + r * w + h] = s
                }
            }
            for h in 0..<w {
                for co in 0..<bl.cout {
                    var s: Float = 0
                    for r in 0..<bl.rows { s += x[bl.a.lowerBound - off + r * w + h] * g[gk + r * bl.cout + co] }
                    if !bl.bBias.isEmpty { s += x[bl.aBias.lowerBound - off + h] * g[gb + co] }
                    out[bl.b.lowerBound + h * bl.cout + co] = s
                }
            }
            if !bl.bBias.isEmpty {
                for h in 0..<w {
                    var s: Float = 0
                    for co in 0..<bl.cout { s += g[gb + co] * x[bl.b.lowerBound - off + h * bl.cout + co] }
                    out[bl.aBias.lowerBound + h] = s
                }
                for co in 0..<bl.cout { out[bl.bBias.lowerBound + co] = g[gb + co] }
            }
            for i in e.kernel { out[i] = 0 }
            for i in e.bias { out[i] = 0 }
        }
        return out
    }

    /// One optimiser step from the graph's gradient `g`; rewrites the collapsed layers of `weights`.
    /// Returns (L2 loss before the step, gradient norm before clipping).
    package mutating func update(_ weights: inout [Float], gradients g: [Float], layout: ParameterLayout,
                         learningRate: Double) -> (l2: Double, norm: Double) {
        var all = weights + expanded
        var grad = expandedGradient(g, layout: layout)
        let l2 = adam.l2Loss(all)
        let norm = adam.update(&all, gradients: &grad, learningRate: learningRate)
        weights = Array(all[0..<graphCount])
        expanded = Array(all[graphCount...])
        collapse(into: &weights, layout: layout)
        return (l2, norm)
    }
}
