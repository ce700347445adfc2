import SRSupport
import SRImage
import SRFormats
/// The regular patch grid of docs/reference.md §11.2.
///
/// LR windows of `lrPatch x lrPatch` at LR stride `stride`, row-major; the HR window of LR
/// window `(y, x)` is the `scale*lrPatch` square at `(scale*y, scale*x)`. An LR image of
/// `h x w` holds `(1 + (h-P)/T) * (1 + (w-P)/T)` windows, none when it is smaller than a window.
public struct PatchGrid: Equatable, Sendable {
    /// Upscaling factor (2, 3, 4 ...).
    public let scale: Int
    /// LR patch side `P`.
    public let lrPatch: Int
    /// LR stride `T`.
    public let stride: Int

    /// HR patch side (`scale * lrPatch`).
    public var hrPatch: Int { scale * lrPatch }

    /// Validates and creates a grid. `stride` defaults to `lrPatch / 2`.
    public init(scale: Int, lrPatch: Int, stride: Int? = nil) throws {
        guard (2...8).contains(scale) else {
            throw SRError(.invalidArgument, "scale must be 2...8 (got \(scale))")
        }
        guard lrPatch >= 2 && lrPatch <= 4096 else {
            throw SRError(.invalidArgument, "patch size must be 2...4096 LR pixels (got \(lrPatch))")
        }
        let t = stride ?? max(lrPatch / 2, 1)
        guard t >= 1 && t <= 4096 else {
            throw SRError(.invalidArgument, "stride must be 1...4096 LR pixels (got \(t))")
        }
        self.scale = scale
        self.lrPatch = lrPatch
        self.stride = t
    }

    /// Windows per axis for an LR length `n` (0 when `n < lrPatch`).
    @inlinable public func steps(_ n: Int) -> Int { n < lrPatch ? 0 : 1 + (n - lrPatch) / stride }

    /// Number of windows in an LR image of `lrHeight x lrWidth`.
    @inlinable public func count(lrHeight: Int, lrWidth: Int) -> Int { steps(lrHeight) * steps(lrWidth) }

    /// Number of windows cut from an HR image of `height x width` after cropping it to a
    /// multiple of `scale` (the LR image is `height/scale x width/scale`).
    @inlinable public func count(hrHeight: Int, hrWidth: Int) -> Int {
        count(lrHeight: hrHeight / scale, lrWidth: hrWidth / scale)
    }

    /// Windows produced by an HR source image of `height x width` under dihedral transform `id`
    /// (ids 4...7 swap the axes before the crop).
    @inlinable public func count(height: Int, width: Int, transform id: Int) -> Int {
        AugmentationPlan.transposes(id) ? count(hrHeight: width, hrWidth: height)
                                        : count(hrHeight: height, hrWidth: width)
    }

    /// LR top-left corner `(y, x)` of window `k` (row-major) in an LR image of width `lrWidth`.
    @inlinable public func origin(_ k: Int, lrWidth: Int) -> (y: Int, x: Int) {
        let nx = steps(lrWidth)
        return ((k / nx) * stride, (k % nx) * stride)
    }
}
