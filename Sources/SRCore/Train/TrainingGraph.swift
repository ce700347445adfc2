import CKernels
import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval

/// A zero-haloed NHWC activation buffer: `n` patches of `h` x `w` pixels, `ld` floats per pixel,
/// each patch surrounded by `pad` zero pixels (SAME padding for the direct conv kernels).
package final class PaddedBuffer {
    let n: Int, h: Int, w: Int, pad: Int, ld: Int
    package let buffer: FloatBuffer

    package init(n: Int, h: Int, w: Int, pad: Int, ld: Int) throws {
        self.n = n; self.h = h; self.w = w; self.pad = pad; self.ld = ld
        buffer = try FloatBuffer(count: n * (h + 2 * pad) * (w + 2 * pad) * ld, what: "training activations")
    }

    /// The view of channels starting at `channel`.
    package func view(_ channel: Int = 0) -> srt_view {
        let wp = w + 2 * pad, hp = h + 2 * pad
        return srt_view(base: buffer.base + (pad * wp + pad) * ld + channel, ns: hp * wp * ld, rs: wp * ld, ps: ld)
    }
}

/// The trainer's own DCSCN forward (keeping every activation) and backward pass for one minibatch
/// shard of `n` patches of `h` x `w` LR pixels.
///
/// Activations live in zero-haloed NHWC buffers; the feature layers write straight into their slice of
/// H_concat, B2 and A1 into Concat2 (B2 first). Convolutions and the input-gradient convolutions
/// (flipped, transposed kernels) run on the direct AVX2 kernels `srk_conv_rows`; weight gradients on
/// `srt_conv_dw`, except for the layers `WeightGradientGEMM` picks (OpenBLAS `cblas_sgemm`).
/// Not thread-safe: one graph per thread (it owns the conv kernels' scratch).
/// A kernel failure throws; the outputs of that step are then meaningless.
package final class TrainingGraph {
    package let config: DCSCNConfig
    /// Kernel ISA of every C call (`SRK_ISA_PORTABLE` forces the portable kernels, for tests).
    package var isa = Int32(SRK_ISA_AUTO)
    private let scratch: OpaquePointer      // srk_conv_scratch, owned
    let layout: ParameterLayout
    package let n: Int, h: Int, w: Int
    package let hrH: Int, hrW: Int
    /// Dropout keep probability (1 = off).
    package var keep: Float = 1
    /// Batch normalization of the feature layers (nil = off; GraphBatchNorm.swift).
    package var batchNorm: GraphBatchNorm?

    // Dense inputs (LR, bicubic and target on the 0...255 scale) and the output.
    package let lr: FloatBuffer, bic: FloatBuffer, hr: FloatBuffer, out: FloatBuffer
    /// The normalised LR when the config normalises its input (TrainingGraph+Structure.swift).
    let lrNorm: FloatBuffer?

    private let specs: [DCSCNLayerSpec]
    private let featureOffsets: [Int]
    private let pad: Int
    private var grid: [(h: Int, w: Int)] = []
    private var zs: [FloatBuffer] = []
    private var acts: [FloatBuffer?] = []   // per layer: f(z) of a tanh/ELU/SELU layer (before dropout)
    package private(set) var masks: [FloatBuffer?] = []
    private var gzs: [PaddedBuffer] = []
    private var gws: [FloatBuffer] = []
    private var packed: [FloatBuffer] = []
    private var packedT: [FloatBuffer?] = []
    private var biasPad: [FloatBuffer] = []
    private let zeroBias: FloatBuffer
    private let lrP: PaddedBuffer, hconcat: PaddedBuffer, b1out: PaddedBuffer, concat2: PaddedBuffer
    private var up: [PaddedBuffer] = []
    private let gH: PaddedBuffer, gB1: PaddedBuffer, gConcat2: PaddedBuffer
    private var gUp: [PaddedBuffer] = []
    private let gOut: FloatBuffer
    private var tmp: [PaddedBuffer] = []     // per feature layer i > 0: its input gradient before the add
    private let packedNIN: FloatBuffer       // [A1; B1] transposed, for the combined input gradient
    // The kernels' narrow packings (narrow layers, narrow tails) of the forward, transposed and
    // [A1; B1] transposed convs, where the kernels prefer one (docs/performance.md).
    private var narrowF: [NarrowPack?] = []
    private var narrowT: [NarrowPack?] = []
    private let narrowNIN: NarrowPack?
    private var gAlpha = [Double](), gBias = [Double]()
    private let idxA1: Int, idxB1: Int
    /// Per layer: whether its weight gradient takes the OpenBLAS path (`WeightGradientGEMM`).
    package let gemmLayers: [Bool]

    package init(config: DCSCNConfig, n: Int, h: Int, w: Int) throws {
        guard let sc = srk_conv_scratch_new() else {
            throw SRError(.outOfMemory, "training graph: the conv kernels' scratch could not be allocated")
        }
        scratch = sc
        self.config = config
        layout = ParameterLayout(config: config)
        self.n = n; self.h = h; self.w = w
        hrH = h * config.scale; hrW = w * config.scale
        specs = config.layers
        pad = config.kernelSize / 2
        var offs: [Int] = []
        var o = 0
        for fw in config.featureWidths { offs.append(o); o += fw }
        featureOffsets = offs
        lr = try FloatBuffer(count: n * h * w, what: "training buffer")
        lrNorm = config.inputShift != 0 || config.inputScale != 1 ? try FloatBuffer(count: n * h * w, what: "training buffer") : nil
        bic = try FloatBuffer(count: n * hrH * hrW, what: "training buffer"); hr = try FloatBuffer(count: n * hrH * hrW, what: "training buffer"); out = try FloatBuffer(count: n * hrH * hrW, what: "training buffer")
        gOut = try FloatBuffer(count: n * hrH * hrW, what: "training buffer")
        let featurePad = pad * config.maxDilation   // what a dilated feature conv (and its input gradient) reads
        lrP = try PaddedBuffer(n: n, h: h, w: w, pad: featurePad, ld: 1)
        hconcat = try PaddedBuffer(n: n, h: h, w: w, pad: featurePad, ld: config.concatWidth)
        gH = try PaddedBuffer(n: n, h: h, w: w, pad: pad, ld: config.concatWidth)
        b1out = try PaddedBuffer(n: n, h: h, w: w, pad: pad, ld: config.ninB)
        gB1 = try PaddedBuffer(n: n, h: h, w: w, pad: pad, ld: config.ninB)
        concat2 = try PaddedBuffer(n: n, h: h, w: w, pad: pad, ld: config.reconstructionWidth)
        gConcat2 = try PaddedBuffer(n: n, h: h, w: w, pad: pad, ld: config.reconstructionWidth)
        var g = (h: h, w: w)
        var maxC = 1
        var a1 = 0, b1 = 0
        for (l, s) in specs.enumerated() {
            grid.append(g)
            let cpad = srk_conv_padded_cout(Int32(s.outChannels))
            zs.append(try FloatBuffer(count: n * g.h * g.w * s.outChannels, what: "training buffer"))
            acts.append(s.separateActivation != nil ? try FloatBuffer(count: n * g.h * g.w * s.outChannels, what: "training buffer") : nil)
            masks.append(s.hasDropout ? try FloatBuffer(count: n * g.h * g.w * s.outChannels, what: "training buffer") : nil)
            gzs.append(try PaddedBuffer(n: n, h: g.h, w: g.w, pad: pad * s.dilation, ld: cpad))
            gws.append(try FloatBuffer(count: s.kernel * s.kernel * s.inChannels * cpad, what: "training buffer"))
            packed.append(try FloatBuffer(count: Int(srk_conv_packed_size(Int32(s.kernel), Int32(s.inChannels), Int32(s.outChannels))), what: "training buffer"))
            packedT.append(try FloatBuffer(count: Int(srk_conv_packed_size(Int32(s.kernel), Int32(s.outChannels), Int32(s.inChannels))), what: "training buffer"))
            narrowF.append(try NarrowPack(name: s.name, k: s.kernel, cin: s.inChannels, cout: s.outChannels, parts: [s.inChannels]))
            narrowT.append(try NarrowPack(name: s.name + " transposed", k: s.kernel, cin: s.outChannels, cout: s.inChannels,
                                          parts: [s.outChannels]))
            biasPad.append(try FloatBuffer(count: cpad, what: "training buffer"))
            maxC = max(maxC, s.outChannels, s.inChannels)
            switch s.role {
            case .ninA: a1 = l
            case .ninB1: b1 = l
            case .feature(let i) where i > 0:
                tmp.append(try PaddedBuffer(n: n, h: h, w: w, pad: pad, ld: s.inChannels))
            case .upsample(_, let b):
                g = (g.h * b, g.w * b)
                let c = s.outChannels / (b * b)
                up.append(try PaddedBuffer(n: n, h: g.h, w: g.w, pad: pad, ld: c))
                gUp.append(try PaddedBuffer(n: n, h: g.h, w: g.w, pad: pad, ld: c))
            default: break
            }
        }
        idxA1 = a1; idxB1 = b1
        gemmLayers = config.layers.map {
            WeightGradientGEMM.enabled && config.maxDilation == 1   // its im2col knows no dilation
                && WeightGradientGEMM.prefersGEMM(kernel: $0.kernel, inChannels: $0.inChannels, outChannels: $0.outChannels)
        }
        zeroBias = try FloatBuffer(count: Int(srk_conv_padded_cout(Int32(maxC))) + 8, what: "training buffer")
        packedNIN = try FloatBuffer(count: Int(srk_conv_packed_size(1, Int32(config.ninA + config.ninB), Int32(config.concatWidth))), what: "training buffer")
        narrowNIN = try NarrowPack(name: "[A1; B1] transposed", k: 1, cin: config.ninA + config.ninB, cout: config.concatWidth,
                                   parts: [config.ninA, config.ninB])
        gAlpha = [Double](repeating: 0, count: maxC); gBias = gAlpha
    }

    deinit { srk_conv_scratch_free(scratch) }

    // MARK: weights

    /// Packs the step's weights for the direct kernels (forward and transposed).
    private func pack(_ params: UnsafePointer<Float>) {
        var tr: [Float] = []
        for (l, s) in specs.enumerated() {
            let e = layout.entries[l]
            let k = s.kernel, ci = s.inChannels, co = s.outChannels
            let wk = params + e.kernel.lowerBound
            srk_conv_pack(Int32(k), Int32(ci), Int32(co), wk, packed[l].base)
            narrowF[l]?.pack(wk)
            biasPad[l].zero()
            if s.hasBias { biasPad[l].base.update(from: params + e.bias.lowerBound, count: co) }
            // W'[ky',kx',co,ci] = W[k-1-ky', k-1-kx', ci, co]
            tr = [Float](repeating: 0, count: k * k * ci * co)
            for t in 0..<(k * k) {
                let ft = k * k - 1 - t
                for c in 0..<ci { for o in 0..<co { tr[(t * co + o) * ci + c] = wk[(ft * ci + c) * co + o] } }
            }
            srk_conv_pack(Int32(k), Int32(co), Int32(ci), tr, packedT[l]!.base)
            if let nt = narrowT[l] { tr.withUnsafeBufferPointer { nt.pack($0.baseAddress!) } }
        }
        // [A1; B1] transposed: 1x1, (ninA + ninB) -> concatWidth.
        let ca = config.ninA, cb = config.ninB, cc = config.concatWidth
        var nin = [Float](repeating: 0, count: (ca + cb) * cc)
        let wa = params + layout.entries[idxA1].kernel.lowerBound, wb = params + layout.entries[idxB1].kernel.lowerBound
        for c in 0..<cc {
            for o in 0..<ca { nin[o * cc + c] = wa[c * ca + o] }
            for o in 0..<cb { nin[(ca + o) * cc + c] = wb[c * cb + o] }
        }
        srk_conv_pack(1, Int32(ca + cb), Int32(cc), nin, packedNIN.base)
        if let nn = narrowNIN { nin.withUnsafeBufferPointer { nn.pack($0.baseAddress!) } }
    }

    /// Runs one conv per patch: `out` dense (n, gh, gw, cout) or a view.
    private func conv(_ layer: inout srk_conv_layer, narrow: NarrowPack?, inputs: [(srt_view, Int)], gh: Int, gw: Int,
                      out: srt_view, what: @autoclosure () -> String) throws {
        let np = narrow.map { UnsafePointer($0.descriptor) }
        var parts = inputs.map { srk_input(base: UnsafePointer($0.0.base), rs: $0.0.rs, ps: $0.0.ps, channels: Int32($0.1)) }
        for img in 0..<n {
            for j in parts.indices { parts[j].base = UnsafePointer(inputs[j].0.base + img * inputs[j].0.ns) }
            try checkKernelStatus(srk_conv_rows(&layer, np, isa, parts, Int32(parts.count), out.base + img * out.ns,
                                                out.rs, out.ps, Int32(gw), 0, Int32(gh), scratch), what())
        }
    }

    private func dense(_ b: FloatBuffer, _ gh: Int, _ gw: Int, _ c: Int) -> srt_view {
        srt_view(base: b.base, ns: gh * gw * c, rs: gw * c, ps: c)
    }

    /// Where layer `l` reads its input: (view, channels).
    private func inputOf(_ l: Int) -> srt_view {
        switch specs[l].role {
        case .feature(let i): return i == 0 ? lrP.view() : hconcat.view(featureOffsets[i - 1])
        case .ninA, .ninB1: return hconcat.view()
        case .ninB2: return b1out.view()
        case .upsample(let st, _): return st == 0 ? concat2.view() : up[st - 1].view()
        case .reconstruct: return up[up.count - 1].view()
        }
    }

    // MARK: forward

    /// Runs the network on `lr`/`bic` (already filled) and writes `out`.
    package func forward(_ params: UnsafePointer<Float>, dropoutSeed: UInt64 = 0) throws {
        pack(params)
        srt_copy_to_view(structuredInput(), 1, lrP.view(), Int32(n), Int32(h), Int32(w))
        for l in specs.indices {
            let s = specs[l], e = layout.entries[l], g = grid[l]
            let co = s.outChannels
            var layer = srk_conv_layer(k: Int32(s.kernel), cin: Int32(s.inChannels), cout: Int32(co),
                                       w: UnsafePointer(packed[l].base), bias: UnsafePointer(biasPad[l].base), alpha: nil,
                                       dilation: Int32(s.dilation))
            try conv(&layer, narrow: narrowF[l], inputs: [(inputOf(l), s.inChannels)], gh: g.h, gw: g.w, out: dense(zs[l], g.h, g.w, co),
                     what: "training layer \(s.name) conv")
            if let bn = batchNorm, bn.active, case .feature(let i) = s.role { bn.forward(layer: i, z: zs[l].base, positions: n * g.h * g.w) }
            var mask: UnsafePointer<Float>? = nil
            if keep < 1, let m = masks[l] {
                srt_dropout_mask(m.base, n * g.h * g.w * co, keep, dropoutSeed &+ UInt64(l) &* 0x9E37_79B9)
                mask = UnsafePointer(m.base)
            }
            let alpha: UnsafePointer<Float>? = s.hasPReLU ? params + e.alpha.lowerBound : nil
            let act = "training layer \(s.name) activation"
            var pre = UnsafePointer(zs[l].base)   // what the PReLU/identity + dropout pass reads
            if let a = s.separateActivation, let f = acts[l] {
                try checkKernelStatus(srt_nonlin_fwd(a.kernelKind, zs[l].base, f.base, n * g.h * g.w * co), act)
                pre = UnsafePointer(f.base)
            }
            switch s.role {
            case .feature(let i):
                try checkKernelStatus(srt_act_fwd(pre, Int32(co), alpha, mask, hconcat.view(featureOffsets[i]), Int32(n), Int32(h), Int32(w), isa), act)
            case .ninA:
                try checkKernelStatus(srt_act_fwd(pre, Int32(co), alpha, mask, concat2.view(config.ninB), Int32(n), Int32(h), Int32(w), isa), act)
            case .ninB1:
                try checkKernelStatus(srt_act_fwd(pre, Int32(co), alpha, mask, b1out.view(), Int32(n), Int32(h), Int32(w), isa), act)
            case .ninB2:
                try checkKernelStatus(srt_act_fwd(pre, Int32(co), alpha, mask, concat2.view(), Int32(n), Int32(h), Int32(w), isa), act)
            case .upsample(let st, let b):
                srt_d2s_view(zs[l].base, Int32(n), Int32(g.h), Int32(g.w), Int32(b), Int32(co / (b * b)), up[st].view())
            case .reconstruct:
                srt_residual_loss(zs[l].base, bic.base, bic.base, n * hrH * hrW, 0, out.base, nil)
            }
        }
    }

    /// Loss of the last forward against `hr`: returns the sum of squared (or absolute) errors and
    /// keeps the gradient of `sum / normaliser` for `backward`.
    package func loss(l1: Bool, normaliser: Int) -> Double {
        let count = n * hrH * hrW
        let total = srt_residual_loss(zs[specs.count - 1].base, bic.base, hr.base, count, l1 ? 1 : 0, out.base, gOut.base)
        if normaliser != count {
            let f = Float(count) / Float(normaliser)
            for i in 0..<count { gOut.base[i] *= f }
        }
        return total
    }

    // MARK: backward

    /// Activation backward + weight gradient of layer `l`; `gz[l]` then holds the pre-activation gradient.
    private func layerGrads(_ l: Int, _ params: UnsafePointer<Float>, _ grads: UnsafeMutablePointer<Float>, gout: srt_view) throws {
        let s = specs[l], e = layout.entries[l], g = grid[l]
        let co = s.outChannels, ci = s.inChannels, k = s.kernel
        let cpad = Int(srk_conv_padded_cout(Int32(co)))
        for j in 0..<co { gAlpha[j] = 0; gBias[j] = 0 }
        let mask: UnsafePointer<Float>? = (keep < 1 && masks[l] != nil) ? UnsafePointer(masks[l]!.base) : nil
        let separate = s.separateActivation
        let rc = gAlpha.withUnsafeMutableBufferPointer { ga in
            gBias.withUnsafeMutableBufferPointer { gb in
                // tanh/ELU/SELU: the pass only applies the dropout mask; f'(z) and the bias sum follow.
                var rc = srt_act_bwd(zs[l].base, Int32(co), gout, s.hasPReLU ? params + e.alpha.lowerBound : nil, mask, gzs[l].view(),
                                     Int32(n), Int32(g.h), Int32(g.w), s.hasPReLU ? ga.baseAddress : nil,
                                     s.hasBias && separate == nil ? gb.baseAddress : nil, isa)
                if rc == SRK_OK, let a = separate {
                    rc = srt_nonlin_bwd(a.kernelKind, zs[l].base, Int32(co), gzs[l].view(), Int32(n), Int32(g.h), Int32(g.w),
                                        s.hasBias ? gb.baseAddress : nil)
                }
                return rc
            }
        }
        try checkKernelStatus(rc, "training layer \(s.name) activation backward")
        if let bn = batchNorm, bn.active, case .feature(let i) = s.role {
            bn.backward(layer: i, gz: gzs[l].view(), n: n, h: g.h, w: g.w)
            for j in 0..<co { gBias[j] = 0 }   // the batch mean cancels the conv bias
        }
        for j in 0..<co {
            if s.hasBias { grads[e.bias.lowerBound + j] = Float(gBias[j]) }
            if s.hasPReLU { grads[e.alpha.lowerBound + j] = Float(gAlpha[j]) }
        }
        gws[l].zero()
        // CNN2 and A1 of c-DCSCN: OpenBLAS measured faster there (WeightGradientGEMM.prefersGEMM).
        if !(gemmLayers[l] && WeightGradientGEMM.applies(isa: isa)
             && WeightGradientGEMM.accumulate(input: inputOf(l), cin: ci, gz: gzs[l].view(), cout: co, cpad: cpad,
                                              n: n, h: g.h, w: g.w, k: k, pad: pad, gw: gws[l].base)) {
            try checkKernelStatus(srt_conv_dw_dilated(inputOf(l), Int32(ci), gzs[l].view(), Int32(cpad), Int32(n), Int32(g.h), Int32(g.w),
                                                      Int32(k), Int32(s.dilation), gws[l].base, isa), "training layer \(s.name) weight gradient")
        }
        let gk = grads + e.kernel.lowerBound
        for r in 0..<(k * k * ci) {
            (gk + r * co).update(from: gws[l].base + r * cpad, count: co)
        }
    }

    /// Input gradient of layer `l` from `gz[l]` into `target` (overwrites the interior).
    private func inputGrad(_ l: Int, into target: srt_view) throws {
        let s = specs[l], g = grid[l]
        var layer = srk_conv_layer(k: Int32(s.kernel), cin: Int32(s.outChannels), cout: Int32(s.inChannels),
                                   w: UnsafePointer(packedT[l]!.base), bias: UnsafePointer(zeroBias.base), alpha: nil,
                                   dilation: Int32(s.dilation))
        try conv(&layer, narrow: narrowT[l], inputs: [(gzs[l].view(), s.outChannels)], gh: g.h, gw: g.w, out: target,
                 what: "training layer \(s.name) input gradient")
    }

    /// Backpropagates the output gradient of the last `loss` call; writes every parameter's gradient into `grads`.
    package func backward(_ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>) throws {
        var tmpIndex = tmp.count - 1
        for l in specs.indices.reversed() {
            let s = specs[l], g = grid[l]
            switch s.role {
            case .reconstruct:
                try layerGrads(l, params, grads, gout: dense(gOut, g.h, g.w, 1))
                try inputGrad(l, into: gUp[gUp.count - 1].view())
            case .upsample(let st, let b):
                let gz = gzs[l].view()
                srt_s2d_view(gUp[st].view(), Int32(n), Int32(g.h), Int32(g.w), Int32(b), Int32(s.outChannels / (b * b)), gz)
                try layerGrads(l, params, grads, gout: gz)
                try inputGrad(l, into: st == 0 ? gConcat2.view() : gUp[st - 1].view())
            case .ninB2:
                try layerGrads(l, params, grads, gout: gConcat2.view())
                try inputGrad(l, into: gB1.view())
            case .ninB1:
                try layerGrads(l, params, grads, gout: gB1.view())
            case .ninA:
                try layerGrads(l, params, grads, gout: gConcat2.view(config.ninB))
                // gH = [gzA1, gzB1] through the transposed [A1; B1] 1x1 kernels.
                var layer = srk_conv_layer(k: 1, cin: Int32(config.ninA + config.ninB), cout: Int32(config.concatWidth),
                                           w: UnsafePointer(packedNIN.base), bias: UnsafePointer(zeroBias.base), alpha: nil, dilation: 1)
                try conv(&layer, narrow: narrowNIN, inputs: [(gzs[idxA1].view(), config.ninA), (gzs[idxB1].view(), config.ninB)],
                         gh: h, gw: w, out: gH.view(), what: "training layers A1/B1 input gradient")
            case .feature(let i):
                try layerGrads(l, params, grads, gout: gH.view(featureOffsets[i]))
                if i > 0 {
                    let t = tmp[tmpIndex]; tmpIndex -= 1
                    try inputGrad(l, into: t.view())
                    srt_add_view(t.view(), gH.view(featureOffsets[i - 1]), Int32(s.inChannels), Int32(n), Int32(h), Int32(w))
                }
            }
        }
    }
}
