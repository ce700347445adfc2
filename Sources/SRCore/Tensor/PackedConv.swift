import CKernels

/// One conv layer's weights repacked once for the C kernels (blocks of 8, 16 or 24 output channels,
/// `[tap][in][block]`, zero padded to multiples of 8), plus bias and PReLU slopes padded alike.
/// Immutable after init; `layer` points into storage owned by this object.
final class PackedConv {
    /// The layer's shape and flags.
    let spec: DCSCNLayerSpec
    private let weights: FloatBuffer
    private let bias: FloatBuffer
    private let alpha: FloatBuffer?
    private let narrow: FloatBuffer?
    /// The C descriptor at a stable address (valid while `self` is alive).
    let layer: UnsafeMutablePointer<srk_conv_layer>
    /// The narrow-layer packing, when the kernels prefer it (valid while `self` is alive).
    let narrowLayer: UnsafeMutablePointer<srk_conv_narrow>?

    /// Packs `params` (HWIO kernel) for `spec`; shapes must already be validated. `inputParts`
    /// (channels of each part of the input, in order) enables the narrow-layer packing when the
    /// kernels prefer it for that split.
    init(spec: DCSCNLayerSpec, params: ConvParameters, inputParts: [Int]? = nil) throws {
        self.spec = spec
        let k = spec.kernel, cin = spec.inChannels, cout = spec.outChannels
        guard k >= 1, k <= Int(SRK_CONV_MAX_KERNEL) else {
            throw SRError(.unsupported, "layer \(spec.name): kernel size \(k) is not supported (1...\(SRK_CONV_MAX_KERNEL))")
        }
        if let parts = inputParts, k * k * parts.count > Int(SRK_CONV_MAX_TAPSEGS) {
            throw SRError(.unsupported, "layer \(spec.name): \(parts.count) input parts with a \(k)x\(k) kernel exceed the kernels' limit of \(SRK_CONV_MAX_TAPSEGS) (tap, part) pairs")
        }
        guard params.kernel.count == spec.kernelCount else {
            throw SRError(.shapeMismatch, "layer \(spec.name): kernel has \(params.kernel.count) values, expected \(spec.kernelCount)")
        }
        let cpad = Int(srk_conv_padded_cout(Int32(cout)))
        let wbuf = try FloatBuffer(count: Int(srk_conv_packed_size(Int32(k), Int32(cin), Int32(cout))), what: "layer \(spec.name) weights")
        params.kernel.withUnsafeBufferPointer { src in
            srk_conv_pack(Int32(k), Int32(cin), Int32(cout), src.baseAddress, wbuf.base)
        }
        weights = wbuf
        bias = try FloatBuffer(count: cpad, what: "layer \(spec.name) bias")
        for (i, b) in params.bias.prefix(cout).enumerated() { bias.base[i] = b }
        if spec.hasPReLU {
            let a = try FloatBuffer(count: cpad, what: "layer \(spec.name) PReLU")
            for (i, v) in params.alpha.prefix(cout).enumerated() { a.base[i] = v }
            alpha = a
        } else {
            alpha = nil
        }
        var chunks: Int32 = 0
        narrow = try inputParts.flatMap { parts -> FloatBuffer? in
            let p32 = parts.map { Int32($0) }
            guard parts.reduce(0, +) == cin, !parts.isEmpty,
                  srk_conv_narrow_preferred(Int32(k), p32, Int32(p32.count), Int32(cout)) != 0 else { return nil }
            let n = try FloatBuffer(count: Int(srk_conv_narrow_size(Int32(k), p32, Int32(p32.count), Int32(cout))),
                                    what: "layer \(spec.name) narrow weights")
            params.kernel.withUnsafeBufferPointer { src in
                srk_conv_narrow_pack(Int32(k), p32, Int32(p32.count), Int32(cout), src.baseAddress, n.base)
            }
            chunks = srk_conv_narrow_chunks(Int32(k), p32, Int32(p32.count))
            return n
        }
        layer = .allocate(capacity: 1)
        layer.initialize(to: srk_conv_layer(k: Int32(k), cin: Int32(cin), cout: Int32(cout),
                               w: UnsafePointer(weights.base), bias: UnsafePointer(bias.base),
                               alpha: alpha.map { UnsafePointer($0.base) }))
        narrowLayer = narrow.map { n in
            let p = UnsafeMutablePointer<srk_conv_narrow>.allocate(capacity: 1)
            p.initialize(to: srk_conv_narrow(w: UnsafePointer(n.base), chunks: chunks))
            return p
        }
    }

    deinit {
        layer.deallocate()
        narrowLayer?.deallocate()
    }
}
