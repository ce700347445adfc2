import SRSupport
import SRImage

/// The per-image error maps of `sr diagnose` (docs/lab.md, "Diagnose"): |SR − HR| and
/// |bicubic − HR| on luma, as one RGB picture, SR's map on the left, bicubic's on the right,
/// `gap` white columns between, both on one colour scale.
///
/// Colour scale: an error e (0...255 luma units; SR and bicubic clipped to 0...255 first, HR the
/// double luma) maps to t = min(1, e / scaleMax), with scaleMax the largest error of the two maps
/// (at least 1), then to the "hot" ramp r = 255·clamp(3t), g = 255·clamp(3t − 1),
/// b = 255·clamp(3t − 2): black (no error), red, yellow, white (scaleMax), rounded half to even.
public enum ErrorHeatMap {
    /// White columns between the two maps.
    public static let gap = 4

    /// The errors |clip(output, 0, 255) − truth| of one map.
    public static func errors(output: [Float], truth: [Double]) -> [Double] {
        zip(output, truth).map { abs(Swift.min(255, Swift.max(0, Double($0))) - $1) }
    }

    /// The shared scale maximum of two error maps (their largest value, at least 1).
    public static func scaleMax(_ a: [Double], _ b: [Double]) -> Double {
        Swift.max(1, a.max() ?? 0, b.max() ?? 0)
    }

    /// The hot-ramp colour (0...255 per channel, unrounded) of error `e` on scale `scaleMax`.
    public static func colour(_ e: Double, scaleMax: Double) -> (r: Double, g: Double, b: Double) {
        let t = Swift.min(1, Swift.max(0, e / scaleMax))
        func ramp(_ v: Double) -> Double { 255 * Swift.min(1, Swift.max(0, v)) }
        return (ramp(3 * t), ramp(3 * t - 1), ramp(3 * t - 2))
    }

    /// The side-by-side RGB picture of two `width` x `height` error maps on one scale.
    /// - Throws: `.shapeMismatch` when a map does not hold `width * height` values.
    public static func picture(sr: [Double], bicubic: [Double], width: Int, height: Int,
                               scaleMax: Double) throws -> Image {
        guard width >= 1, height >= 1, sr.count == width * height, bicubic.count == width * height else {
            throw SRError(.shapeMismatch, "error map: \(sr.count) and \(bicubic.count) values for \(width)x\(height)")
        }
        let w = 2 * width + gap
        var img = Image(width: w, height: height, channels: 3, value: 255)
        let n = w * height
        for (map, x0) in [(sr, 0), (bicubic, width + gap)] {
            for y in 0..<height {
                for x in 0..<width {
                    let c = colour(map[y * width + x], scaleMax: scaleMax)
                    let o = y * w + x0 + x
                    img.pixels[o] = Float(c.r)
                    img.pixels[n + o] = Float(c.g)
                    img.pixels[2 * n + o] = Float(c.b)
                }
            }
        }
        return img
    }
}
