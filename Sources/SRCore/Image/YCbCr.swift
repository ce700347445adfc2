import SRSupport
/// BT.601 "studio swing" colour conversion exactly as the reference computes it (docs/reference.md §6):
/// `Y = 16 + (65.738 R + 129.057 G + 25.064 B) / 256` in double, evaluated in the reference's
/// operation order (`R*(65.738/256) + G*(129.057/256) + B*(25.064/256) + 16`), so luma of an
/// 8-bit image is bit-identical to the reference's float64 `hr_y`.
///
/// Images with 1 or 2 channels are gray: their first plane is Y as it is. With 3 or 4 channels the
/// first three planes are R, G, B (alpha, if any, is ignored). Samples are on the 0...255 scale.
public enum YCbCr {
    static let yR = 65.738 / 256.0, yG = 129.057 / 256.0, yB = 25.064 / 256.0
    static let cbR = -37.945 / 256.0, cbG = -74.494 / 256.0, cbB = 112.439 / 256.0
    static let crR = 112.439 / 256.0, crG = -94.154 / 256.0, crB = -18.285 / 256.0
    static let rY = 298.082 / 256.0, rCr = 408.583 / 256.0
    static let gCb = -100.291 / 256.0, gCr = -208.120 / 256.0
    static let bCb = 516.412 / 256.0

    /// Luma in double precision (the PSNR ground truth), row-major `height * width` values.
    public static func lumaDouble(_ image: Image) -> [Double] {
        let n = image.planeSize
        if image.channels < 3 { return image.pixels[0..<n].map { Double($0) } }
        return image.pixels.withUnsafeBufferPointer { p in
            [Double](unsafeUninitializedCapacity: n) { out, count in
                let r = p.baseAddress!, g = r + n, b = g + n
                for i in 0..<n {
                    out[i] = Double(r[i]) * yR + Double(g[i]) * yG + Double(b[i]) * yB + 16
                }
                count = n
            }
        }
    }

    /// Luma as a one-plane float image: the double value rounded to float32 (what Pillow's mode
    /// "F" and the network see).
    public static func luma(_ image: Image) -> Image {
        if image.channels < 3 { return image.plane(0) }
        return Image(width: image.width, height: image.height, channels: 1,
                     pixels: lumaDouble(image).map { Float($0) })
    }

    /// Y, Cb, Cr planes (float32 of the double values) of an RGB(A) image; a gray image gives its
    /// single Y plane.
    public static func fromRGB(_ image: Image) -> Image {
        if image.channels < 3 { return image.plane(0) }
        let n = image.planeSize
        var out = Image(width: image.width, height: image.height, channels: 3)
        image.pixels.withUnsafeBufferPointer { p in
            out.pixels.withUnsafeMutableBufferPointer { o in
                let r = p.baseAddress!, g = r + n, b = g + n
                let y = o.baseAddress!, cb = y + n, cr = cb + n
                for i in 0..<n {
                    let rr = Double(r[i]), gg = Double(g[i]), bb = Double(b[i])
                    y[i] = Float(rr * yR + gg * yG + bb * yB + 16)
                    cb[i] = Float(rr * cbR + gg * cbG + bb * cbB + 128)
                    cr[i] = Float(rr * crR + gg * crG + bb * crB + 128)
                }
            }
        }
        return out
    }

    /// R, G, B planes from Y, Cb, Cr planes (computed in double, stored as float, not clipped).
    public static func toRGB(_ ycbcr: Image) -> Image {
        precondition(ycbcr.channels == 3, "toRGB needs three planes (Y, Cb, Cr)")
        let n = ycbcr.planeSize
        var out = Image(width: ycbcr.width, height: ycbcr.height, channels: 3)
        ycbcr.pixels.withUnsafeBufferPointer { p in
            out.pixels.withUnsafeMutableBufferPointer { o in
                toRGB(y: p.baseAddress!, cb: p.baseAddress! + n, cr: p.baseAddress! + 2 * n,
                      r: o.baseAddress!, g: o.baseAddress! + n, b: o.baseAddress! + 2 * n, count: n)
            }
        }
        return out
    }

    /// Pointer form of `toRGB(_:)` for strips.
    package static func toRGB(y: UnsafePointer<Float>, cb: UnsafePointer<Float>, cr: UnsafePointer<Float>,
                      r: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>,
                      count n: Int) {
        for i in 0..<n {
            let yy = Double(y[i]) - 16, u = Double(cb[i]) - 128, v = Double(cr[i]) - 128
            r[i] = Float(yy * rY + v * rCr)
            g[i] = Float(yy * rY + u * gCb + v * gCr)
            b[i] = Float(yy * rY + u * bCb)
        }
    }
}
