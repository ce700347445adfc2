import CImageIO
import SRSupport

/// WebP writer (libwebp; metadata chunks through libwebpmux): strips are appended, `finish()`
/// encodes the whole picture (libwebp encodes whole images, so the output is held as 8-bit samples,
/// a quarter of its float size) into a temporary file renamed over `path`; released or cancelled
/// before that, nothing is left (docs/image-formats.md). Lossy at `quality` or lossless (exact:
/// colours under transparent pixels kept). Gray inputs are written as RGB (WebP has no gray), gray
/// with alpha as RGBA. Samples (0...255 scale) are rounded half to even and clipped.
public final class WebPRowWriter: ImageRowSink {
    /// Destination path.
    public let path: String
    /// Image width.
    public let width: Int
    /// Rows to append in total.
    public let height: Int
    /// Channels of the appended strips (1...4).
    public let channels: Int
    private let quality: Int
    private let lossless: Bool
    private let metadata: ImageMetadata
    private var pixels: [UInt8]
    private var rows = 0
    private var done = false
    /// Channels written: 3 or 4.
    private var outChannels: Int { channels == 2 || channels == 4 ? 4 : 3 }

    /// Checks the size (16383 pixels a side at most) and `metadata` (EXIF written with its
    /// orientation reset to 1, ICC profile); nothing is created before `finish()`.
    public init(path: String, width: Int, height: Int, channels: Int, quality: Int = 92, lossless: Bool = false,
                metadata: ImageMetadata = ImageMetadata()) throws {
        self.path = path
        self.width = width
        self.height = height
        self.channels = channels
        self.quality = quality
        self.lossless = lossless
        self.metadata = metadata
        guard (1...4).contains(channels) else {
            throw SRError(.invalidArgument, "\(path): WebP needs 1...4 channels, got \(channels)")
        }
        guard (1...16383).contains(width), (1...16383).contains(height) else {
            throw SRError(.invalidArgument, "\(path): \(width)x\(height) is too large for WebP (16383 pixels per side)")
        }
        guard (1...100).contains(quality) else {
            throw SRError(.invalidArgument, "\(path): WebP quality must be 1...100, got \(quality)")
        }
        pixels = []
        pixels.reserveCapacity(width * height * (channels == 2 || channels == 4 ? 4 : 3))
    }

    public func append(_ strip: Image) throws {
        guard !done else { throw SRError(.invalidArgument, "\(path): WebP writer already finished or cancelled") }
        guard strip.width == width, strip.channels == channels, strip.height <= height - rows else {
            throw SRError(.shapeMismatch, "\(path): strip \(strip.width)x\(strip.height)x\(strip.channels) does not fit a "
                          + "\(width)x\(height)x\(channels) WebP")
        }
        let rowBytes = width * channels
        try InterleavedRows.pack(strip, rowBytes: rowBytes) { buf, n in
            switch channels {
            case 1:
                for i in 0..<(n * width) { let v = buf[i]; pixels.append(v); pixels.append(v); pixels.append(v) }
            case 2:
                for i in 0..<(n * width) {
                    let v = buf[2 * i]
                    pixels.append(v); pixels.append(v); pixels.append(v); pixels.append(buf[2 * i + 1])
                }
            default:
                pixels.append(contentsOf: UnsafeBufferPointer(start: buf, count: n * rowBytes))
            }
        }
        rows += strip.height
    }

    public func finish() throws {
        guard !done else { throw SRError(.invalidArgument, "\(path): WebP writer already finished or cancelled") }
        guard rows == height else {
            throw SRError(.invalidArgument, "\(path): only \(rows) of \(height) rows were written")
        }
        done = true
        let target = try AtomicFile(path: path)
        let exif = metadata.exifForOutput ?? [], icc = metadata.icc ?? []
        let message = PNGMessage()
        let rc = pixels.withUnsafeBufferPointer { p in
            exif.withUnsafeBufferPointer { e in
                icc.withUnsafeBufferPointer { i in
                    srwebp_write_file(target.temporaryPath, p.baseAddress, UInt32(width), UInt32(height),
                                      Int32(outChannels), Int32(quality), lossless ? 1 : 0, e.baseAddress, e.count,
                                      i.baseAddress, i.count, message.buffer, PNGMessage.capacity)
                }
            }
        }
        pixels = []
        if rc != 0 {
            target.discard()
            throw message.error(rc, path)
        }
        do { try target.commit() } catch { target.discard(); throw error }
    }

    /// Abandons the output; idempotent.
    public func cancel() {
        done = true
        pixels = []
    }
}
