import SRSupport
/// Precomputed resampling coefficients for one axis, in Pillow's layout: output index `o` reads
/// inputs `bounds[2o] ..< bounds[2o] + bounds[2o+1]` with weights `weights[o * ksize ...]`.
public struct ResampleAxis: Sendable {
    /// Input length.
    public let inSize: Int
    /// Output length.
    public let outSize: Int
    /// Stride of `weights` per output index.
    public let ksize: Int
    /// `(first input index, tap count)` per output index.
    package let bounds: [Int32]
    /// Normalised double weights.
    package let weights: [Double]
    /// Weights in 22-bit fixed point, rounded half away from zero (Pillow's 8-bit path).
    let fixedWeights: [Int32]
    /// Lowest input index any output reads (may be negative for padded kernels).
    let minInput: Int
    /// One past the highest input index any output reads.
    let maxInput: Int

    /// Whether the axis is the identity (same size, Pillow skips the pass).
    public var isIdentity: Bool { inSize == outSize && isPillow }
    private let isPillow: Bool

    /// Keys cubic, a = -0.5, evaluated exactly as Pillow's `bicubic_filter`.
    @inline(__always) static func pillowCubic(_ t: Double) -> Double {
        let a = -0.5
        let x = t < 0 ? -t : t
        if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
        if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0.0
    }

    /// Pillow's bicubic coefficients (`precompute_coeffs` in Resample.c): support 2 stretched by
    /// the scale when downscaling, taps outside the input dropped and the rest renormalised.
    public static func pillowBicubic(inSize: Int, outSize: Int) -> ResampleAxis {
        if inSize <= 0 || outSize <= 0 { return empty(inSize: inSize, isPillow: true) }
        let scale = Double(inSize) / Double(outSize)
        let filterscale = max(scale, 1.0)
        let support = 2.0 * filterscale
        let ksize = Int(support.rounded(.up)) * 2 + 1
        var bounds = [Int32](repeating: 0, count: 2 * outSize)
        var kk = [Double](repeating: 0, count: outSize * ksize)
        let ss = 1.0 / filterscale
        for o in 0..<outSize {
            let center = (Double(o) + 0.5) * scale
            var ww = 0.0
            let xmin = max(0, Int(center - support + 0.5))
            let xmax = min(inSize, Int(center + support + 0.5)) - xmin
            for x in 0..<max(xmax, 0) {
                let w = pillowCubic((Double(x + xmin) - center + 0.5) * ss)
                kk[o * ksize + x] = w
                ww += w
            }
            if ww != 0.0 {
                for x in 0..<max(xmax, 0) { kk[o * ksize + x] /= ww }
            }
            bounds[2 * o] = Int32(xmin)
            bounds[2 * o + 1] = Int32(max(xmax, 0))
        }
        return ResampleAxis(inSize: inSize, outSize: outSize, ksize: ksize, bounds: bounds, weights: kk, isPillow: true)
    }

    /// MATLAB `imresize` bicubic coefficients (cubic a = -0.5, antialiasing when downscaling) in
    /// the coordinates of an input padded symmetrically (`minInput` may be negative, `maxInput`
    /// may exceed `inSize`: map with `symmetricIndex`).
    public static func matlabBicubic(inSize: Int, outSize: Int) -> ResampleAxis {
        if inSize <= 0 || outSize <= 0 { return empty(inSize: inSize, isPillow: false) }
        let scale = Double(outSize) / Double(inSize)
        var kernelWidth = 4.0
        let antialias = scale < 1
        if antialias { kernelWidth /= scale }
        let taps = Int(kernelWidth.rounded(.up)) + 2
        func cubic(_ x: Double) -> Double {
            let ax = abs(x), ax2 = ax * ax, ax3 = ax2 * ax
            if ax <= 1 { return 1.5 * ax3 - 2.5 * ax2 + 1 }
            if ax <= 2 { return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2 }
            return 0
        }
        var bounds = [Int32](repeating: 0, count: 2 * outSize)
        var kk = [Double](repeating: 0, count: outSize * taps)
        for o in 0..<outSize {
            let x = Double(o + 1)
            let u = x / scale + 0.5 * (1 - 1 / scale)
            let left = Int((u - kernelWidth / 2).rounded(.down))   // 1-based
            var sum = 0.0
            for t in 0..<taps {
                let d = u - Double(left + t)
                let w = antialias ? scale * cubic(scale * d) : cubic(d)
                kk[o * taps + t] = w
                sum += w
            }
            for t in 0..<taps { kk[o * taps + t] /= sum }
            bounds[2 * o] = Int32(left - 1)   // 0-based, padded coordinates
            bounds[2 * o + 1] = Int32(taps)
        }
        return ResampleAxis(inSize: inSize, outSize: outSize, ksize: taps, bounds: bounds, weights: kk, isPillow: false)
    }

    /// An axis with no outputs (a zero-length result).
    private static func empty(inSize: Int, isPillow: Bool) -> ResampleAxis {
        ResampleAxis(inSize: max(0, inSize), outSize: 0, ksize: 0, bounds: [], weights: [], isPillow: isPillow)
    }

    private init(inSize: Int, outSize: Int, ksize: Int, bounds: [Int32], weights: [Double], isPillow: Bool) {
        self.inSize = inSize
        self.outSize = outSize
        self.ksize = ksize
        self.bounds = bounds
        self.weights = weights
        self.isPillow = isPillow
        fixedWeights = weights.map { w in
            let s = w * Double(1 << 22)
            return Int32(w < 0 ? -0.5 + s : 0.5 + s)
        }
        var lo = Int.max, hi = Int.min
        for o in 0..<outSize {
            lo = min(lo, Int(bounds[2 * o]))
            hi = max(hi, Int(bounds[2 * o]) + Int(bounds[2 * o + 1]))
        }
        minInput = outSize > 0 ? lo : 0
        maxInput = outSize > 0 ? hi : 0
    }

    /// The input index range read by outputs `range` (empty range gives an empty result).
    func inputRange(of range: Range<Int>) -> Range<Int> {
        if range.isEmpty { return 0..<0 }
        if isIdentity { return range }
        var lo = Int.max, hi = Int.min
        for o in range {
            lo = min(lo, Int(bounds[2 * o]))
            hi = max(hi, Int(bounds[2 * o]) + Int(bounds[2 * o + 1]))
        }
        return lo..<hi
    }

    /// MATLAB's symmetric padding: maps any index into `0..<n` (`[0..n-1, n-1..0]` repeated).
    static func symmetricIndex(_ i: Int, _ n: Int) -> Int {
        let period = 2 * n
        var m = i % period
        if m < 0 { m += period }
        return m < n ? m : period - 1 - m
    }
}
