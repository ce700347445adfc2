import SRSupport

/// The row loops the 8-bit C codecs share (JPEG, WebP): rows move through a buffer of about 1 MiB at a
/// time, unpacked into planar `image` rows after `read`, or packed from a planar strip before `write`.
enum InterleavedRows {
    /// Packs `strip` (8-bit interleaved, `rowBytes` a row) a chunk at a time and hands each chunk and its
    /// row count to `write`.
    static func pack(_ strip: Image, rowBytes: Int, _ write: (UnsafeMutablePointer<UInt8>, Int) throws -> Void) throws {
        let chunk = max(1, min(strip.height, (1 << 20) / max(rowBytes, 1)))
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, rowBytes * chunk))
        defer { buf.deallocate() }
        var y = 0
        while y < strip.height {
            let n = min(chunk, strip.height - y)
            PNGSamples.pack(strip, y0: y, rows: n, bitDepth: 8, into: UnsafeMutableRawPointer(buf))
            try write(buf, n)
            y += n
        }
    }

    /// `read(buffer, rows)` returns a CImageIO status; a failure becomes `message`'s error naming `name`.
    static func read(_ count: Int, rowBytes: Int, into image: inout Image, at y0: Int, name: String,
                     message: PNGMessage, _ read: (UnsafeMutablePointer<UInt8>, UInt32) -> Int32) throws {
        let chunk = max(1, min(count, (1 << 20) / max(rowBytes, 1)))
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: max(rowBytes * chunk, 1))
        defer { buf.deallocate() }
        var done = 0
        while done < count {
            let n = min(chunk, count - done)
            let rc = read(buf, UInt32(n))
            if rc != 0 { throw message.error(rc, name) }
            PNGSamples.unpack(UnsafeRawPointer(buf), rows: n, bitDepth: 8, into: &image, y0: y0 + done)
            done += n
        }
    }
}
