import SRSupport

/// The row loop the 8-bit C decoders share (JPEG, WebP): rows come from `read` into a buffer of about
/// 1 MiB at a time and are unpacked into planar `image` rows `[y0, y0 + count)`.
enum InterleavedRows {
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
