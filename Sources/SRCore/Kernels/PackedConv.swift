import CKernels
import SRSupport

/// One k x k conv layer's weights repacked once for the C kernels (`srk_conv_pack`'s blocked
/// `[tap][in][block]` layout, output channels zero padded to `srk_conv_padded_cout`), plus bias
/// and PReLU slopes padded alike. Immutable after init; `layer` points into storage owned by
/// this object. A plain numeric type: it knows shapes and weights, not the model.
package final class PackedConv {
    /// The layer's name (used in error messages only).
    package let name: String
    private let weights: FloatBuffer
    private let biasBuffer: FloatBuffer
    private let alphaBuffer: FloatBuffer?
    private let narrow: NarrowPack?
    /// The C descriptor at a stable address (valid while `self` is alive).
    package let layer: UnsafeMutablePointer<srk_conv_layer>
    /// The narrow packing (a whole narrow layer, or the last 1...3 output channels of a wider one
    /// with the others repacked without padding), when the kernels prefer it (valid while `self`
    /// is alive).
    package let narrowLayer: UnsafeMutablePointer<srk_conv_narrow>?

    /// Packs a `k` x `k` conv from `cin` to `cout` channels.
    ///
    /// - Parameters:
    ///   - name: the layer's name, for error messages.
    ///   - kernel: HWIO weights, `k * k * cin * cout` values.
    ///   - bias: `cout` values, or empty for no bias.
    ///   - alpha: `cout` PReLU slopes, or nil for no activation.
    ///   - inputParts: channels of each part of the input, in order; enables the narrow packing
    ///     when the kernels prefer it for that split (`srk_conv_narrow_first`).
    ///   - dilation: tap spacing (the input maps need a halo of `dilation * (k / 2)`).
    package init(name: String, k: Int, cin: Int, cout: Int, kernel: [Float], bias: [Float], alpha: [Float]?,
                 inputParts: [Int]? = nil, dilation: Int = 1) throws {
        self.name = name
                guard k >= 1, k <= Int(SRK_CONV_MAX_KERNEL) else {
            throw SRError(.unsupported, "layer \(name): kernel size \(k) is not supported (1...\(SRK_CONV_MAX_KERNEL))")
        }
        if let parts = inputParts, k * k * parts.count > Int(SRK_CONV_MAX_TAPSEGS) {
            throw SRError(.unsupported, "layer \(name): \(parts.count) input parts with a \(k)x\(k) kernel exceed the kernels' limit of \(SRK_CONV_MAX_TAPSEGS) (tap, part) pairs")
        }
        guard cin >= 1, cout >= 1, kernel.count == k * k * cin * cout, bias.isEmpty || bias.count == cout,
              alpha.map({ $0.count == cout }) ?? true else {
            throw SRError(.shapeMismatch, "layer \(name): \(kernel.count) kernel, \(bias.count) bias, \(alpha?.count ?? 0) PReLU values do not fit \(k)x\(k), \(cin) -> \(cout) channels")
        }
        let cpad = Int(srk_conv_padded_cout(Int32(cout)))
        let wbuf = try FloatBuffer(count: Int(srk_conv_packed_size(Int32(k), Int32(cin), Int32(cout))), what: "layer \(name) weights")
        kernel.withUnsafeBufferPointer { src in
            srk_conv_pack(Int32(k), Int32(cin), Int32(cout), src.baseAddress, wbuf.base)
        }
        weights = wbuf
        let b = try FloatBuffer(count: cpad, what: "layer \(name) bias")
        // subnormal bias and slopes as zero, like the packed weights (srk_conv.h: Intel's FMA assists)
        for (i, v) in bias.prefix(cout).enumerated() { b.base[i] = v.isSubnormal ? 0 : v }
        biasBuffer = b
        if let alphaValues = alpha {
            let a = try FloatBuffer(count: cpad, what: "layer \(name) PReLU")
            for (i, v) in alphaValues.prefix(cout).enumerated() { a.base[i] = v.isSubnormal ? 0 : v }
            alphaBuffer = a
        } else {
            alphaBuffer = nil
        }
        narrow = try inputParts.flatMap { parts in
            try NarrowPack(name: name, k: k, cin: cin, cout: cout, parts: parts)
        }
        if let n = narrow { kernel.withUnsafeBufferPointer { n.pack($0.baseAddress!) } }
        layer = .allocate(capacity: 1)
        layer.initialize(to: srk_conv_layer(k: Int32(k), cin: Int32(cin), cout: Int32(cout),
                               w: UnsafePointer(weights.base), bias: UnsafePointer(biasBuffer.base),
                               alpha: alphaBuffer.map { UnsafePointer($0.base) }, dilation: Int32(dilation)))
        narrowLayer = narrow?.descriptor
    }

    deinit { layer.deallocate() }
}
