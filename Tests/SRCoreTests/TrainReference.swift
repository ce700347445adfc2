#if canImport(Glibc)
import Glibc
#endif
@testable import SRCore
import SRTestSupport

/// An independent, deliberately naive float64 DCSCN forward written straight from docs/reference.md §3–§4
/// (per image, HWC, direct loops), used as the truth for the trainer's graph and its gradients.
enum TrainReference {
    /// SAME k x k conv of an HWC image; `kernel` is HWIO.
    static func conv(_ x: [Double], h: Int, w: Int, cin: Int, k: Int, kernel: ArraySlice<Double>,
                     cout: Int, dilation d: Int = 1) -> [Double] {
        var y = [Double](repeating: 0, count: h * w * cout)
        let p = k / 2, k0 = kernel.startIndex
        for oy in 0..<h { for ox in 0..<w { for o in 0..<cout {
            var s = 0.0
            for ky in 0..<k { for kx in 0..<k {
                let iy = oy + (ky - p) * d, ix = ox + (kx - p) * d
                if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
                for c in 0..<cin { s += x[(iy * w + ix) * cin + c] * kernel[k0 + ((ky * k + kx) * cin + c) * cout + o] }
            } }
            y[(oy * w + ox) * cout + o] = s
        } } }
        return y
    }

    /// tanh, ELU (alpha 1) and SELU in float64, from their definitions (Klambauer et al. 2017 for SELU's constants).
    static func nonlinearity(_ a: DCSCNActivation, _ v: Double) -> Double {
        switch a {
        case .prelu: return v
        case .tanh: return Glibc.tanh(v)
        case .elu: return v > 0 ? v : Glibc.exp(v) - 1
        case .selu: return 1.0507009873554804934193349852946 * (v > 0 ? v : 1.6732632423543772848170429916717 * (Glibc.exp(v) - 1))
        }
    }

    /// Bias, PReLU (or `act`) and a dropout mask (already scaled by 1/keep) applied per channel.
    static func activate(_ z: [Double], cout: Int, bias: ArraySlice<Double>?, alpha: ArraySlice<Double>?,
                         mask: ArraySlice<Double>?, act: DCSCNActivation? = nil) -> [Double] {
        var y = z
        for i in y.indices {
            let c = i % cout
            var v = y[i] + (bias.map { $0[$0.startIndex + c] } ?? 0)
            if let alpha, v < 0 { v *= alpha[alpha.startIndex + c] }
            if let act { v = nonlinearity(act, v) }
            if let mask { v *= mask[mask.startIndex + i] }
            y[i] = v
        }
        return y
    }

    /// TF depth_to_space (DCR) on an HWC image with `b*b*C` channels.
    static func depthToSpace(_ x: [Double], h: Int, w: Int, b: Int, C: Int) -> [Double] {
        var y = [Double](repeating: 0, count: h * w * b * b * C)
        for yy in 0..<h { for xx in 0..<w { for i in 0..<b { for j in 0..<b { for c in 0..<C {
            y[((yy * b + i) * (w * b) + xx * b + j) * C + c] = x[(yy * w + xx) * (b * b * C) + (i * b + j) * C + c]
        } } } } }
        return y
    }

    /// Forward of one image. `masks[l]`, when given, is layer l's dropout mask for this image (HWC);
    /// `features`, when given, are the outputs of CNN1..CNN_L for this image (computed elsewhere).
    static func forward(config: DCSCNConfig, params: [Double], lr: [Double], bic: [Double], h: Int, w: Int,
                        masks: [[Double]?]? = nil, features: [[Double]]? = nil) -> [Double] {
        let layout = ParameterLayout(config: config)
        var feats: [[Double]] = []
        var cur = lr, cin = 1
        var a1: [Double] = [], b1: [Double] = [], b2: [Double] = []
        var gh = h, gw = w
        var upIn: [Double] = []
        var out: [Double] = []
        func run(_ l: Int, _ x: [Double], _ hh: Int, _ ww: Int, _ ci: Int) -> [Double] {
            let e = layout.entries[l], s = e.spec
            let z = conv(x, h: hh, w: ww, cin: ci, k: s.kernel, kernel: params[e.kernel], cout: s.outChannels, dilation: s.dilation)
            return activate(z, cout: s.outChannels, bias: s.hasBias ? params[e.bias] : nil,
                            alpha: s.hasPReLU ? params[e.alpha] : nil, mask: masks?[l].map { $0[...] },
                            act: s.separateActivation)
        }
        var concat: [Double] = []
        for (l, s) in config.layers.enumerated() {
            switch s.role {
            case .feature(let i):
                cur = features?[i] ?? run(l, cur, h, w, cin); cin = s.outChannels; feats.append(cur)
                if feats.count == config.featureWidths.count {
                    concat = [Double](repeating: 0, count: h * w * config.concatWidth)
                    var off = 0
                    for f in feats {
                        let c = f.count / (h * w)
                        for p in 0..<(h * w) { for j in 0..<c { concat[p * config.concatWidth + off + j] = f[p * c + j] } }
                        off += c
                    }
                }
            case .ninA: a1 = run(l, concat, h, w, config.concatWidth)
            case .ninB1: b1 = run(l, concat, h, w, config.concatWidth)
            case .ninB2:
                b2 = run(l, b1, h, w, config.ninB)
                let r = config.reconstructionWidth
                upIn = [Double](repeating: 0, count: h * w * r)
                for p in 0..<(h * w) {
                    for j in 0..<config.ninB { upIn[p * r + j] = b2[p * config.ninB + j] }
                    for j in 0..<config.ninA { upIn[p * r + config.ninB + j] = a1[p * config.ninA + j] }
                }
            case .upsample(_, let b):
                let z = run(l, upIn, gh, gw, s.inChannels)
                upIn = depthToSpace(z, h: gh, w: gw, b: b, C: s.outChannels / (b * b))
                gh *= b; gw *= b
            case .reconstruct:
                let r = run(l, upIn, gh, gw, s.inChannels)
                out = zip(r, bic).map { $0 + $1 }
            }
        }
        return out
    }
}
