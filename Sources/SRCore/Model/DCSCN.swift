import CKernels

/// The DCSCN inference network (SPEC §3–§5): LR luma and its bicubic upscale in, HR luma out.
///
/// Built once from `DCSCNParameters`; the weights are repacked into kernel-friendly layouts at
/// init and never change afterwards, so one instance may be shared by any number of threads
/// (every call allocates its own scratch). Results are deterministic: the same input gives
/// bit-identical output whatever the thread count (work is split by rows, never inside a sum).
public final class DCSCN: @unchecked Sendable {
    /// The architecture.
    public let config: DCSCNConfig
    /// Packed layers in `config.layers` order.
    let packed: [PackedConv]

    /// Packs the weights. Throws when the parameters do not match their config.
    public init(parameters: DCSCNParameters) throws {
        let checked = try DCSCNParameters(config: parameters.config, layers: parameters.layers,
                                          provenance: parameters.provenance)
        config = checked.config
        packed = try zip(config.layers, checked.layers).map { try PackedConv(spec: $0, params: $1) }
    }

    /// One forward pass.
    ///
    /// - Parameters:
    ///   - lr: LR luma, one plane, 0...255 scale, any size >= 1x1.
    ///   - bicubic: the bicubic upscale of `lr`, exactly `scale` times its width and height.
    ///   - threads: worker threads (the caller counts as one); values < 1 mean 1.
    /// - Returns: the HR luma = network output + `bicubic` (float, not clipped).
    /// - Complexity: `config.macsPerLRPixel` multiply-adds per LR pixel.
    public func forward(lr: Image, bicubic: Image, threads: Int = 1) throws -> Image {
        try forward(lr: lr, bicubic: bicubic, threads: threads, isa: SRK_ISA_AUTO)
    }

    /// `forward` with an explicit kernel ISA (`SRK_ISA_PORTABLE` forces the portable C kernels).
    package func forward(lr: Image, bicubic: Image, threads: Int, isa: Int32) throws -> Image {
        let pass = try ForwardPass(network: self, lr: lr, bicubic: bicubic)
        try pass.run(threads: threads, isa: isa)
        return pass.outputImage()
    }

    /// Runs one forward pass and returns every intermediate tensor in the reference's order:
    /// CNN1...CNN_L (after PReLU), A1, B1, B2, Concat2, Up-PS (conv), Up-PS/DepthToSpace,
    /// [Up-PS2, Up-PS2/DepthToSpace], R-CNN1 (conv), output (= R-CNN1 + bicubic).
    /// Values are dense HWC; `shape` is `[H, W, C]`.
    public func forwardDebug(lr: Image, bicubic: Image) throws -> [(name: String, shape: [Int], values: [Float])] {
        let pass = try ForwardPass(network: self, lr: lr, bicubic: bicubic)
        try pass.run(threads: 1, isa: SRK_ISA_AUTO)
        return pass.debugTensors()
    }
}
