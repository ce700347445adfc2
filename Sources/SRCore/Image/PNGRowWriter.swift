import CImageIO
#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// Streaming PNG writer for images too large to hold at once: open, append strips of rows,
/// `finish()`. The file is written to a temporary file in the destination folder and renamed
/// over `path` by `finish()`; if the writer is released (or `cancel()`led) before that, the
/// temporary file is removed and `path` is untouched.
///
/// Memory: one strip at a time (interlacing is never used for written files).
public final class PNGRowWriter {
    /// Destination path.
    public let path: String
    /// Image width.
    public let width: Int
    /// Image height (rows to append in total).
    public let height: Int
    /// Channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
    public let channels: Int
    /// Bit depth written (8 or 16).
    public let bitDepth: Int
    /// Rows appended so far.
    public var rowsWritten: Int { core?.rowsWritten ?? height }

    private let target: AtomicFile
    private var core: PNGWriterCore?

    /// Creates the temporary file and writes the PNG header.
    /// - Parameters:
    ///   - bitDepth: 8 or 16; samples (0...255 scale) are rounded half to even and clipped.
    ///   - compressionLevel: zlib level 0...9, or -1 for libpng's default.
    ///   - icc: an ICC profile to write as iCCP (docs/image-formats.md), or nil (then `metadata`'s).
    ///   - metadata: the ICC profile (iCCP), text chunks and sRGB/gAMA to write (EXIF is not written to PNG).
    public init(path: String, width: Int, height: Int, channels: Int, bitDepth: Int = 8,
                compressionLevel: Int = -1, icc: [UInt8]? = nil, metadata: ImageMetadata = .none) throws {
        self.path = path
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        target = try AtomicFile(path: path)
        core = try PNGWriterCore(path: target.temporaryPath, name: path, width: width, height: height, channels: channels,
                                 bitDepth: bitDepth, compressionLevel: compressionLevel,
                                 metadata: { var m = metadata; m.icc = icc ?? metadata.icc; return m }())
    }

    deinit { cancel() }

    /// Appends all rows of `strip` (same width and channels; planar, 0...255 scale).
    public func append(_ strip: Image) throws {
        try append(strip, rows: 0..<strip.height)
    }

    /// Appends rows `rows` of `strip`.
    public func append(_ strip: Image, rows: Range<Int>) throws {
        guard let core else { throw SRError(.invalidArgument, "\(path): PNG writer already finished or cancelled") }
        do {
            try core.append(strip, rows: rows)
        } catch {
            cancel()
            throw error
        }
    }

    /// Finishes the PNG (all `height` rows must have been appended) and renames it into place.
    public func finish() throws {
        guard let core else { throw SRError(.invalidArgument, "\(path): PNG writer already finished or cancelled") }
        do {
            try core.finishFile()
            self.core = nil
            try target.commit()
        } catch {
            cancel()
            throw error
        }
    }

    /// Abandons the output: closes and removes the temporary file. Idempotent.
    public func cancel() {
        core = nil
        target.discard()
    }
}

/// Owns one CImageIO writer (file or memory).
final class PNGWriterCore {
    private var handle: OpaquePointer?
    private let name: String
    private let message = PNGMessage()
    let width: Int, height: Int, channels: Int, bitDepth: Int
    private(set) var rowsWritten = 0

    /// `path == nil` encodes to memory.
    init(path: String?, name: String, width: Int, height: Int, channels: Int, bitDepth: Int,
         compressionLevel: Int, metadata: ImageMetadata = .none) throws {
        self.name = name
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        guard (1...4).contains(channels) else {
            throw SRError(.invalidArgument, "\(name): PNG needs 1...4 channels, got \(channels)")
        }
        guard bitDepth == 8 || bitDepth == 16 else {
            throw SRError(.invalidArgument, "\(name): PNG bit depth must be 8 or 16, got \(bitDepth)")
        }
        guard width > 0, height > 0, width < Int(Int32.max), height < Int(Int32.max) else {
            throw SRError(.invalidArgument, "\(name): invalid PNG size \(width)x\(height)")
        }
        var p = srpng_write_params()
        p.width = UInt32(width)
        p.height = UInt32(height)
        p.color_type = [0, 0, 4, 2, 6][channels]
        p.bit_depth = Int32(bitDepth)
        p.interlaced = 0
        p.compression_level = Int32(max(-1, min(9, compressionLevel)))
        var h: OpaquePointer?
        let rc: Int32
        let profile = metadata.icc ?? []
        if let s = metadata.srgbIntent { p.has_srgb = 1; p.srgb_intent = Int32(s) }
        p.gamma = Int32(clamping: metadata.gamma ?? 0)
        // NUL-terminated copies of the text chunks' strings, alive for the open call.
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { owned.forEach { free($0) } }
        func cString(_ b: [UInt8]) -> UnsafePointer<CChar> {
            let m = malloc(b.count + 1)!.assumingMemoryBound(to: CChar.self)
            b.withUnsafeBytes { if let base = $0.baseAddress { memcpy(m, base, b.count) } }
            m[b.count] = 0
            owned.append(m)
            return UnsafePointer(m)
        }
        // A byte 0 would end the C string early: such text is cut there, as libpng reads it anyway.
        let text = metadata.pngText.map { t in
            srpng_text(compression: t.kind.rawValue, key: cString(t.keyword), text: cString(t.text),
                       lang: t.language.isEmpty ? nil : cString(t.language),
                       lang_key: t.translatedKeyword.isEmpty ? nil : cString(t.translatedKeyword))
        }
        rc = profile.withUnsafeBufferPointer { icc in
            text.withUnsafeBufferPointer { texts in
                p.icc = icc.baseAddress
                p.icc_size = icc.count
                p.text = texts.baseAddress
                p.text_count = Int32(texts.count)
                if let path { return srpng_writer_open_file(path, &p, &h, message.buffer, PNGMessage.capacity) }
                return srpng_writer_open_memory(&p, &h, message.buffer, PNGMessage.capacity)
            }
        }
        if rc != 0 { throw message.error(rc, name) }
        handle = h
    }

    deinit { srpng_writer_free(handle) }

    func append(_ strip: Image, rows: Range<Int>) throws {
        guard strip.width == width, strip.channels == channels, rows.lowerBound >= 0, rows.upperBound <= strip.height
        else {
            throw SRError(.shapeMismatch, "\(name): strip \(strip.width)x\(strip.height)x\(strip.channels) rows \(rows) "
                          + "does not fit a \(width)-wide \(channels)-channel PNG")
        }
        guard rows.count <= height - rowsWritten else {
            throw SRError(.invalidArgument, "\(name): more than \(height) rows appended")
        }
        let rowBytes = PNGSamples.rowBytes(width: width, channels: channels, bitDepth: bitDepth)
        let chunk = max(1, min(rows.count, (1 << 20) / rowBytes))
        let buf = UnsafeMutableRawPointer.allocate(byteCount: rowBytes * chunk, alignment: 16)
        defer { buf.deallocate() }
        var y = rows.lowerBound
        while y < rows.upperBound {
            let n = min(chunk, rows.upperBound - y)
            PNGSamples.pack(strip, y0: y, rows: n, bitDepth: bitDepth, into: buf)
            let rc = srpng_writer_write_rows(handle, buf, UInt32(n), message.buffer, PNGMessage.capacity)
            if rc != 0 { throw message.error(rc, name) }
            y += n
            rowsWritten += n
        }
    }

    func finishFile() throws {
        guard rowsWritten == height else {
            throw SRError(.invalidArgument, "\(name): only \(rowsWritten) of \(height) rows were written")
        }
        let rc = srpng_writer_finish(handle, message.buffer, PNGMessage.capacity)
        if rc != 0 { throw message.error(rc, name) }
    }

    func finishToMemory() throws -> [UInt8] {
        try finishFile()
        var size = 0
        guard let p = srpng_writer_memory(handle, &size) else { return [] }
        return Array(UnsafeBufferPointer(start: p, count: size))
    }
}
