import CImageIO
#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// PNG decoding and encoding through libpng (via the CImageIO C target).
///
/// Decoding accepts every standard PNG: 1/2/4/8/16-bit gray, gray+alpha, RGB, RGBA, palette
/// (with or without tRNS), interlaced or not. Palette images become RGB (RGBA with tRNS), gray with
/// a tRNS colour becomes gray+alpha; 16-bit precision is kept (samples / 257 on the 0...255 scale).
/// Non-PNG, corrupt and truncated input throws `SRError(.format, "<file>: <problem>")`; an image
/// over the pixel limit (`PixelLimit`, checked from the header) throws `.outOfMemory`.
public enum PNGCodec {
    /// Reads only the header of a PNG file. A header read decodes no pixels, so `maxPixels`
    /// defaults to 0 (no limit); pass a limit to refuse an oversized image this early.
    public static func readHeader(path: String, maxPixels: Int = 0) throws -> PNGHeader {
        try PNGReader(path: path, maxPixels: maxPixels).header
    }

    /// Decodes a PNG file.
    /// - Parameter maxPixels: the largest width x height accepted, checked from the header before
    ///   anything is allocated (`PixelLimit`; 0 = no limit). Over it: `.outOfMemory`.
    public static func read(path: String, maxPixels: Int = PixelLimit.defaultMaxPixels) throws -> PNGImage {
        try PNGReader(path: path, maxPixels: maxPixels).readAll()
    }

    /// Decodes a PNG held in memory; `name` is used in error messages; `maxPixels` as in `read(path:maxPixels:)`.
    public static func decode(bytes: [UInt8], name: String = "<memory>",
                              maxPixels: Int = PixelLimit.defaultMaxPixels) throws -> PNGImage {
        try bytes.withUnsafeBytes { raw in
            try PNGReader(bytes: raw, name: name, maxPixels: maxPixels).readAll()
        }
    }

    /// Writes `png` to `path` atomically (a temporary file in the same folder, renamed at the end).
    ///
    /// Samples are rounded half to even and clipped to the bit depth's range.
    /// - Parameters:
    ///   - bitDepth: 8 or 16; nil uses `png.bitDepth`.
    ///   - compressionLevel: zlib level 0...9, or -1 for libpng's default.
    public static func write(_ png: PNGImage, to path: String, bitDepth: Int? = nil, compressionLevel: Int = -1) throws {
        let writer = try PNGRowWriter(path: path, width: png.width, height: png.height, channels: png.channels,
                                      bitDepth: bitDepth ?? png.bitDepth, compressionLevel: compressionLevel)
        try writer.append(png.image)
        try writer.finish()
    }

    /// Encodes `png` to PNG bytes in memory (see `write(_:to:bitDepth:compressionLevel:)`).
    public static func encode(_ png: PNGImage, bitDepth: Int? = nil, compressionLevel: Int = -1) throws -> [UInt8] {
        let depth = bitDepth ?? png.bitDepth
        let core = try PNGWriterCore(path: nil, name: "<memory>", width: png.width, height: png.height,
                                     channels: png.channels, bitDepth: depth, compressionLevel: compressionLevel)
        try core.append(png.image, rows: 0..<png.height)
        return try core.finishToMemory()
    }
}

/// A C message buffer for the CImageIO calls.
package final class PNGMessage {
    package let buffer: UnsafeMutablePointer<CChar>
    package static let capacity = 512
    package init() {
        buffer = .allocate(capacity: PNGMessage.capacity)
        buffer.initialize(repeating: 0, count: PNGMessage.capacity)
    }
    deinit { buffer.deallocate() }
    var text: String { String(cString: buffer) }

    /// The SRError for a CImageIO status code.
    package func error(_ status: Int32, _ name: String) -> SRError {
        let code: SRError.Code
        switch status {
        case Int32(SRPNG_ERR_IO): code = .io
        case Int32(SRPNG_ERR_ARG): code = .invalidArgument
        case Int32(SRPNG_ERR_MEMORY): code = .outOfMemory
        default: code = .format
        }
        return SRError(code, "\(name): \(text)")
    }
}

/// Row-streaming PNG decoder (internal; `PNGCodec` and `PNGRowReader` use it).
package final class PNGReader {
    private var handle: OpaquePointer?
    package let name: String
    package let header: PNGHeader
    /// The metadata of the chunks before the image data: iCCP, eXIf, text, sRGB, gAMA.
    package let metadata: ImageMetadata
    private let message = PNGMessage()
    private(set) var nextRow = 0

    /// Opens a file and reads its header; a header over `maxPixels` (0 = no limit) is refused here,
    /// before any pixel buffer exists.
    package init(path: String, maxPixels: Int = 0) throws {
        name = path
        var h: OpaquePointer?
        let rc = srpng_reader_open_file(path, &h, message.buffer, PNGMessage.capacity)
        if rc != 0 { throw message.error(rc, path) }
        handle = h
        header = PNGReader.header(of: h)
        metadata = PNGReader.metadata(of: h)
        try PixelLimit.check(width: header.width, height: header.height, maxPixels: maxPixels, name: path)
    }

    /// The bytes must outlive the reader; `maxPixels` as in `init(path:maxPixels:)`.
    package init(bytes: UnsafeRawBufferPointer, name: String, maxPixels: Int = 0) throws {
        self.name = name
        var h: OpaquePointer?
        let rc = srpng_reader_open_memory(bytes.baseAddress, bytes.count, &h, message.buffer, PNGMessage.capacity)
        if rc != 0 { throw message.error(rc, name) }
        handle = h
        header = PNGReader.header(of: h)
        metadata = PNGReader.metadata(of: h)
        try PixelLimit.check(width: header.width, height: header.height, maxPixels: maxPixels, name: name)
    }

    deinit { srpng_reader_free(handle) }

    private static func header(of h: OpaquePointer?) -> PNGHeader {
        var c = srpng_header()
        srpng_reader_header(h, &c)
        return PNGHeader(width: Int(c.width), height: Int(c.height), channels: Int(c.channels),
                         bitDepth: Int(c.bit_depth), sourceBitDepth: Int(c.source_bit_depth),
                         sourceColorType: Int(c.source_color_type), interlaced: c.interlaced != 0)
    }

    /// The metadata chunk types skipped unread because one of their chunks is over 4 MiB.
    package var warnings: [String] {
        let mask = srpng_reader_dropped_metadata(handle)
        let names = ["iCCP", "eXIf", "tEXt", "zTXt", "iTXt"].enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)
        return names.map { "\(name): \($0) metadata dropped (a chunk over 4 MiB)" }
    }

    private static func metadata(of h: OpaquePointer?) -> ImageMetadata {
        var n = 0
        let icc = srpng_reader_icc(h, &n).map { Array(UnsafeBufferPointer(start: $0, count: n)) }
        let exif = srpng_reader_exif(h, &n).map { Array(UnsafeBufferPointer(start: $0, count: n)) }
        func bytes(_ p: UnsafePointer<CChar>?) -> [UInt8] {
            guard let p else { return [] }
            return Array(UnsafeRawBufferPointer(start: p, count: strlen(p)))
        }
        var text: [PNGTextChunk] = []
        for i in 0..<srpng_reader_text_count(h) {
            var t = srpng_text()
            srpng_reader_text(h, i, &t)
            text.append(PNGTextChunk(kind: PNGTextChunk.Kind(rawValue: t.compression) ?? .tEXt, keyword: bytes(t.key),
                                     text: bytes(t.text), language: bytes(t.lang), translatedKeyword: bytes(t.lang_key)))
        }
        let srgb = Int(srpng_reader_srgb(h)), gamma = Int(srpng_reader_gamma(h))
        return ImageMetadata(exif: exif, icc: icc, pngText: text, srgbIntent: srgb >= 0 ? srgb : nil,
                             gamma: gamma > 0 ? gamma : nil)
    }

    /// Reads the next `count` rows into rows `[y0, y0 + count)` of `image`
    /// (which has the header's width and channels).
    package func readRows(_ count: Int, into image: inout Image, at y0: Int) throws {
        let rowBytes = PNGSamples.rowBytes(width: header.width, channels: header.channels, bitDepth: header.bitDepth)
        let chunk = max(1, min(count, (1 << 20) / max(rowBytes, 1)))
        let buf = UnsafeMutableRawPointer.allocate(byteCount: max(rowBytes * chunk, 1), alignment: 16)
        defer { buf.deallocate() }
        var done = 0
        while done < count {
            let n = min(chunk, count - done)
            let rc = srpng_reader_read_rows(handle, buf, UInt32(n), message.buffer, PNGMessage.capacity)
            if rc != 0 { throw message.error(rc, name) }
            PNGSamples.unpack(buf, rows: n, bitDepth: header.bitDepth, into: &image, y0: y0 + done)
            done += n
            nextRow += n
        }
    }

    /// The most samples a decoded image may have (8 GiB of float).
    package static let maxSamples = 1 << 31

    /// Decodes every remaining row. The image is not zero-filled first: its pages are touched only as
    /// rows are decoded, so a truncated file costs the rows it held (docs/fuzzing.md, "Pixel limit").
    package func readAll() throws -> PNGImage {
        let pixels = header.width.multipliedReportingOverflow(by: header.height)
        let total = pixels.partialValue.multipliedReportingOverflow(by: header.channels)
        if pixels.overflow || total.overflow || total.partialValue > PNGReader.maxSamples {
            throw SRError(.outOfMemory, "\(name): image too large to decode (\(header.width)x\(header.height)x"
                          + "\(header.channels) samples, limit \(PNGReader.maxSamples))")
        }
        // Rows already read by `readRows` are not in this image: they stay zero.
        var image = nextRow == 0 ? Image(uninitializedWidth: header.width, height: header.height, channels: header.channels)
                                 : Image(width: header.width, height: header.height, channels: header.channels)
        try readRows(header.height - nextRow, into: &image, at: nextRow)
        return PNGImage(image: image, bitDepth: header.bitDepth)
    }
}
