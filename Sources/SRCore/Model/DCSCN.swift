import CKernels
#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats

/// The DCSCN inference network (docs/reference.md §3–§5): LR luma and its bicubic upscale in, HR luma out.
///
/// Built once from `DCSCNParameters`; the weights are repacked into kernel-friendly layouts at
/// init and never change afterwards, so one instance may be shared by any number of threads
/// (every call has its own scratch; a finished call's scratch is kept for the next call of the
/// same or transposed size, see `releaseScratch`). Results are deterministic: the same input gives
/// bit-identical output whatever the thread count (work is split by rows, never inside a sum).
public final class DCSCN: @unchecked Sendable {
    /// The architecture.
    public let config: DCSCNConfig
    /// Packed layers in `config.layers` order.
    let packed: [PackedConv]
    /// The scratch of the last finished call, reused by the next call of the same size
    /// (saves re-faulting and zeroing the buffers; concurrent calls each get their own).
    private var cache: ForwardPass?
    /// Guards `cache`.
    private let cacheLock = Lock()

    /// Packs the weights. Throws when the parameters do not match their config.
    public init(parameters: DCSCNParameters) throws {
        let checked = try DCSCNParameters(config: parameters.config, layers: parameters.layers,
                                          provenance: parameters.provenance)
        config = checked.config
        let cfg = config
        packed = try zip(cfg.layers, checked.layers).map {
            try PackedConv(spec: $0, params: $1, inputParts: ForwardPass.inputParts(of: $0, config: cfg))
        }
    }

    /// A pass for this input size: the cached one when it fits, else a new one; inputs loaded.
    private func acquirePass(lr: Image, bicubic: Image) throws -> ForwardPass {
        try ForwardPass.checkShapes(config: config, lr: lr, bicubic: bicubic)
        var pass = cacheLock.withLock { () -> ForwardPass? in defer { cache = nil }; return cache }
        var pool: BufferPool? = nil
        if let p = pass, p.lrWidth != lr.width || p.lrHeight != lr.height {
            // The transposed size (self-ensemble rotations) needs the very same buffer sizes.
            if p.lrWidth == lr.height && p.lrHeight == lr.width { pool = BufferPool(p.buffers) }
            pass = nil
        }
        let p = try pass ?? ForwardPass(config: config, packed: packed, lrWidth: lr.width, lrHeight: lr.height, pool: pool)
        try p.load(lr: lr, bicubic: bicubic)
        return p
    }

    private func releasePass(_ pass: ForwardPass) {
        cacheLock.withLock { cache = pass }
    }

    /// Frees the scratch kept from the last call (it is otherwise kept until the next call of a
    /// different size, or until the network is freed).
    public func releaseScratch() {
        cacheLock.withLock { cache = nil }
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
        let pass = try acquirePass(lr: lr, bicubic: bicubic)
        defer { releasePass(pass) }   // also after a failed run: the next run rewrites every output
        try pass.run(threads: threads, isa: isa)
        return pass.outputImage()
    }

    /// Runs one forward pass and returns every intermediate tensor in the reference's order:
    /// CNN1...CNN_L (after PReLU), A1, B1, B2, Concat2, Up-PS (conv), Up-PS/DepthToSpace,
    /// [Up-PS2, Up-PS2/DepthToSpace], R-CNN1 (conv), output (= R-CNN1 + bicubic).
    /// Values are dense HWC; `shape` is `[H, W, C]`.
    package func intermediateTensors(lr: Image, bicubic: Image) throws -> [(name: String, shape: [Int], values: [Float])] {
        try ForwardPass.checkShapes(config: config, lr: lr, bicubic: bicubic)
        let pass = try ForwardPass(config: config, packed: packed, lrWidth: lr.width, lrHeight: lr.height)
        try pass.load(lr: lr, bicubic: bicubic)
        try pass.run(threads: 1, isa: SRK_ISA_AUTO)
        return pass.debugTensors()
    }
}
