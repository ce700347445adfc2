import CKernels

/// The scratch tensors and the step list of one DCSCN forward pass (built per call, so a shared
/// `DCSCN` stays immutable). Every buffer that a k x k conv reads has a zero border of k/2, and
/// each conv writes straight into its channel slice of the concat buffers (no copies).
final class ForwardPass {
    let config: DCSCNConfig
    let input: FeatureMap            // LR luma, 1 channel, padded
    let concat: FeatureMap           // H_concat: CNN1..CNN_L in layer order
    let b1: FeatureMap               // B1 output (input of the k x k B2)
    let concat2: FeatureMap          // Concat2 = B2 then A1
    var upConv: [FeatureMap] = []    // pixel-shuffler conv outputs (unpadded)
    var upOut: [FeatureMap] = []     // their depth_to_space, padded
    let recon: FeatureMap            // R-CNN1 output, HR, 1 channel
    let bicubic: FeatureMap          // the bicubic input, HR
    let output: FeatureMap           // recon + bicubic
    private var steps: [srk_step] = []
    private let network: DCSCN       // keeps the packed weights alive while steps point at them

    init(network: DCSCN, lr: Image, bicubic bic: Image) throws {
        let cfg = network.config
        config = cfg
        self.network = network
        let s = cfg.scale
        guard lr.channels == 1, bic.channels == 1 else {
            throw SRError(.invalidArgument, "forward: inputs must be one luma plane (got \(lr.channels) and \(bic.channels) channels)")
        }
        guard lr.width >= 1, lr.height >= 1 else {
            throw SRError(.invalidArgument, "forward: LR image is empty (\(lr.width)x\(lr.height))")
        }
        let (hrW, o1) = lr.width.multipliedReportingOverflow(by: s)
        let (hrH, o2) = lr.height.multipliedReportingOverflow(by: s)
        guard !o1, !o2, bic.width == hrW, bic.height == hrH else {
            throw SRError(.shapeMismatch, "forward: bicubic input is \(bic.width)x\(bic.height), expected \(lr.width)x\(lr.height) x\(s)")
        }
        let pad = cfg.kernelSize / 2
        let h = lr.height, w = lr.width
        input = try FeatureMap(height: h, width: w, channels: 1, pad: pad, name: "LR input")
        concat = try FeatureMap(height: h, width: w, channels: cfg.concatWidth, pad: pad, name: "H_concat")
        b1 = try FeatureMap(height: h, width: w, channels: cfg.ninB, pad: pad, name: "B1")
        concat2 = try FeatureMap(height: h, width: w, channels: cfg.reconstructionWidth, pad: pad, name: "Concat2")
        var gh = h, gw = w, c = cfg.reconstructionWidth
        let blocks = cfg.upsampleBlocks
        for (i, b) in blocks.enumerated() {
            let after = i == blocks.count - 1 ? cfg.outputChannels : c
            upConv.append(try FeatureMap(height: gh, width: gw, channels: b * b * after, pad: 0, name: "Up-PS\(i + 1) conv"))
            gh *= b
            gw *= b
            upOut.append(try FeatureMap(height: gh, width: gw, channels: after, pad: pad, name: "Up-PS\(i + 1) shuffle"))
            c = after
        }
        guard gh == hrH, gw == hrW else {
            throw SRError(.internal, "forward: upsampler blocks \(blocks) do not give scale \(s)")
        }
        recon = try FeatureMap(height: hrH, width: hrW, channels: 1, pad: 0, name: "R-CNN1")
        bicubic = try FeatureMap(height: hrH, width: hrW, channels: 1, pad: 0, name: "bicubic")
        output = try FeatureMap(height: hrH, width: hrW, channels: 1, pad: 0, name: "output")
        Self.load(lr, into: input)
        Self.load(bic, into: bicubic)
        buildSteps()
    }

    /// Copies a one-plane image into a one-channel map's interior.
    private static func load(_ image: Image, into map: FeatureMap) {
        image.pixels.withUnsafeBufferPointer { src in
            let o = map.origin
            for y in 0..<map.height {
                (o + y * map.rowStride).update(from: src.baseAddress! + y * map.width, count: map.width)
            }
        }
    }

    private func conv(_ i: Int, from src: FeatureMap, inOffset inOff: Int = 0, to dst: FeatureMap, outOffset outOff: Int = 0) {
        var st = srk_step()
        st.kind = Int32(SRK_STEP_CONV)
        st.rows = Int32(dst.height)
        st.width = Int32(dst.width)
        st.layer = UnsafePointer(network.packed[i].layer)
        st.in = UnsafePointer(src.origin + inOff)
        st.in_rs = src.rowStride
        st.in_ps = src.channels
        st.out = dst.origin + outOff
        st.out_rs = dst.rowStride
        st.out_ps = dst.channels
        steps.append(st)
    }

    private func buildSteps() {
        let widths = config.featureWidths
        var offsets = [0]
        for wd in widths { offsets.append(offsets.last! + wd) }
        for (i, spec) in config.layers.enumerated() {
            switch spec.role {
            case .feature(let f):
                if f == 0 { conv(i, from: input, to: concat, outOffset: 0) }
                else { conv(i, from: concat, inOffset: offsets[f - 1], to: concat, outOffset: offsets[f]) }
            case .ninA:
                conv(i, from: concat, to: concat2, outOffset: config.ninB)
            case .ninB1:
                conv(i, from: concat, to: b1)
            case .ninB2:
                conv(i, from: b1, to: concat2, outOffset: 0)
            case .upsample(let stage, let block):
                conv(i, from: stage == 0 ? concat2 : upOut[stage - 1], to: upConv[stage])
                var st = srk_step()
                st.kind = Int32(SRK_STEP_D2S)
                st.rows = Int32(upConv[stage].height)
                st.width = Int32(upConv[stage].width)
                st.in = UnsafePointer(upConv[stage].origin)
                st.in_rs = upConv[stage].rowStride
                st.in_ps = upConv[stage].channels
                st.out = upOut[stage].origin
                st.out_rs = upOut[stage].rowStride
                st.out_ps = upOut[stage].channels
                st.block = Int32(block)
                st.channels = Int32(upOut[stage].channels)
                steps.append(st)
            case .reconstruct:
                conv(i, from: upOut[upOut.count - 1], to: recon)
                var st = srk_step()
                st.kind = Int32(SRK_STEP_ADD)
                st.rows = Int32(recon.height)
                st.width = Int32(recon.width)
                st.in = UnsafePointer(recon.origin)
                st.in_rs = recon.rowStride
                st.in2 = UnsafePointer(bicubic.origin)
                st.in2_rs = bicubic.rowStride
                st.out = output.origin
                st.out_rs = output.rowStride
                steps.append(st)
            }
        }
    }

    /// Executes the steps on `threads` threads.
    func run(threads: Int, isa: Int32) throws {
        let t = Int32(clamping: max(1, min(threads, 256)))
        _ = steps.withUnsafeBufferPointer { srk_run_plan($0.baseAddress, Int32($0.count), t, isa) }
        withExtendedLifetime(self) {}
    }

    /// The final HR luma.
    func outputImage() -> Image {
        Image(width: output.width, height: output.height, channels: 1, pixels: output.extract())
    }

    /// Every intermediate tensor, in the reference's order (see `DCSCN.forwardDebug`).
    func debugTensors() -> [(name: String, shape: [Int], values: [Float])] {
        var out: [(name: String, shape: [Int], values: [Float])] = []
        func add(_ name: String, _ m: FeatureMap, _ off: Int = 0, _ n: Int? = nil) {
            let c = n ?? m.channels
            out.append((name, [m.height, m.width, c], m.extract(offset: off, count: c)))
        }
        var off = 0
        for (i, wd) in config.featureWidths.enumerated() {
            add("CNN\(i + 1)", concat, off, wd)
            off += wd
        }
        add("A1", concat2, config.ninB, config.ninA)
        add("B1", b1)
        add("B2", concat2, 0, config.ninB)
        add("Concat2", concat2)
        for i in upConv.indices {
            let name = i == 0 ? "Up-PS" : "Up-PS\(i + 1)"
            add(name, upConv[i])
            add(name + "/DepthToSpace", upOut[i])
        }
        add("R-CNN1", recon)
        add("output", output)
        return out
    }
}
