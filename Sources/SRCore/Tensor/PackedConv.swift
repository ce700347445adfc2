import CKernels

/// One conv layer's weights repacked once for the C kernels (blocks of 32 output channels,
/// `[tap][in][block]`, zero padded to multiples of 8), plus bias and PReLU slopes padded alike.
/// Immutable after init; `layer` points into storage owned by this object.
final class PackedConv {
    /// The layer's shape and flags.
    let spec: DCSCNLayerSpec
    private let weights: FloatBuffer
    private let bias: FloatBuffer
    private let alpha: FloatBuffer?
    /// The C descriptor at a stable address (valid while `self` is alive).
    let layer: UnsafeMutablePointer<srk_conv_layer>

    /// Packs `params` (HWIO kernel) for `spec`; shapes must already be validated.
    init(spec: DCSCNLayerSpec, params: ConvParameters) throws {
        self.spec = spec
        let k = spec.kernel, cin = spec.inChannels, cout = spec.outChannels
        guard k >= 1, k <= Int(SRK_CONV_MAX_KERNEL) else {
            throw SRError(.unsupported, "layer \(spec.name): kernel size \(k) is not supported (1...\(SRK_CONV_MAX_KERNEL))")
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
        layer = .allocate(capacity: 1)
        layer.initialize(to: srk_conv_layer(k: Int32(k), cin: Int32(cin), cout: Int32(cout),
                               w: UnsafePointer(weights.base), bias: UnsafePointer(bias.base),
                               alpha: alpha.map { UnsafePointer($0.base) }))
    }

    deinit { layer.deallocate() }
}
