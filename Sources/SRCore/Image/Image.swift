import SRSupport
/// A planar float image: `channels` planes of `height` x `width` samples, row-major.
///
/// Sample `(c, y, x)` is `pixels[(c * height + y) * width + x]`. The value scale is the
/// caller's convention; srcore uses 0...255 for 8-bit data and luma (0...65535 images are
/// scaled to 0...255 with full float precision when decoded).
public struct Image: Equatable, Sendable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Number of planes.
    public var channels: Int
    /// Planar samples, `channels * height * width` of them.
    public var pixels: [Float]

    /// Creates an image filled with `value`.
    public init(width: Int, height: Int, channels: Int = 1, value: Float = 0) {
        precondition(width >= 0 && height >= 0 && channels >= 1)
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = [Float](repeating: value, count: width * height * channels)
    }

    /// Wraps existing planar samples. `pixels.count` must equal `width * height * channels`.
    public init(width: Int, height: Int, channels: Int = 1, pixels: [Float]) {
        precondition(pixels.count == width * height * channels, "pixel count does not match the shape")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image whose samples are not initialised, for decoders that write every sample before the
    /// image is used. A large buffer's pages are only touched as rows are written, so a truncated
    /// file costs the rows it held, not the size its header declared (docs/fuzzing.md, "Pixel limit").
    package init(uninitializedWidth width: Int, height: Int, channels: Int = 1) {
        precondition(width >= 0 && height >= 0 && channels >= 1)
        self.width = width
        self.height = height
        self.channels = channels
        let n = width * height * channels
        self.pixels = [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
    }

    /// Number of samples in one plane.
    @inlinable public var planeSize: Int { width * height }

    /// Sample at plane `c`, row `y`, column `x`.
    @inlinable public subscript(c: Int, y: Int, x: Int) -> Float {
        get { pixels[(c * height + y) * width + x] }
        set { pixels[(c * height + y) * width + x] = newValue }
    }

    /// A copy of plane `c` as a one-channel image.
    public func plane(_ c: Int) -> Image {
        let n = planeSize
        return Image(width: width, height: height, channels: 1, pixels: Array(pixels[(c * n)..<((c + 1) * n)]))
    }

    /// The top-left `w` x `h` region (all planes).
    public func cropped(width w: Int, height h: Int) -> Image {
        precondition(w <= width && h <= height)
        if w == width && h == height { return self }
        var out = Image(width: w, height: h, channels: channels)
        for c in 0..<channels {
            for y in 0..<h {
                let src = (c * height + y) * width
                let dst = (c * h + y) * w
                for x in 0..<w { out.pixels[dst + x] = pixels[src + x] }
            }
        }
        return out
    }
}
