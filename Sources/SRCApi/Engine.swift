import SRCore

/// The engine behind one model handle: SRCore's tiled upscaler plus the paths the C API exposes.
/// Immutable after init; every call allocates its own scratch, so one engine serves all threads.
/// (Inference runs on SRCore's own kernels, never BLAS, so OpenBLAS's thread count is left to the host.)
struct Engine {
    let upscaler: Upscaler

    init(_ parameters: DCSCNParameters) throws {
        upscaler = Upscaler(network: try DCSCN(parameters: parameters))
    }

    /// SRCore's options for a call.
    static func upscaleOptions(_ o: CallOptions) -> UpscaleOptions {
        UpscaleOptions(ensemble: o.ensemble, tileSize: o.tileSize > 0 ? o.tileSize : nil, threads: o.threads)
    }

    /// The tile-progress callback for a call (nil without a host callback). Reports 0 first, so a host
    /// can cancel before any work.
    static func progress(_ o: CallOptions) throws -> ((Int, Int) -> Bool)? {
        guard let relay = o.progress else { return nil }
        guard relay.report(0) else { throw SRError(.cancelled, "cancelled by the progress callback") }
        return { done, total in relay.report(total > 0 ? Double(done) / Double(total) : 1) }
    }

    /// Luma on the 0...255 scale in, raw network output (net + bicubic) out.
    func upscaleLuma(_ y: Image, _ o: CallOptions) throws -> Image {
        try upscaler.upscaleLuma(y, options: Engine.upscaleOptions(o), progress: try Engine.progress(o))
    }

    /// The colour pipeline of `sr upscale` with this call's options.
    func colour(_ o: CallOptions) -> ColorUpscaler {
        ColorUpscaler(upscaler: upscaler, options: Engine.upscaleOptions(o), maxPixels: o.maxPixels)
    }

    /// Gray/GA/RGB/RGBA planes (0...255) in, the `sr upscale` result out (not yet quantised).
    func upscale(_ png: PNGImage, _ o: CallOptions) throws -> PNGImage {
        try colour(o).upscale(png, progress: try Engine.progress(o))
    }

    /// PNG file to PNG file (same channels and bit depth), as `sr upscale`: streamed in strips and
    /// written atomically.
    func upscaleFile(_ input: String, to output: String, _ o: CallOptions) throws {
        try colour(o).upscaleFile(input: input, output: output, compressionLevel: o.pngCompression,
                                  progress: try Engine.progress(o))
    }
}
