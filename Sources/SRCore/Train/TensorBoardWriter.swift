#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval

/// Writes TensorBoard event files natively: TFRecord framing (length, masked CRC32C of the length,
/// payload, masked CRC32C of the payload) around hand-encoded `tensorflow.Event` protobufs carrying
/// scalar, histogram and PNG image summaries.
public final class TensorBoardWriter {
    /// The event file's path.
    public let path: String
    private var file: UnsafeMutablePointer<FILE>?
    /// The first failure since the last `flush()`: records are written without throwing (the
    /// training loop logs many per step) and `flush()` reports what went wrong.
    private var failure: SRError?

    /// Creates `events.out.tfevents.<time>.srcore` in `folder` and writes the file-version event.
    public init(folder: String) throws {
        path = folder + "/events.out.tfevents.\(Int(Clock.wall())).srcore.\(getpid())"
        guard let f = fopen(path, "wb") else { throw SRError(.io, "cannot create the event file", path: path, errno: errno) }
        file = f
        var e = ProtoWriter()
        e.double(1, Self.now())
        e.string(3, "brain.Event:2")
        record(e.bytes)
        try flush()
    }

    deinit { if let file { fclose(file) } }

    static func now() -> Double { Clock.wall() }

    /// One TFRecord: u64 length, masked crc32c(length), data, masked crc32c(data).
    static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        let n = UInt64(data.count)
        let len = (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) }
        out += len
        let c1 = CRC32C.masked(CRC32C.checksum(len))
        out += (0..<4).map { UInt8(truncatingIfNeeded: c1 >> (8 * UInt32($0))) }
        out += data
        let c2 = CRC32C.masked(CRC32C.checksum(data))
        out += (0..<4).map { UInt8(truncatingIfNeeded: c2 >> (8 * UInt32($0))) }
        return out
    }

    private func record(_ payload: [UInt8]) {
        guard let file else { return }
        let r = Self.frame(payload)
        let written = r.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, r.count, file) }
        if written != r.count && failure == nil {
            failure = SRError(.io, "cannot write an event record", path: path, errno: errno)
        }
    }

    private func event(step: Int, value: [UInt8]) {
        var summary = ProtoWriter()
        summary.message(1, value)
        var e = ProtoWriter()
        e.double(1, Self.now())
        e.varint(2, UInt64(bitPattern: Int64(step)))
        e.message(5, summary.bytes)
        record(e.bytes)
    }

    /// A scalar summary.
    public func scalar(_ tag: String, _ value: Double, step: Int) {
        var v = ProtoWriter()
        v.string(1, tag)
        v.float(2, Float(value))
        event(step: step, value: v.bytes)
    }

    /// A histogram summary of `values` (30 equal-width buckets).
    public func histogram(_ tag: String, _ values: [Float], step: Int) {
        guard !values.isEmpty else { return }
        var lo = Double(values[0]), hi = lo, sum = 0.0, sq = 0.0
        for x in values {
            let d = Double(x)
            lo = min(lo, d); hi = max(hi, d); sum += d; sq += d * d
        }
        let buckets = 30
        let width = hi > lo ? (hi - lo) / Double(buckets) : 1
        var limits = (1...buckets).map { lo + width * Double($0) }
        limits[buckets - 1] = max(hi, lo + width)
        var counts = [Double](repeating: 0, count: buckets)
        for x in values { counts[min(buckets - 1, max(0, Int((Double(x) - lo) / width)))] += 1 }
        var h = ProtoWriter()
        h.double(1, lo); h.double(2, hi); h.double(3, Double(values.count)); h.double(4, sum); h.double(5, sq)
        h.packedDoubles(6, limits)
        h.packedDoubles(7, counts)
        var v = ProtoWriter()
        v.string(1, tag)
        v.message(5, h.bytes)
        event(step: step, value: v.bytes)
    }

    /// An image summary: `image` (one plane, 0...255) rounded, clipped and PNG-encoded.
    public func image(_ tag: String, _ image: Image, step: Int) {
        var img = image.plane(0)
        for i in img.pixels.indices { img.pixels[i] = min(255, max(0, img.pixels[i].rounded(.toNearestOrEven))) }
        let png: [UInt8]
        do { png = try PNGCodec.encode(PNGImage(image: img, bitDepth: 8), bitDepth: 8) } catch {
            if failure == nil { failure = error as? SRError ?? SRError(.internal, "image \(tag): \(error)") }
            return
        }
        var im = ProtoWriter()
        im.varint(1, UInt64(img.height)); im.varint(2, UInt64(img.width)); im.varint(3, 1)
        im.bytes(4, png)
        var v = ProtoWriter()
        v.string(1, tag)
        v.message(4, im.bytes)
        event(step: step, value: v.bytes)
    }

    /// Flushes buffered records to disk; reports the first record that could not be written
    /// since the last flush.
    public func flush() throws {
        if let f = failure { failure = nil; throw f }
        guard let file else { return }
        guard fflush(file) == 0 else { throw SRError(.io, "cannot write the event file", path: path, errno: errno) }
    }
}

/// A minimal protobuf encoder (the field types the event files need).
struct ProtoWriter {
    var bytes: [UInt8] = []

    mutating func rawVarint(_ v: UInt64) {
        var x = v
        while x >= 0x80 { bytes.append(UInt8(x & 0x7F) | 0x80); x >>= 7 }
        bytes.append(UInt8(x))
    }
    mutating func tag(_ field: Int, _ wire: Int) { rawVarint(UInt64(field << 3 | wire)) }
    mutating func varint(_ field: Int, _ v: UInt64) { tag(field, 0); rawVarint(v) }
    mutating func double(_ field: Int, _ v: Double) {
        tag(field, 1)
        let b = v.bitPattern
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: b >> (8 * UInt64(i)))) }
    }
    mutating func float(_ field: Int, _ v: Float) {
        tag(field, 5)
        let b = v.bitPattern
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: b >> (8 * UInt32(i)))) }
    }
    mutating func bytes(_ field: Int, _ v: [UInt8]) { tag(field, 2); rawVarint(UInt64(v.count)); bytes += v }
    mutating func string(_ field: Int, _ s: String) { bytes(field, Array(s.utf8)) }
    mutating func message(_ field: Int, _ m: [UInt8]) { bytes(field, m) }
    mutating func packedDoubles(_ field: Int, _ v: [Double]) {
        var inner = ProtoWriter()
        for d in v {
            let b = d.bitPattern
            for i in 0..<8 { inner.bytes.append(UInt8(truncatingIfNeeded: b >> (8 * UInt64(i)))) }
        }
        bytes(field, inner.bytes)
    }
}
