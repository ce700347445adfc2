import CKernels
import COpenBLAS

/// The trainer's own DCSCN forward (keeping every activation) and backward pass for one minibatch
/// of `n` patches of `h` x `w` LR pixels. Activations are NHWC matrices (one row per pixel); the
/// feature layers write straight into their slice of H_concat, B2 and A1 into Concat2 (B2 first).
///
/// Convs are im2col + `cblas_sgemm` (single-threaded BLAS; the trainer parallelises over
/// minibatch shards, one graph per thread). Not thread-safe: one graph per thread.
final class TrainingGraph {
    let config: DCSCNConfig
    let layout: ParameterLayout
    let n: Int, h: Int, w: Int
    let hrH: Int, hrW: Int
    /// Dropout keep probability (1 = off).
    var keep: Float = 1

    // Inputs (LR, bicubic and target on the 0...255 scale).
    let lr: TrainBuffer, bic: TrainBuffer, hr: TrainBuffer
    /// Network output (residual + bicubic), `n * hrH * hrW`.
    let out: TrainBuffer

    private let specs: [DCSCNLayerSpec]
    private let featureOffsets: [Int]
    private let concatWidth: Int, reconWidth: Int
    private var grid: [(h: Int, w: Int)] = []
    private var cols: [TrainBuffer?] = []
    private var zs: [TrainBuffer] = []
    private(set) var masks: [TrainBuffer?] = []
    private let hconcat: TrainBuffer, b1out: TrainBuffer, concat2: TrainBuffer
    private var up: [TrainBuffer] = []          // depth_to_space outputs, one per stage
    // Gradients of activations.
    private let gOut: TrainBuffer, gH: TrainBuffer, gB1: TrainBuffer, gConcat2: TrainBuffer
    private var gUp: [TrainBuffer] = []
    private let gz: TrainBuffer, gcol: TrainBuffer
    private var gAlpha = [Double](), gBias = [Double]()

    init(config: DCSCNConfig, n: Int, h: Int, w: Int) {
        self.config = config
        layout = ParameterLayout(config: config)
        self.n = n; self.h = h; self.w = w
        hrH = h * config.scale; hrW = w * config.scale
        specs = config.layers
        var offs: [Int] = []
        var o = 0
        for fw in config.featureWidths { offs.append(o); o += fw }
        featureOffsets = offs
        concatWidth = config.concatWidth
        reconWidth = config.reconstructionWidth
        let rows = n * h * w
        lr = TrainBuffer(rows)
        bic = TrainBuffer(n * hrH * hrW); hr = TrainBuffer(n * hrH * hrW); out = TrainBuffer(n * hrH * hrW)
        hconcat = TrainBuffer(rows * concatWidth); gH = TrainBuffer(rows * concatWidth)
        b1out = TrainBuffer(rows * config.ninB); gB1 = TrainBuffer(rows * config.ninB)
        concat2 = TrainBuffer(rows * reconWidth); gConcat2 = TrainBuffer(rows * reconWidth)
        gOut = TrainBuffer(n * hrH * hrW)
        var g = (h: h, w: w)
        var maxZ = 0, maxCol = 0, maxC = 0
        for s in specs {
            grid.append(g)
            let r = n * g.h * g.w
            let K = s.kernel * s.kernel * s.inChannels
            cols.append(s.kernel == 1 ? nil : TrainBuffer(r * K))
            zs.append(TrainBuffer(r * s.outChannels))
            masks.append(s.hasDropout ? TrainBuffer(r * s.outChannels) : nil)
            maxZ = max(maxZ, r * s.outChannels); maxCol = max(maxCol, r * K); maxC = max(maxC, s.outChannels)
            if case .upsample(_, let b) = s.role {
                g = (g.h * b, g.w * b)
                let c = s.outChannels / (b * b)
                up.append(TrainBuffer(n * g.h * g.w * c)); gUp.append(TrainBuffer(n * g.h * g.w * c))
            }
        }
        gz = TrainBuffer(maxZ); gcol = TrainBuffer(maxCol)
        gAlpha = [Double](repeating: 0, count: maxC); gBias = gAlpha
    }

    // MARK: conv helpers

    private func convForward(_ l: Int, _ params: UnsafePointer<Float>, input: UnsafePointer<Float>, ldin: Int,
                             output: UnsafeMutablePointer<Float>?, ldout: Int, dropoutSeed: UInt64) {
        let s = specs[l], e = layout.entries[l], g = grid[l]
        let rows = n * g.h * g.w, K = s.kernel * s.kernel * s.inChannels
        var a = input, lda = ldin
        if let col = cols[l] {
            srt_im2col(input, ldin, Int32(n), Int32(g.h), Int32(g.w), Int32(s.inChannels), Int32(s.kernel), col.p)
            a = UnsafePointer(col.p); lda = K
        }
        let z = zs[l].p
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(s.outChannels), Int32(K),
                    1, a, Int32(lda), params + e.kernel.lowerBound, Int32(s.outChannels), 0, z, Int32(s.outChannels))
        var mask: UnsafePointer<Float>? = nil
        if keep < 1, let m = masks[l] {
            srt_dropout_mask(m.p, rows * s.outChannels, keep, dropoutSeed &+ UInt64(l) &* 0x9E37_79B9)
            mask = UnsafePointer(m.p)
        }
        srt_bias_prelu_fwd(z, rows, Int32(s.outChannels), s.hasBias ? params + e.bias.lowerBound : nil,
                           s.hasPReLU ? params + e.alpha.lowerBound : nil, mask, output ?? z, output == nil ? s.outChannels : ldout)
    }

    private func convBackward(_ l: Int, _ params: UnsafePointer<Float>, _ grads: UnsafeMutablePointer<Float>,
                              input: UnsafePointer<Float>, ldin: Int, gout: UnsafePointer<Float>, ldg: Int,
                              gin: UnsafeMutablePointer<Float>?, ldgin: Int) {
        let s = specs[l], e = layout.entries[l], g = grid[l]
        let rows = n * g.h * g.w, K = s.kernel * s.kernel * s.inChannels, co = s.outChannels
        for j in 0..<co { gAlpha[j] = 0; gBias[j] = 0 }
        let mask: UnsafePointer<Float>? = (keep < 1 && masks[l] != nil) ? UnsafePointer(masks[l]!.p) : nil
        gAlpha.withUnsafeMutableBufferPointer { ga in
            gBias.withUnsafeMutableBufferPointer { gb in
                srt_prelu_bwd(zs[l].p, rows, Int32(co), gout, ldg, s.hasPReLU ? params + e.alpha.lowerBound : nil,
                              mask, gz.p, s.hasPReLU ? ga.baseAddress : nil, s.hasBias ? gb.baseAddress : nil)
            }
        }
        for j in 0..<co {
            if s.hasBias { grads[e.bias.lowerBound + j] = Float(gBias[j]) }
            if s.hasPReLU { grads[e.alpha.lowerBound + j] = Float(gAlpha[j]) }
        }
        let a: UnsafePointer<Float> = cols[l].map { UnsafePointer($0.p) } ?? input
        let lda = cols[l] == nil ? ldin : K
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(K), Int32(co), Int32(rows),
                    1, a, Int32(lda), gz.p, Int32(co), 0, grads + e.kernel.lowerBound, Int32(co))
        guard let gin else { return }
        if s.kernel == 1 {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(K), Int32(co),
                        1, gz.p, Int32(co), params + e.kernel.lowerBound, Int32(co), 1, gin, Int32(ldgin))
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(K), Int32(co),
                        1, gz.p, Int32(co), params + e.kernel.lowerBound, Int32(co), 0, gcol.p, Int32(K))
            srt_col2im_add(gcol.p, Int32(n), Int32(g.h), Int32(g.w), Int32(s.inChannels), Int32(s.kernel), gin, ldgin)
        }
    }

    /// Where layer `l` reads its input from: (pointer, row stride).
    private func inputOf(_ l: Int) -> (UnsafeMutablePointer<Float>, Int) {
        switch specs[l].role {
        case .feature(let i):
            return i == 0 ? (lr.p, 1) : (hconcat.p + featureOffsets[i - 1], concatWidth)
        case .ninA, .ninB1: return (hconcat.p, concatWidth)
        case .ninB2: return (b1out.p, config.ninB)
        case .upsample(let st, _):
            return st == 0 ? (concat2.p, reconWidth) : (up[st - 1].p, specs[l].inChannels)
        case .reconstruct: return (up[up.count - 1].p, specs[l].inChannels)
        }
    }

    private func gradInputOf(_ l: Int) -> (UnsafeMutablePointer<Float>, Int)? {
        switch specs[l].role {
        case .feature(let i):
            return i == 0 ? nil : (gH.p + featureOffsets[i - 1], concatWidth)
        case .ninA, .ninB1: return (gH.p, concatWidth)
        case .ninB2: return (gB1.p, config.ninB)
        case .upsample(let st, _):
            return st == 0 ? (gConcat2.p, reconWidth) : (gUp[st - 1].p, specs[l].inChannels)
        case .reconstruct: return (gUp[gUp.count - 1].p, specs[l].inChannels)
        }
    }

    // MARK: forward / backward

    /// Runs the network on `lr`/`bic` (already filled) and writes `out`.
    func forward(_ params: UnsafePointer<Float>, dropoutSeed: UInt64 = 0) {
        for l in specs.indices {
            let s = specs[l]
            let (inp, ldin) = inputOf(l)
            switch s.role {
            case .feature(let i):
                convForward(l, params, input: inp, ldin: ldin, output: hconcat.p + featureOffsets[i], ldout: concatWidth, dropoutSeed: dropoutSeed)
            case .ninA:
                convForward(l, params, input: inp, ldin: ldin, output: concat2.p + config.ninB, ldout: reconWidth, dropoutSeed: dropoutSeed)
            case .ninB1:
                convForward(l, params, input: inp, ldin: ldin, output: b1out.p, ldout: config.ninB, dropoutSeed: dropoutSeed)
            case .ninB2:
                convForward(l, params, input: inp, ldin: ldin, output: concat2.p, ldout: reconWidth, dropoutSeed: dropoutSeed)
            case .upsample(let st, let b):
                convForward(l, params, input: inp, ldin: ldin, output: nil, ldout: 0, dropoutSeed: dropoutSeed)
                let g = grid[l]
                srt_depth_to_space(zs[l].p, Int32(n), Int32(g.h), Int32(g.w), Int32(b), Int32(s.outChannels / (b * b)), up[st].p)
            case .reconstruct:
                convForward(l, params, input: inp, ldin: ldin, output: nil, ldout: 0, dropoutSeed: dropoutSeed)
                let count = n * hrH * hrW
                srt_residual_loss(zs[l].p, bic.p, bic.p, count, 0, out.p, nil)
            }
        }
    }

    /// Loss of the last forward against `hr`: returns the sum of squared (or absolute) errors and
    /// fills the output gradient of `sum / normaliser`.
    func loss(l1: Bool, normaliser: Int) -> Double {
        let count = n * hrH * hrW
        let total = srt_residual_loss(zs[specs.count - 1].p, bic.p, hr.p, count, l1 ? 1 : 0, out.p, gOut.p)
        if normaliser != count {
            let f = Float(count) / Float(normaliser)
            for i in 0..<count { gOut.p[i] *= f }
        }
        return total
    }

    /// Backpropagates the output gradient of the last `loss` call; writes every parameter's gradient into `grads`.
    func backward(_ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>) {
        gH.zero(); gB1.zero(); gConcat2.zero()
        for b in gUp { b.zero() }
        for l in specs.indices.reversed() {
            let s = specs[l]
            let (inp, ldin) = inputOf(l)
            let gin = gradInputOf(l)
            switch s.role {
            case .feature(let i):
                convBackward(l, params, grads, input: inp, ldin: ldin, gout: gH.p + featureOffsets[i], ldg: concatWidth,
                             gin: gin?.0, ldgin: gin?.1 ?? 0)
            case .ninA:
                convBackward(l, params, grads, input: inp, ldin: ldin, gout: gConcat2.p + config.ninB, ldg: reconWidth,
                             gin: gin?.0, ldgin: gin?.1 ?? 0)
            case .ninB1:
                convBackward(l, params, grads, input: inp, ldin: ldin, gout: gB1.p, ldg: config.ninB, gin: gin?.0, ldgin: gin?.1 ?? 0)
            case .ninB2:
                convBackward(l, params, grads, input: inp, ldin: ldin, gout: gConcat2.p, ldg: reconWidth, gin: gin?.0, ldgin: gin?.1 ?? 0)
            case .upsample(let st, let b):
                let g = grid[l]
                // gz is reused inside convBackward, so unshuffle into the layer's own z buffer (no longer needed).
                srt_space_to_depth(gUp[st].p, Int32(n), Int32(g.h), Int32(g.w), Int32(b), Int32(s.outChannels / (b * b)), zs[l].p)
                convBackward(l, params, grads, input: inp, ldin: ldin, gout: zs[l].p, ldg: s.outChannels, gin: gin?.0, ldgin: gin?.1 ?? 0)
            case .reconstruct:
                convBackward(l, params, grads, input: inp, ldin: ldin, gout: gOut.p, ldg: 1, gin: gin?.0, ldgin: gin?.1 ?? 0)
            }
        }
    }
}
