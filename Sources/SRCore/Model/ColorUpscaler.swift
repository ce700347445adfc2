import SRSupport
import SRImage
import SRKernels
import SRFormats
/// Super-resolution of whole PNG images (colour, gray, alpha, 8- or 16-bit), in horizontal strips
/// so that memory stays bounded by the LR image plus one strip, whatever the output size.
///
/// Luma goes through the network; Cb/Cr and alpha are upscaled with the Pillow-float bicubic
/// (`ResizePlan`, computed per strip from the full-image coefficient tables, so strips are
/// bit-identical to a whole-image resize); RGB is recomputed from Y/Cb/Cr and the PNG writer rounds
/// and clips (never the reference's uint8 wrap-around). Gray stays gray; the bit depth is kept.
///
/// Each strip's network input is the strip plus `halo` LR rows above and below (the receptive
/// field), with the matching rows of the full-image bicubic, so the result does not depend on the
/// strip height.
public struct ColorUpscaler {
    /// Maps an LR luma plane and the matching rows of its full-image bicubic upscale (exactly
    /// `scale` times larger) to HR luma of the bicubic's size.
    public typealias LumaFunction = (_ lr: Image, _ bicubic: Image) throws -> Image

    /// Upscaling factor.
    public let scale: Int
    /// LR rows of context above and below each strip (at least the network's receptive field).
    public let halo: Int
    /// LR rows per strip; nil picks a strip whose HR planes take about 256 MiB (the strip halo is
    /// recomputed, so taller strips waste less: 2 x halo / stripRows of the network time).
    public var stripRows: Int?
    /// The largest input (width x height) `upscaleFile` decodes, checked from the PNG header before
    /// anything is allocated (`PixelLimit`; 0 = no limit).
    public var maxPixels: Int
    private let lumaFunction: LumaFunction

    /// Uses an arbitrary luma function (tests, other networks).
    public init(scale: Int, halo: Int, stripRows: Int? = nil, maxPixels: Int = PixelLimit.defaultMaxPixels,
                luma: @escaping LumaFunction) {
        self.scale = scale
        self.halo = halo
        self.stripRows = stripRows
        self.maxPixels = maxPixels
        self.lumaFunction = luma
    }

    /// Uses a DCSCN `Upscaler` (tiling, self-ensemble and threads as in `options`).
    public init(upscaler: Upscaler, options: UpscaleOptions = UpscaleOptions(), stripRows: Int? = nil,
                maxPixels: Int = PixelLimit.defaultMaxPixels) {
        let config = upscaler.network.config
        self.init(scale: config.scale, halo: config.receptiveField, stripRows: stripRows,
                  maxPixels: maxPixels) { lr, bicubic in
            try upscaler.upscaleLuma(lr, bicubic: bicubic, options: options)
        }
    }

    /// Progress callback: (strips done, strips total); return false to cancel (`.cancelled`).
    public typealias Progress = (Int, Int) -> Bool

    /// Upscales a decoded image in memory.
    public func upscale(_ png: PNGImage, progress: Progress? = nil) throws -> PNGImage {
        try checkInput(png.width, png.height, png.channels, name: "image")
        let planes = ColorPlanes(png.image)
        var out = Image(width: png.width * scale, height: png.height * scale, channels: png.channels)
        var row = 0
        try run(planes, progress: progress) { strip in
            out.paste(strip, from: (0, 0), size: (strip.width, strip.height), at: (0, row))
            row += strip.height
        }
        return PNGImage(image: out, bitDepth: png.bitDepth)
    }

    /// Upscales the image file `input` (PNG, JPEG or WebP, recognised by its signature) into `output`,
    /// streaming: the input is decoded in row chunks straight into LR planes (turned upright by its
    /// EXIF orientation) and the output is written strip by strip (atomically: a temporary file
    /// renamed at the end). Returns the output size. An input over `maxPixels` is refused from its
    /// header; the LR planes are not zero-filled, so a truncated input costs the rows it held.
    /// - Parameters:
    ///   - format: the output format; nil: from `output`'s extension, else PNG.
    ///   - bitDepth: 8 or 16 (PNG); nil keeps the input's.
    ///   - compressionLevel: zlib level 0...9 (-1: libpng's default, 6). Level 6 spends more time in
    ///     zlib than the c-DCSCN network on large images; 1...3 are several times faster, a bit larger.
    ///   - quality: JPEG and lossy WebP quality 1...100.
    ///   - lossless: lossless WebP (other formats ignore it).
    ///   - stripMetadata: write no EXIF/ICC/PNG text/sRGB/gAMA (docs/image-formats.md).
    ///   - warn: receives what the input's reader left out (oversized metadata), before any work.
    @discardableResult
    public func upscaleFile(input: String, output: String, format: ImageFormat? = nil, bitDepth: Int? = nil,
                            compressionLevel: Int = -1, quality: Int = 92, lossless: Bool = false,
                            stripMetadata: Bool = false, warn: ((String) -> Void)? = nil,
                            progress: Progress? = nil) throws -> (width: Int, height: Int) {
        let reader = try ImageReaders.open(path: input, maxPixels: maxPixels)
        if !stripMetadata, let warn { reader.warnings.forEach(warn) }
        let h = reader.header
        var planes = try readPlanes(reader, name: input)
        planes.orient(ExifOrientation.dihedral(reader.metadata.orientation))
        let ow = planes.width * scale, oh = planes.height * scale
        let writer: any ImageRowSink
        switch format ?? ImageFormat.fromExtension(output) ?? .png {
        case .png:
            writer = try PNGRowWriter(path: output, width: ow, height: oh, channels: h.channels,
                                      bitDepth: bitDepth ?? h.bitDepth, compressionLevel: compressionLevel,
                                      metadata: stripMetadata ? .none : reader.metadata)
        case .jpeg:
            writer = try JPEGRowWriter(path: output, width: ow, height: oh, channels: h.channels, quality: quality,
                                       metadata: stripMetadata ? ImageMetadata() : reader.metadata)
        case .webp:
            writer = try WebPRowWriter(path: output, width: ow, height: oh, channels: h.channels, quality: quality,
                                       lossless: lossless, metadata: stripMetadata ? ImageMetadata() : reader.metadata)
        }
        try run(planes, progress: progress) { try writer.append($0) }
        try writer.finish()
        return (ow, oh)
    }

    /// The input side of `upscaleFile`: decodes the reader's rows in chunks of about 8 MiB (or
    /// `chunkRows`) straight into LR planes (the fuzz harness runs it on arbitrary bytes).
    package func readPlanes(_ reader: any ImageRowReader, name: String, chunkRows: Int? = nil) throws -> ColorPlanes {
        let h = reader.header
        try checkInput(h.width, h.height, h.channels, name: name)
        var planes = ColorPlanes(width: h.width, height: h.height, channels: h.channels)
        let chunk = max(1, chunkRows ?? (8 << 20) / max(1, h.width * h.channels * 4))
        var y = 0
        while y < h.height {
            let n = min(chunk, h.height - y)
            var strip = Image(width: h.width, height: n, channels: h.channels)
            try reader.readRows(n, into: &strip, at: 0)
            planes.store(strip, atRow: y)
            y += n
        }
        return planes
    }

    private func checkInput(_ w: Int, _ h: Int, _ channels: Int, name: String) throws {
        guard scale >= 1, halo >= 0 else {
            throw SRError(.invalidArgument, "\(name): invalid scale \(scale) / halo \(halo)")
        }
        guard w > 0, h > 0, (1...4).contains(channels) else {
            throw SRError(.invalidArgument, "\(name): cannot upscale a \(w)x\(h) image with \(channels) channels")
        }
        guard w.multipliedReportingOverflow(by: h).partialValue <= PNGReader.maxSamples / channels, w < Int(Int32.max),
              h < Int(Int32.max) else {
            throw SRError(.outOfMemory, "\(name): \(w)x\(h)x\(channels) is too large to upscale")
        }
        let (hw, o1) = w.multipliedReportingOverflow(by: scale)
        let (hh, o2) = h.multipliedReportingOverflow(by: scale)
        guard !o1, !o2, hw < Int(Int32.max), hh < Int(Int32.max), !hw.multipliedReportingOverflow(by: hh).overflow else {
            throw SRError(.invalidArgument, "\(name): \(w)x\(h) x\(scale) is too large")
        }
    }

    /// LR rows per strip for an image `width` wide.
    func rowsPerStrip(width: Int, height: Int, channels: Int) -> Int {
        if let s = stripRows { return max(1, min(s, height)) }
        // HR strip planes: luma, bicubic, network scratch copies, chroma, alpha, output ~ 8 planes.
        let bytesPerLRRow = width * scale * scale * 4 * (8 + channels)
        return max(1, 4 * halo, min(height, (256 << 20) / max(1, bytesPerLRRow)))
    }

    /// The strip loop: hands consecutive HR strips (output layout) to `sink`.
    private func run(_ planes: ColorPlanes, progress: Progress?, sink: (Image) throws -> Void) throws {
        let w = planes.width, h = planes.height, s = scale
        let rows = rowsPerStrip(width: w, height: h, channels: planes.channels)
        let plan = ResizePlan(inWidth: w, inHeight: h, outWidth: w * s, outHeight: h * s)
        let total = (h + rows - 1) / rows
        var done = 0
        var y0 = 0
        while y0 < h {
            let y1 = min(h, y0 + rows)
            let ey0 = max(0, y0 - halo), ey1 = min(h, y1 + halo)
            let lrStrip = planes.luma.region(x: 0, y: ey0, width: w, height: ey1 - ey0)
            let bicStrip = plan.apply(planes.luma, rows: (s * ey0)..<(s * ey1), cols: 0..<(w * s))
            let hrExt = try lumaFunction(lrStrip, bicStrip)
            guard hrExt.width == bicStrip.width, hrExt.height == bicStrip.height, hrExt.channels == 1 else {
                throw SRError(.shapeMismatch, "colour upscale: luma function returned \(hrExt.width)x\(hrExt.height)x"
                              + "\(hrExt.channels) for a \(bicStrip.width)x\(bicStrip.height) strip")
            }
            let hrRows = (s * y0)..<(s * y1)
            let luma = hrExt.region(x: 0, y: s * (y0 - ey0), width: w * s, height: hrRows.count)
            let chroma = planes.chroma.map { plan.apply($0, rows: hrRows, cols: 0..<(w * s)) }
            let alpha = planes.alpha.map { plan.apply($0, rows: hrRows, cols: 0..<(w * s)) }
            try sink(ColorPlanes.combine(luma: luma, chroma: chroma, alpha: alpha))
            done += 1
            if let progress, !progress(done, total) {
                throw SRError(.cancelled, "colour upscale: cancelled after \(done) of \(total) strips")
            }
            y0 = y1
        }
    }
}
