import CKernels
import SRSupport
import SRKernels
import SRModel

/// The training graph's batch-normalization passes on its feature layers (`BatchNormLayers`,
/// docs/techniques.md "Knobs"): statistics over the graph's `n` patches and every position.
/// The forward keeps the normalised values x̂ per layer; the backward is the standard one,
/// `dx = γ/σ_B · (dy − mean(dy) − x̂·mean(dy·x̂))`, `dγ = Σ dy·x̂`, `dβ = Σ dy`.
/// The conv bias before a normalisation gets gradient 0 (the batch mean cancels it exactly).
package final class GraphBatchNorm {
    /// Normalise in the forward (false: the graph runs plain convs, e.g. on folded weights).
    package var active = true
    /// γ then β of every channel (`BatchNormLayers.affine` layout), set before each forward.
    package var affine: [Float]
    /// The last forward's batch mean and (biased) variance per channel.
    package private(set) var mean: [Double], variance: [Double]
    /// The last backward's gradient of `affine` (γ then β).
    package private(set) var affineGradient: [Float]
    private let offsets: [Int], widths: [Int], channels: Int
    private var invStd: [Double]
    private var xhat: [FloatBuffer] = []

    /// Buffers for feature layers of `widths` channels on `positions` (= n·h·w) positions.
    package init(widths: [Int], positions: Int) throws {
        var o = 0
        var offs: [Int] = []
        for w in widths { offs.append(o); o += w }
        offsets = offs; self.widths = widths; channels = o
        affine = [Float](repeating: 1, count: o) + [Float](repeating: 0, count: o)
        mean = [Double](repeating: 0, count: o); variance = mean; invStd = mean
        affineGradient = [Float](repeating: 0, count: 2 * o)
        for w in widths { xhat.append(try FloatBuffer(count: positions * w, what: "batch norm buffer")) }
    }

    /// Normalises feature layer `i`'s conv output `z` (dense, `positions` x `widths[i]`) in place.
    package func forward(layer i: Int, z: UnsafeMutablePointer<Float>, positions: Int) {
        let co = widths[i], off = offsets[i], xh = xhat[i].base
        var s = [Double](repeating: 0, count: co), s2 = s
        for p in 0..<positions { for c in 0..<co { s[c] += Double(z[p * co + c]) } }
        let inv = 1 / Double(positions)
        for c in 0..<co { s[c] *= inv }
        for p in 0..<positions { for c in 0..<co { let d = Double(z[p * co + c]) - s[c]; s2[c] += d * d } }
        var scale = [Float](repeating: 0, count: co), shift = scale, gam = scale, bet = scale
        for c in 0..<co {
            let v = s2[c] * inv, r = 1 / (v + BatchNormLayers.epsilon).squareRoot()
            mean[off + c] = s[c]; variance[off + c] = v; invStd[off + c] = r
            scale[c] = Float(r); shift[c] = Float(-s[c] * r)
            gam[c] = affine[off + c]; bet[c] = affine[channels + off + c]
        }
        for p in 0..<positions {
            for c in 0..<co {
                let x = z[p * co + c] * scale[c] + shift[c]
                xh[p * co + c] = x
                z[p * co + c] = gam[c] * x + bet[c]
            }
        }
    }

    /// Replaces feature layer `i`'s gradient `gz` (dL/dy, a view over `n` x `h` x `w`) with dL/dx and
    /// writes its γ/β gradients.
    package func backward(layer i: Int, gz: srt_view, n: Int, h: Int, w: Int) {
        let co = widths[i], off = offsets[i], xh = xhat[i].base
        var dg = [Double](repeating: 0, count: co), db = dg
        func at(_ img: Int, _ y: Int, _ x: Int) -> UnsafeMutablePointer<Float> { gz.base + img * gz.ns + y * gz.rs + x * gz.ps }
        var p = 0
        for img in 0..<n { for y in 0..<h { for x in 0..<w {
            let g = at(img, y, x)
            for c in 0..<co { let d = Double(g[c]); db[c] += d; dg[c] += d * Double(xh[p * co + c]) }
            p += 1
        } } }
        let inv = 1 / Double(n * h * w)
        var k = [Float](repeating: 0, count: co), mdb = k, mdg = k
        for c in 0..<co {
            affineGradient[off + c] = Float(dg[c]); affineGradient[channels + off + c] = Float(db[c])
            k[c] = Float(Double(affine[off + c]) * invStd[off + c])
            mdb[c] = Float(db[c] * inv); mdg[c] = Float(dg[c] * inv)
        }
        p = 0
        for img in 0..<n { for y in 0..<h { for x in 0..<w {
            let g = at(img, y, x)
            for c in 0..<co { g[c] = k[c] * (g[c] - mdb[c] - xh[p * co + c] * mdg[c]) }
            p += 1
        } } }
    }
}

extension TrainingGraph {
    /// Turns batch normalization of the feature layers on (statistics over this graph's patches).
    package func enableBatchNorm() throws {
        batchNorm = try GraphBatchNorm(widths: config.featureWidths, positions: n * h * w)
    }
}
