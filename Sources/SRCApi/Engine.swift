import SRCore

/// The engine behind one model handle: SRCore's network plus the upscaling paths the C API exposes.
/// Immutable after init; every call allocates its own scratch, so it is shared by all threads.
struct Engine {
    let network: DCSCN

    init(_ parameters: DCSCNParameters) throws {
        network = try DCSCN(parameters: parameters)
    }

    /// Luma on the 0...255 scale in, raw network output (net + bicubic) out.
    func upscaleLuma(_ y: Image, _ o: CallOptions) throws -> Image {
        if let p = o.progress, !p.report(0) { throw SRError(.cancelled, "cancelled by the progress callback") }
        let s = network.config.scale
        let bic = Resize.bicubic(y, width: y.width * s, height: y.height * s)
        return try network.forward(lr: y, bicubic: bic, threads: o.threads)
    }

    /// Gray/GA/RGB/RGBA planes (0...255) in, the `sr upscale` result out.
    func upscale(_ png: PNGImage, _ o: CallOptions) throws -> PNGImage {
        throw SRError(.unsupported, "colour upscaling is not wired yet")
    }

    /// PNG file to PNG file, as `sr upscale`.
    func upscaleFile(_ input: String, to output: String, _ o: CallOptions) throws {
        throw SRError(.unsupported, "file upscaling is not wired yet")
    }
}
