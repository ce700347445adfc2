import CImageIO
import SRSupport

/// Row-streaming JPEG decoder over libjpeg-turbo (docs/image-formats.md): baseline and
/// progressive, gray, YCbCr, CMYK/YCCK (converted to RGB), restart markers. Corrupt and truncated
/// files throw `.format` naming the file (libjpeg's "premature end" warning is an error here).
/// Rows come out as stored; `metadata.orientation` says how to turn them upright.
package final class JPEGReader: ImageRowReader {
    private var handle: OpaquePointer?
    /// The name used in error messages.
    package let name: String
    package let width: Int
    package let height: Int
    package let channels: Int
    package var bitDepth: Int { 8 }
    /// Size and channels as stored (before the EXIF orientation), 8-bit.
    package var header: PNGHeader {
        PNGHeader(width: width, height: height, channels: channels, bitDepth: 8, sourceBitDepth: 8,
                  sourceColorType: channels == 1 ? 0 : 2, interlaced: false)
    }
    package let metadata: ImageMetadata
    private let message = PNGMessage()
    private(set) var nextRow = 0
    private let bytes: [UInt8]?

    /// Opens a file and reads its header and markers; a size over `maxPixels` (0 = no limit) is refused here.
    package init(path: String, maxPixels: Int = 0) throws {
        name = path
        bytes = nil
        var h: OpaquePointer?
        let rc = srjpeg_reader_open_file(path, &h, message.buffer, PNGMessage.capacity)
        if rc != 0 { throw message.error(rc, path) }
        handle = h
        (width, height, channels, metadata) = JPEGReader.info(h)
        try PixelLimit.check(width: width, height: height, maxPixels: maxPixels, name: path)
    }

    /// Decodes JPEG bytes held in memory (kept by the reader); `name` is used in error messages.
    package init(bytes: [UInt8], name: String, maxPixels: Int = 0) throws {
        self.name = name
        self.bytes = bytes
        var h: OpaquePointer?
        let message = self.message
        let rc = bytes.withUnsafeBytes {
            srjpeg_reader_open_memory($0.baseAddress, $0.count, &h, message.buffer, PNGMessage.capacity)
        }
        if rc != 0 { throw message.error(rc, name) }
        handle = h
        (width, height, channels, metadata) = JPEGReader.info(h)
        try PixelLimit.check(width: width, height: height, maxPixels: maxPixels, name: name)
    }

    deinit { srjpeg_reader_free(handle) }

    private static func info(_ h: OpaquePointer?) -> (Int, Int, Int, ImageMetadata) {
        var w: UInt32 = 0, hh: UInt32 = 0, c: Int32 = 0
        srjpeg_reader_info(h, &w, &hh, &c)
        var n = 0
        let exif = srjpeg_reader_exif(h, &n).map { Array(UnsafeBufferPointer(start: $0, count: n)) }
        let icc = srjpeg_reader_icc(h, &n).map { Array(UnsafeBufferPointer(start: $0, count: n)) }
        return (Int(w), Int(hh), Int(c), ImageMetadata(exif: exif, icc: icc))
    }

    package func readRows(_ count: Int, into image: inout Image, at y0: Int) throws {
        try InterleavedRows.read(count, rowBytes: width * channels, into: &image, at: y0, name: name, message: message) {
            let rc = srjpeg_reader_read_rows(handle, $0, $1, message.buffer, PNGMessage.capacity)
            if rc == 0 { nextRow += Int($1) }
            return rc
        }
    }
}
