import CKernels
import SRSupport
import SRImage
import SRKernels
import SRFormats

/// The scratch tensors and the step list of one DCSCN forward pass for one LR size.
///
/// H_concat is one allocation holding CNN1...CNN_L part by part (each layer writes its own dense
/// part; A1 and B1 read all parts as one concatenated input), and Concat2 likewise holds B2 then
/// A1. Every map that a k x k conv reads has a zero border of k/2. A pass may be run again with new
/// inputs of the same size (`load`), which is how `DCSCN` reuses its scratch between calls.
final class ForwardPass {
    let config: DCSCNConfig
    let lrWidth: Int, lrHeight: Int
    let input: FeatureMap            // LR luma, 1 channel, padded
    let features: [FeatureMap]       // H_concat parts CNN1..CNN_L
    let b1: FeatureMap               // B1 output (input of the k x k B2)
    let concat2: [FeatureMap]        // Concat2 parts: B2, A1
    var upConv: [FeatureMap] = []    // pixel-shuffler conv outputs (unpadded)
    var upOut: [FeatureMap] = []     // their depth_to_space, padded
    let recon: FeatureMap            // R-CNN1 output, HR, 1 channel
    let bicubic: FeatureMap          // the bicubic input, HR
    let output: FeatureMap           // recon + bicubic
    private var steps: [srk_step] = []
    private var stepNames: [String] = []   // per step, the layer (and op) it runs, for errors
    private var inputLists: [UnsafeMutablePointer<srk_input>] = []
    private let packed: [PackedConv] // keeps the weights alive while steps point at them

    /// Allocates the scratch for a `w` x `h` LR input, reusing `pool`'s buffers where sizes match.
    init(config cfg: DCSCNConfig, packed: [PackedConv], lrWidth w: Int, lrHeight h: Int, pool: BufferPool? = nil) throws {
        config = cfg
        self.packed = packed
        lrWidth = w
        lrHeight = h
        let pad = cfg.kernelSize / 2
        input = try FeatureMap(height: h, width: w, channels: 1, pad: pad, name: "LR input", pool: pool)
        features = try FeatureMap.parts(height: h, width: w, channels: cfg.featureWidths, pad: pad, name: "H_concat", pool: pool)
        b1 = try FeatureMap(height: h, width: w, channels: cfg.ninB, pad: pad, name: "B1", pool: pool)
        concat2 = try FeatureMap.parts(height: h, width: w, channels: [cfg.ninB, cfg.ninA], pad: pad, name: "Concat2", pool: pool)
        var gh = h, gw = w, c = cfg.reconstructionWidth
        let blocks = cfg.upsampleBlocks
        for (i, b) in blocks.enumerated() {
            let after = i == blocks.count - 1 ? cfg.outputChannels : c
            upConv.append(try FeatureMap(height: gh, width: gw, channels: b * b * after, pad: 0, name: "Up-PS\(i + 1) conv", pool: pool))
            gh *= b
            gw *= b
            upOut.append(try FeatureMap(height: gh, width: gw, channels: after, pad: pad, name: "Up-PS\(i + 1) shuffle", pool: pool))
            c = after
        }
        guard gh == h * cfg.scale, gw == w * cfg.scale else {
            throw SRError(.internal, "forward: upsampler blocks \(blocks) do not give scale \(cfg.scale)")
        }
        recon = try FeatureMap(height: gh, width: gw, channels: 1, pad: 0, name: "R-CNN1", pool: pool)
        bicubic = try FeatureMap(height: gh, width: gw, channels: 1, pad: 0, name: "bicubic", pool: pool)
        output = try FeatureMap(height: gh, width: gw, channels: 1, pad: 0, name: "output", pool: pool)
        buildSteps()
    }

    deinit { for p in inputLists { p.deallocate() } }

    /// Every allocation of this pass (for a `BufferPool`).
    var buffers: [FloatBuffer] {
        var maps = [input, b1, recon, bicubic, output] + upConv + upOut
        if let f = features.first { maps.append(f) }   // the parts share one allocation
        if let c = concat2.first { maps.append(c) }
        return maps.map(\.storage)
    }

    /// Channels of each part of a layer's input, as `buildSteps` wires them.
    static func inputParts(of spec: DCSCNLayerSpec, config: DCSCNConfig) -> [Int] {
        switch spec.role {
        case .feature(let f): return [f == 0 ? 1 : config.featureWidths[f - 1]]
        case .ninA, .ninB1: return config.featureWidths
        case .ninB2: return [config.ninB]
        case .upsample(let stage, _): return stage == 0 ? [config.ninB, config.ninA] : [spec.inChannels]
        case .reconstruct: return [spec.inChannels]
        }
    }

    /// Checks the inputs against the network and this pass's size, then copies them in.
    func load(lr: Image, bicubic bic: Image) throws {
        let s = config.scale
        guard lr.channels == 1, bic.channels == 1 else {
            throw SRError(.invalidArgument, "forward: inputs must be one luma plane (got \(lr.channels) and \(bic.channels) channels)")
        }
        guard lr.width == lrWidth, lr.height == lrHeight, bic.width == lrWidth * s, bic.height == lrHeight * s else {
            throw SRError(.shapeMismatch, "forward: bicubic input is \(bic.width)x\(bic.height), expected \(lr.width)x\(lr.height) x\(s)")
        }
        Self.copy(lr, into: input)
        if config.inputShift != 0 || config.inputScale != 1 { Self.normalise(input, config) }
        if config.residual { Self.copy(bic, into: bicubic) } else { bicubic.storage.zero() }
    }

    /// `(x - inputShift) * inputScale` over the interior of the LR input (the padding stays 0, as in training).
    private static func normalise(_ map: FeatureMap, _ c: DCSCNConfig) {
        let o = map.origin
        for y in 0..<map.height {
            let row = o + y * map.rowStride
            for x in 0..<map.width { row[x] = (row[x] - c.inputShift) * c.inputScale }
        }
    }

    /// Validates the input sizes before any allocation.
    static func checkShapes(config: DCSCNConfig, lr: Image, bicubic bic: Image) throws {
        guard lr.channels == 1, bic.channels == 1 else {
            throw SRError(.invalidArgument, "forward: inputs must be one luma plane (got \(lr.channels) and \(bic.channels) channels)")
        }
        guard lr.width >= 1, lr.height >= 1 else {
            throw SRError(.invalidArgument, "forward: LR image is empty (\(lr.width)x\(lr.height))")
        }
        let s = config.scale
        let (hrW, o1) = lr.width.multipliedReportingOverflow(by: s)
        let (hrH, o2) = lr.height.multipliedReportingOverflow(by: s)
        guard !o1, !o2, bic.width == hrW, bic.height == hrH else {
            throw SRError(.shapeMismatch, "forward: bicubic input is \(bic.width)x\(bic.height), expected \(lr.width)x\(lr.height) x\(s)")
        }
        guard hrW <= Int(Int32.max), hrH <= Int(Int32.max) else {
            throw SRError(.invalidArgument, "forward: output \(hrW)x\(hrH) is too large")
        }
    }

    /// Copies a one-plane image into a one-channel map's interior.
    private static func copy(_ image: Image, into map: FeatureMap) {
        image.pixels.withUnsafeBufferPointer { src in
            let o = map.origin
            for y in 0..<map.height {
                (o + y * map.rowStride).update(from: src.baseAddress! + y * map.width, count: map.width)
            }
        }
    }

    private func conv(_ i: Int, from parts: [FeatureMap], to dst: FeatureMap) {
        let list = UnsafeMutablePointer<srk_input>.allocate(capacity: parts.count)
        for (j, m) in parts.enumerated() {
            list[j] = srk_input(base: UnsafePointer(m.origin), rs: m.rowStride, ps: m.channels, channels: Int32(m.channels))
        }
        inputLists.append(list)
        var st = srk_step()
        st.kind = Int32(SRK_STEP_CONV)
        st.rows = Int32(dst.height)
        st.width = Int32(dst.width)
        st.layer = UnsafePointer(packed[i].layer)
        st.narrow = packed[i].narrowLayer.map { UnsafePointer($0) }
        st.inputs = UnsafePointer(list)
        st.ninputs = Int32(parts.count)
        st.out = dst.origin
        st.out_rs = dst.rowStride
        st.out_ps = dst.channels
        steps.append(st)
        stepNames.append("layer \(config.layers[i].name)")
    }

    private func buildSteps() {
        for (i, spec) in config.layers.enumerated() {
            switch spec.role {
            case .feature(let f):
                conv(i, from: [f == 0 ? input : features[f - 1]], to: features[f])
            case .ninA:
                conv(i, from: features, to: concat2[1])
            case .ninB1:
                // A1 and B1 read the same H_concat rows: run them chunk by chunk together, while
                // those rows are in cache (the 1x1 layers are otherwise memory-bound).
                if i > 0, case .ninA = config.layers[i - 1].role { steps[steps.count - 1].fuse_next = 1 }
                conv(i, from: features, to: b1)
            case .ninB2:
                conv(i, from: [b1], to: concat2[0])
            case .upsample(let stage, let block):
                conv(i, from: stage == 0 ? concat2 : [upOut[stage - 1]], to: upConv[stage])
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
                stepNames.append("layer \(spec.name) depth_to_space")
            case .reconstruct:
                conv(i, from: [upOut[upOut.count - 1]], to: recon)
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
                stepNames.append("layer \(spec.name) residual add")
            }
        }
    }

    /// Executes the steps on `threads` threads; throws (`.outOfMemory` when the kernels' scratch
    /// cannot be allocated) instead of leaving stale outputs.
    func run(threads: Int, isa: Int32) throws {
        let t = Int32(clamping: max(1, min(threads, 256)))
        var failed: Int32 = -1
        let rc = steps.withUnsafeBufferPointer { srk_run_plan($0.baseAddress, Int32($0.count), t, isa, &failed) }
        try checkKernelStatus(rc, "forward \(lrWidth)x\(lrHeight), " +
                              (failed >= 0 && Int(failed) < stepNames.count ? stepNames[Int(failed)] : "plan scratch for \(t) threads"))
    }

    /// The final HR luma.
    func outputImage() -> Image {
        Image(width: output.width, height: output.height, channels: 1, pixels: output.extract())
    }

    /// Every intermediate tensor, in the reference's order (see `DCSCN.intermediateTensors`).
    func debugTensors() -> [(name: String, shape: [Int], values: [Float])] {
        var out: [(name: String, shape: [Int], values: [Float])] = []
        func add(_ name: String, _ m: FeatureMap) {
            out.append((name, [m.height, m.width, m.channels], m.extract()))
        }
        for (i, m) in features.enumerated() { add("CNN\(i + 1)", m) }
        add("A1", concat2[1])
        add("B1", b1)
        add("B2", concat2[0])
        out.append(("Concat2", [lrHeight, lrWidth, config.reconstructionWidth], FeatureMap.extractConcat(concat2)))
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
