import CModels
import SRCore

/// The pixel formats of include/srcore.h (`enum sr_format`).
enum PixelFormat: Int32 {
    case yF32 = 1, gray8, gray16, grayA8, grayA16, rgb8, rgb16, rgba8, rgba16

    /// Interleaved samples per pixel.
    var channels: Int {
        switch self {
        case .yF32, .gray8, .gray16: return 1
        case .grayA8, .grayA16: return 2
        case .rgb8, .rgb16: return 3
        case .rgba8, .rgba16: return 4
        }
    }

    /// Bytes per sample: 4 (float), 1 or 2.
    var sampleBytes: Int {
        switch self {
        case .yF32: return 4
        case .gray8, .grayA8, .rgb8, .rgba8: return 1
        case .gray16, .grayA16, .rgb16, .rgba16: return 2
        }
    }

    var bytesPerPixel: Int { channels * sampleBytes }

    /// The `enum sr_format` name without its prefix ("RGBA8").
    var name: String {
        switch self {
        case .yF32: return "Y_F32"
        case .gray8: return "GRAY8"
        case .gray16: return "GRAY16"
        case .grayA8: return "GRAYA8"
        case .grayA16: return "GRAYA16"
        case .rgb8: return "RGB8"
        case .rgb16: return "RGB16"
        case .rgba8: return "RGBA8"
        case .rgba16: return "RGBA16"
        }
    }

    /// The message for a stride shorter than a row: when the stride is exactly a row of another
    /// format (RGB8 data passed as RGBA8, say), that mismatch is the likely mistake, so say so.
    static func shortStride(_ role: String, format: PixelFormat, width w: Int, stride: Int, rowBytes: Int) -> String {
        let others = [PixelFormat.rgb8, .rgba8, .rgb16, .rgba16, .gray8, .grayA8, .gray16, .grayA16, .yF32]
            .filter { $0 != format && $0.bytesPerPixel * w == stride }
        let other = others.first { $0.sampleBytes == format.sampleBytes } ?? others.first
        guard let other else {
            return "\(role): stride \(stride) bytes is smaller than a row of \(w) pixels (\(rowBytes) bytes)"
        }
        return "\(role): format/channel mismatch: the format is \(format.name) (\(format.channels) channels, \(rowBytes) bytes a row of \(w) pixels) but the stride, \(stride) bytes, is a row of \(w) \(other.name) pixels (\(other.channels) channels); is the format right?"
    }

    /// PNG bit depth of the integer formats (8 or 16); 32 for float luma.
    var bitDepth: Int { sampleBytes * 8 }

    /// The format, or `unsupported` naming the value.
    static func checked(_ raw: Int32, _ role: String) throws -> PixelFormat {
        guard let f = PixelFormat(rawValue: raw) else {
            throw SRError(.unsupported, "\(role): unknown pixel format \(raw) (expected 1...9, see enum sr_format)")
        }
        return f
    }
}

/// A caller's `sr_image`, validated: every access below stays inside `[base, base + span)`.
struct PixelBuffer {
    let format: PixelFormat
    let width: Int
    let height: Int
    let stride: Int
    let base: UnsafeMutableRawPointer
    /// Bytes of one row of pixels.
    let rowBytes: Int
    /// Bytes from the first to one past the last byte touched.
    let span: Int

    /// Validates `image` (named `role` in messages): non-NULL, known format, positive sizes, data,
    /// a stride that holds a row, alignment of float/16-bit samples, no address overflow.
    init(_ image: UnsafePointer<sr_image>?, role: String) throws {
        guard let image else { throw invalid("\(role) is NULL") }
        let d = image.pointee
        let format = try PixelFormat.checked(d.format, role)
        let w = Int(d.width), h = Int(d.height)
        guard w > 0, h > 0 else { throw invalid("\(role): size \(w)x\(h) must be positive") }
        guard let base = d.data else { throw invalid("\(role): data is NULL") }
        let stride = d.stride // size_t: a huge value reads as negative here
        guard stride >= 0 else { throw invalid("\(role): stride \(UInt(bitPattern: stride)) overflows") }
        let rowBytes = try Checked.mul(w, format.bytesPerPixel, "\(role): row of \(w) pixels")
        guard stride >= rowBytes else {
            throw invalid(PixelFormat.shortStride(role, format: format, width: w, stride: stride, rowBytes: rowBytes))
        }
        let span = try Checked.add(Checked.mul(stride, h - 1, "\(role): \(h) rows of \(stride) bytes"), rowBytes,
                                   "\(role): buffer size")
        let address = UInt(bitPattern: base)
        guard address <= UInt.max - UInt(span) else { throw invalid("\(role): buffer wraps around the address space") }
        let align = format.sampleBytes == 1 ? 1 : format.sampleBytes
        guard stride % align == 0, address % UInt(align) == 0 else {
            throw invalid("\(role): \(format.sampleBytes * 8)-bit samples need data and stride aligned to \(align) bytes (stride \(stride))")
        }
        self.format = format
        self.width = w
        self.height = h
        self.stride = stride
        self.base = base
        self.rowBytes = rowBytes
        self.span = span
    }

    /// Whether the byte ranges of two buffers intersect.
    func overlaps(_ other: PixelBuffer) -> Bool {
        let a = UInt(bitPattern: base), b = UInt(bitPattern: other.base)
        return a < b + UInt(other.span) && b < a + UInt(span)
    }

    /// The pixels as planar floats on the 0...255 scale, the way srcore decodes PNGs (PNGSamples.unpack):
    /// 8-bit samples as they are, 16-bit samples divided by 257, float luma as it is.
    func planes() -> Image {
        let w = width, h = height, ch = format.channels
        var pixels = [Float](repeating: 0, count: w * h * ch)
        pixels.withUnsafeMutableBufferPointer { out in
            guard let o = out.baseAddress else { return }
            for y in 0..<h {
                let row = UnsafeRawPointer(base + y * stride)
                switch format.sampleBytes {
                case 4:
                    // Rows may be unaligned only for 1-byte formats; floats are checked aligned.
                    let s = row.assumingMemoryBound(to: Float.self)
                    for x in 0..<w { o[y * w + x] = s[x] }
                case 2:
                    let s = row.assumingMemoryBound(to: UInt16.self)
                    for c in 0..<ch {
                        let d = o + (c * h + y) * w
                        for x in 0..<w { d[x] = Float(s[x * ch + c]) / 257 }
                    }
                default:
                    let s = row.assumingMemoryBound(to: UInt8.self)
                    for c in 0..<ch {
                        let d = o + (c * h + y) * w
                        for x in 0..<w { d[x] = Float(s[x * ch + c]) }
                    }
                }
            }
        }
        return Image(width: w, height: h, channels: ch, pixels: pixels)
    }

    /// Writes planar 0...255 floats into the buffer: float luma as it is; integer formats rounded
    /// half to even and clipped with `PNGSamples.quantize8/16`, the rule of srcore's PNG writer. `image` must match the
    /// buffer's size and channels (checked by the caller).
    func store(_ image: Image) {
        let w = width, h = height, ch = format.channels
        image.pixels.withUnsafeBufferPointer { inp in
            guard let i = inp.baseAddress else { return }
            for y in 0..<h {
                let row = base + y * stride
                switch format.sampleBytes {
                case 4:
                    let d = row.assumingMemoryBound(to: Float.self)
                    for x in 0..<w { d[x] = i[y * w + x] }
                case 2:
                    let d = row.assumingMemoryBound(to: UInt16.self)
                    for c in 0..<ch {
                        let s = i + (c * h + y) * w
                        for x in 0..<w { d[x * ch + c] = PNGSamples.quantize16(s[x]) }
                    }
                default:
                    let d = row.assumingMemoryBound(to: UInt8.self)
                    for c in 0..<ch {
                        let s = i + (c * h + y) * w
                        for x in 0..<w { d[x * ch + c] = PNGSamples.quantize8(s[x]) }
                    }
                }
            }
        }
    }
}

/// Overflow-checked size arithmetic that reports instead of trapping.
enum Checked {
    static func mul(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        guard !o, r >= 0 else { throw invalid("\(what()) overflows") }
        return r
    }

    static func add(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        guard !o, r >= 0 else { throw invalid("\(what()) overflows") }
        return r
    }
}
