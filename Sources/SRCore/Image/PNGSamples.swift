import SRSupport
/// Conversion between interleaved PNG samples (UInt8 / host-order UInt16) and planar float rows.
/// `quantize8` / `quantize16` are the one rounding rule of every srcore output (PNG writer, C API).
public enum PNGSamples {
    /// Bytes per interleaved row.
    static func rowBytes(width: Int, channels: Int, bitDepth: Int) -> Int {
        width * channels * (bitDepth == 16 ? 2 : 1)
    }

    /// Scatters `rows` interleaved rows from `src` into planar `dst` starting at image row `y0`.
    /// 8-bit samples are stored as they are; 16-bit samples are divided by 257 (float division,
    /// correctly rounded).
    static func unpack(_ src: UnsafeRawPointer, rows: Int, bitDepth: Int, into dst: inout Image, y0: Int) {
        let w = dst.width, h = dst.height, ch = dst.channels
        dst.pixels.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            if bitDepth == 16 {
                let s = src.assumingMemoryBound(to: UInt16.self)
                for r in 0..<rows {
                    let srow = s + r * w * ch
                    for c in 0..<ch {
                        let drow = o + (c * h + y0 + r) * w
                        for x in 0..<w { drow[x] = Float(srow[x * ch + c]) / 257 }
                    }
                }
            } else {
                let s = src.assumingMemoryBound(to: UInt8.self)
                for r in 0..<rows {
                    let srow = s + r * w * ch
                    for c in 0..<ch {
                        let drow = o + (c * h + y0 + r) * w
                        for x in 0..<w { drow[x] = Float(srow[x * ch + c]) }
                    }
                }
            }
        }
    }

    /// Rounds (half to even) and clips a 0...255-scale sample to 8 bits. NaN gives 0.
    @inlinable public static func quantize8(_ v: Float) -> UInt8 {
        if !(v > 0) { return 0 }
        if v >= 255 { return 255 }
        return UInt8(v.rounded(.toNearestOrEven))
    }

    /// Scales a 0...255-scale sample by 257, rounds (half to even) and clips to 16 bits. NaN gives 0.
    @inlinable public static func quantize16(_ v: Float) -> UInt16 {
        let d = Double(v) * 257
        if !(d > 0) { return 0 }
        if d >= 65535 { return 65535 }
        return UInt16(d.rounded(.toNearestOrEven))
    }

    /// Gathers rows `[y0, y0 + rows)` of planar `src` into interleaved samples at `dst`
    /// (`rows * rowBytes` bytes), rounded and clipped to `bitDepth`.
    static func pack(_ src: Image, y0: Int, rows: Int, bitDepth: Int, into dst: UnsafeMutableRawPointer) {
        let w = src.width, h = src.height, ch = src.channels
        src.pixels.withUnsafeBufferPointer { inp in
            let i = inp.baseAddress!
            if bitDepth == 16 {
                let d = dst.assumingMemoryBound(to: UInt16.self)
                for r in 0..<rows {
                    let drow = d + r * w * ch
                    for c in 0..<ch {
                        let srow = i + (c * h + y0 + r) * w
                        for x in 0..<w { drow[x * ch + c] = quantize16(srow[x]) }
                    }
                }
            } else {
                let d = dst.assumingMemoryBound(to: UInt8.self)
                for r in 0..<rows {
                    let drow = d + r * w * ch
                    for c in 0..<ch {
                        let srow = i + (c * h + y0 + r) * w
                        for x in 0..<w { drow[x * ch + c] = quantize8(srow[x]) }
                    }
                }
            }
        }
    }
}
