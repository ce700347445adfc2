import CImageIO
#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRFormats
import SRModel

/// PSNR and SSIM of one image pair.
public struct QualityScore: Equatable, Sendable {
    /// Peak signal-to-noise ratio in dB (`+infinity` for identical images).
    public var psnr: Double
    /// Mean structural similarity.
    public var ssim: Double

    /// Creates a score.
    public init(psnr: Double, ssim: Double) {
        self.psnr = psnr
        self.ssim = ssim
    }
}

/// The reference's image-quality procedure (docs/reference.md §9): both images are rounded half to even,
/// clipped to 0...255, `border` pixels are shaved from every side, then skimage's PSNR
/// (data range 255) and SSIM (Gaussian window 11 taps, sigma 1.5, sample covariance 121/120,
/// K1 0.01, K2 0.03, 5-pixel crop) are computed on the single (luma) plane.
public enum Metrics {
    /// `rint` (half to even) and clip to 0...255, stored as float (exact integers).
    public static func quantize<T: BinaryFloatingPoint>(_ v: [T]) -> [Float] {
        v.map { x in
            let r = x.rounded(.toNearestOrEven)
            if !(r > 0) { return 0 }   // also NaN
            return r >= 255 ? 255 : Float(r)
        }
    }

    /// Scores `output` (float32 network output or bicubic) against the ground truth `truth`
    /// (float64 luma), both row-major `height x width`.
    /// - Throws: `.shapeMismatch` when the sizes do not match; `.invalidArgument` when the shaved
    ///   image is smaller than SSIM's 11x11 window (skimage refuses such images too).
    public static func evaluate(truth: [Double], output: [Float], width: Int, height: Int, border: Int) throws -> QualityScore {
        guard width >= 0, height >= 0, border >= 0, truth.count == width * height, output.count == width * height else {
            throw SRError(.shapeMismatch, "cannot score \(output.count) samples against \(truth.count) of a \(width)x\(height) image")
        }
        let (a, w, h) = shave(quantize(truth), width: width, height: height, border: border)
        let (b, _, _) = shave(quantize(output), width: width, height: height, border: border)
        return QualityScore(psnr: try psnr(a, b), ssim: try ssim(a, b, width: w, height: h))
    }

    /// Scores plane 0 of `output` against plane 0 of `truth` (same size).
    public static func evaluate(truth: Image, output: Image, border: Int) throws -> QualityScore {
        guard truth.width == output.width, truth.height == output.height else {
            throw SRError(.shapeMismatch, "cannot score a \(output.width)x\(output.height) image against a \(truth.width)x\(truth.height) one")
        }
        let n = truth.planeSize
        return try evaluate(truth: truth.pixels[0..<n].map { Double($0) }, output: Array(output.pixels[0..<n]),
                        width: truth.width, height: truth.height, border: border)
    }

    /// Removes `border` rows and columns from every side.
    static func shave(_ v: [Float], width: Int, height: Int, border: Int) -> ([Float], Int, Int) {
        if border <= 0 { return (v, width, height) }
        let w = max(0, width - 2 * border), h = max(0, height - 2 * border)
        var out = [Float]()
        out.reserveCapacity(w * h)
        for y in 0..<h {
            let base = (y + border) * width + border
            out.append(contentsOf: v[base..<(base + w)])
        }
        return (out, w, h)
    }

    /// PSNR (dB, data range 255) of two equally sized sample arrays; MSE accumulated in double.
    /// Infinite for identical arrays. Throws `.shapeMismatch` when they are empty or differ in size.
    public static func psnr(_ a: [Float], _ b: [Float]) throws -> Double {
        guard a.count == b.count, !a.isEmpty else {
            throw SRError(.shapeMismatch, "PSNR of \(a.count) against \(b.count) samples")
        }
        var sum = 0.0
        for i in 0..<a.count {
            let d = Double(a[i]) - Double(b[i])
            sum += d * d
        }
        let mse = sum / Double(a.count)
        return 10 * log10(65025.0 / mse)
    }

    /// The 11-tap Gaussian window (sigma 1.5, truncate 3.5), normalised as scipy does.
    static let gaussian: [Double] = {
        let sigma = 1.5
        let raw = (-5...5).map { exp(-0.5 / (sigma * sigma) * Double($0 * $0)) }
        let s = raw.reduce(0, +)
        return raw.map { $0 / s }
    }()

    /// Mean SSIM (skimage `structural_similarity`, gaussian weights) of two `height x width`
    /// arrays, computed in double over the region 5 pixels inside every border.
    /// Throws `.invalidArgument` when the image is smaller than the 11x11 window (skimage refuses
    /// such images) and `.shapeMismatch` when the sizes do not match.
    public static func ssim(_ a: [Float], _ b: [Float], width: Int, height: Int) throws -> Double {
        guard a.count == width * height, b.count == width * height else {
            throw SRError(.shapeMismatch, "SSIM of \(a.count) and \(b.count) samples as a \(width)x\(height) image")
        }
        guard width >= 11, height >= 11 else {
            throw SRError(.invalidArgument, "a \(width)x\(height) image (after shaving) is smaller than SSIM's 11x11 window")
        }
        let c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255)
        return srimg_ssim_mean(a, b, width, height, gaussian, Int32(gaussian.count), 121.0 / 120.0, c1, c2)
    }
}
