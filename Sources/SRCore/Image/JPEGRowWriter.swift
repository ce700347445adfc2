import CImageIO
import SRSupport

/// Streaming JPEG writer (libjpeg-turbo, baseline, optimised Huffman tables, 4:2:0 for colour):
/// open, append strips, `finish()`. Written to a temporary file renamed over `path` at the end;
/// released or cancelled before that, the temporary file is removed (docs/image-formats.md).
/// Samples (0...255 scale) are rounded half to even and clipped; gray (1) or RGB (3) channels.
public final class JPEGRowWriter: ImageRowSink {
    /// Destination path.
    public let path: String
    /// Image width.
    public let width: Int
    /// Rows to append in total.
    public let height: Int
    /// 1 gray or 3 RGB.
    public let channels: Int
    private let target: AtomicFile
    private var handle: OpaquePointer?
    private let message = PNGMessage()

    /// Creates the temporary file and writes the JPEG header with `metadata` (EXIF with its
    /// orientation reset to 1, ICC profile).
    public init(path: String, width: Int, height: Int, channels: Int, quality: Int = 92,
                metadata: ImageMetadata = ImageMetadata()) throws {
        self.path = path
        self.width = width
        self.height = height
        self.channels = channels
        guard channels == 1 || channels == 3 else {
            throw SRError(.invalidArgument, "\(path): JPEG has no alpha channel (image has \(channels) channels); "
                          + "write PNG instead")
        }
        guard (1...65500).contains(width), (1...65500).contains(height) else {
            throw SRError(.invalidArgument, "\(path): \(width)x\(height) is too large for JPEG (65500 pixels per side)")
        }
        target = try AtomicFile(path: path)
        let exif = metadata.exifForOutput ?? [], icc = metadata.icc ?? []
        var h: OpaquePointer?
        let rc = exif.withUnsafeBufferPointer { e in
            icc.withUnsafeBufferPointer { i in
                srjpeg_writer_open_file(target.temporaryPath, UInt32(width), UInt32(height), Int32(channels),
                                        Int32(quality), e.baseAddress, e.count, i.baseAddress, i.count, &h,
                                        message.buffer, PNGMessage.capacity)
            }
        }
        if rc != 0 {
            target.discard()
            throw message.error(rc, path)
        }
        handle = h
    }

    deinit { cancel() }

    public func append(_ strip: Image) throws {
        guard let handle else { throw SRError(.invalidArgument, "\(path): JPEG writer already finished or cancelled") }
        try InterleavedRows.pack(strip, rowBytes: width * channels) { buf, n in
            let rc = srjpeg_writer_write_rows(handle, buf, UInt32(n), message.buffer, PNGMessage.capacity)
            if rc != 0 {
                let e = message.error(rc, path)
                cancel()
                throw e
            }
        }
    }

    public func finish() throws {
        guard let handle else { throw SRError(.invalidArgument, "\(path): JPEG writer already finished or cancelled") }
        let rc = srjpeg_writer_finish(handle, message.buffer, PNGMessage.capacity)
        if rc != 0 {
            let e = message.error(rc, path)
            cancel()
            throw e
        }
        srjpeg_writer_free(handle)
        self.handle = nil
        do { try target.commit() } catch { target.discard(); throw error }
    }

    /// Abandons the output; idempotent.
    public func cancel() {
        if let handle { srjpeg_writer_free(handle) }
        handle = nil
        target.discard()
    }
}
