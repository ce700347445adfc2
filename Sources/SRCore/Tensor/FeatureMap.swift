/// An NHWC feature map (batch 1) stored with a zero border of `pad` pixels on every side, so that
/// k x k convolutions with k/2 <= pad read zeros outside the image (TF "SAME" padding) without
/// any edge code. Sample `(y, x, c)` lives at `origin[y * rowStride + x * channels + c]`;
/// y and x may range over `-pad ..< height + pad` / `-pad ..< width + pad`.
final class FeatureMap {
    /// Interior height and width.
    let height: Int, width: Int
    /// Channels per pixel (the pixel stride).
    let channels: Int
    /// Width of the zero border.
    let pad: Int
    let storage: FloatBuffer

    /// Allocates a zeroed map; `name` is used in error messages.
    init(height: Int, width: Int, channels: Int, pad: Int, name: String) throws {
        self.height = height
        self.width = width
        self.channels = channels
        self.pad = pad
        storage = try FloatBuffer(count: checkedProduct([height + 2 * pad, width + 2 * pad, channels], name), what: name)
    }

    /// Floats between vertically adjacent pixels.
    var rowStride: Int { (width + 2 * pad) * channels }
    /// Pixel (0, 0), channel 0.
    var origin: UnsafeMutablePointer<Float> { storage.base + pad * rowStride + pad * channels }

    /// Copies channels `offset ..< offset + count` of the interior out as a dense HWC array.
    func extract(offset: Int = 0, count: Int? = nil) -> [Float] {
        let n = count ?? channels
        var out = [Float](repeating: 0, count: height * width * n)
        let o = origin
        out.withUnsafeMutableBufferPointer { dst in
            var i = 0
            for y in 0..<height {
                for x in 0..<width {
                    let src = o + y * rowStride + x * channels + offset
                    for c in 0..<n { dst[i] = src[c]; i += 1 }
                }
            }
        }
        return out
    }
}
