import CImageIO
import SRSupport

/// WebP decoder over libwebp (docs/image-formats.md): lossy and lossless, with or without alpha
/// (RGB or RGBA out). Opening parses only the header (WebPGetFeatures) and the ICCP/EXIF chunks, so
/// the pixel limit is checked before the decoder allocates; the first `readRows` decodes the whole
/// picture (WebP has no row-streaming decode of its own). Corrupt and truncated files throw `.format`
/// naming the file; animated WebP is refused. Rows come out as stored; `metadata.orientation` says
/// how to turn them upright.
package final class WebPReader: ImageRowReader {
    private var handle: OpaquePointer?
    /// The name used in error messages.
    package let name: String
    package let width: Int
    package let height: Int
    package let channels: Int
    /// Size and channels as stored (before the EXIF orientation), 8-bit.
    package var header: PNGHeader {
        PNGHeader(width: width, height: height, channels: channels, bitDepth: 8, sourceBitDepth: 8,
                  sourceColorType: channels == 4 ? 6 : 2, interlaced: false)
    }
    package let metadata: ImageMetadata
    /// Whether the image data is lossy (VP8; its compression artefacts are part of the pixels).
    package var lossy: Bool { srwebp_reader_lossy(handle) != 0 }
    private let message = PNGMessage()

    /// Reads a file and its header; a size over `maxPixels` (0 = no limit) is refused here, before decoding.
    package init(path: String, maxPixels: Int = 0) throws {
        name = path
        var h: OpaquePointer?
        let rc = srwebp_reader_open_file(path, &h, message.buffer, PNGMessage.capacity)
        if rc != 0 { throw message.error(rc, path) }
        handle = h
        (width, height, channels, metadata) = WebPReader.info(h)
        try PixelLimit.check(width: width, height: height, maxPixels: maxPixels, name: path)
    }

    /// WebP bytes held in memory (copied); `name` is used in error messages.
    package init(bytes: [UInt8], name: String, maxPixels: Int = 0) throws {
        self.name = name
        var h: OpaquePointer?
        let message = self.message
        let rc = bytes.withUnsafeBytes {
            srwebp_reader_open_memory($0.baseAddress, $0.count, &h, message.buffer, PNGMessage.capacity)
        }
        if rc != 0 { throw message.error(rc, name) }
        handle = h
        (width, height, channels, metadata) = WebPReader.info(h)
        try PixelLimit.check(width: width, height: height, maxPixels: maxPixels, name: name)
    }

    deinit { srwebp_reader_free(handle) }

    private static func info(_ h: OpaquePointer?) -> (Int, Int, Int, ImageMetadata) {
        var w: UInt32 = 0, hh: UInt32 = 0, c: Int32 = 0
        srwebp_reader_info(h, &w, &hh, &c)
        var n = 0
        let exif = srwebp_reader_exif(h, &n).map { Array(UnsafeBufferPointer(start: $0, count: n)) }
        let icc = srwebp_reader_icc(h, &n).map { Array(UnsafeBufferPointer(start: $0, count: n)) }
        return (Int(w), Int(hh), Int(c), ImageMetadata(exif: exif, icc: icc))
    }

    package func readRows(_ count: Int, into image: inout Image, at y0: Int) throws {
        try InterleavedRows.read(count, rowBytes: width * channels, into: &image, at: y0, name: name, message: message) {
            srwebp_reader_read_rows(handle, $0, $1, message.buffer, PNGMessage.capacity)
        }
    }
}
