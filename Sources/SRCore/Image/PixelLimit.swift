import SRSupport
/// The largest image a decoder accepts, checked from the header before any pixel buffer exists
/// (the counterpart of Pillow's `MAX_IMAGE_PIXELS`; docs/fuzzing.md, "Pixel limit").
///
/// A PNG header is 33 bytes and may declare up to 2^31 - 1 pixels per side, so without a limit a
/// 145-byte file can make a decoder reserve gigabytes. Every PNG decode in srcore (`PNGCodec`,
/// `ColorUpscaler.upscaleFile`, the evaluator, the patch-set builder, the C API's
/// `sr_upscale_file`) takes a `maxPixels` limit: 0 means no limit, the default is `defaultMaxPixels`.
public enum PixelLimit {
    /// 268,435,456 = 16384 x 16384 = 2^28 pixels: every photo (a 24 MP camera, a 150 MP medium
    /// format) and a 16k x 16k texture or map pass; a 20000 x 20000 (400 MP) image needs a raised
    /// limit. At the limit an RGBA image takes 4 GiB as float planes. Pillow refuses 2 x 89,478,485
    /// = 178,956,970 pixels; srcore's default is 1.5 times that, a power of two, so that 16k x 16k fits.
    public static let defaultMaxPixels = 1 << 28

    /// Throws `.outOfMemory` when a `width` x `height` image exceeds `maxPixels` (0: no limit).
    /// `name` (the file) starts the message; a negative limit is `.invalidArgument`.
    public static func check(width: Int, height: Int, maxPixels: Int, name: String) throws {
        try validate(maxPixels)
        guard maxPixels > 0 else { return }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard overflow || pixels > maxPixels else { return }
        let count = overflow ? "more than \(Int.max)" : "\(pixels)"
        throw SRError(.outOfMemory, "\(name): \(width)x\(height) = \(count) pixels exceeds the limit of \(maxPixels) "
                      + "(raise the pixel limit to decode it; 0 = no limit)")
    }

    /// Validates a caller's limit: 0 (none) or positive.
    public static func validate(_ maxPixels: Int) throws {
        guard maxPixels >= 0 else {
            throw SRError(.invalidArgument, "the pixel limit must be 0 (no limit) or positive (got \(maxPixels))")
        }
    }
}
