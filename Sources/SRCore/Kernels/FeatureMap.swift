import SRSupport
/// An NHWC feature map (batch 1) stored with a zero border of `pad` pixels on every side, so that
/// k x k convolutions with k/2 <= pad read zeros outside the image (TF "SAME" padding) without
/// any edge code. Sample `(y, x, c)` lives at `origin[y * rowStride + x * channels + c]`;
/// y and x may range over `-pad ..< height + pad` / `-pad ..< width + pad`.
/// Kernels only ever write the interior, so the border stays zero when a map is reused.
package final class FeatureMap {
    /// Interior height and width.
    package let height: Int, width: Int
    /// Channels per pixel (the pixel stride).
    package let channels: Int
    /// Width of the zero border.
    let pad: Int
    /// The allocation this map lives in (possibly shared with the other parts of a concat).
    package let storage: FloatBuffer
    /// Index of the map's first float in `storage`.
    let start: Int

    /// Allocates a zeroed map (from `pool` when it has a buffer of the right size); `name` is used
    /// in error messages.
    package convenience init(height: Int, width: Int, channels: Int, pad: Int, name: String, pool: BufferPool? = nil) throws {
        let n = try FeatureMap.size(height: height, width: width, channels: channels, pad: pad, name: name)
        let storage = try pool?.take(count: n, what: name) ?? FloatBuffer(count: n, what: name)
        self.init(height: height, width: width, channels: channels, pad: pad, storage: storage, start: 0)
    }

    private init(height: Int, width: Int, channels: Int, pad: Int, storage: FloatBuffer, start: Int) {
        self.height = height
        self.width = width
        self.channels = channels
        self.pad = pad
        self.storage = storage
        self.start = start
    }

    /// Floats needed by one map of this shape (overflow-checked).
    static func size(height: Int, width: Int, channels: Int, pad: Int, name: String) throws -> Int {
        try checkedProduct([height + 2 * pad, width + 2 * pad, channels], name)
    }

    /// Several maps of the same height and width carved from one allocation, in order: the parts
    /// of a concatenation stored part by part (each dense, so thin layers read it contiguously).
    package static func parts(height: Int, width: Int, channels: [Int], pad: Int, name: String,
                      pool: BufferPool? = nil) throws -> [FeatureMap] {
        var total = 0
        var sizes: [Int] = []
        for c in channels {
            let n = try size(height: height, width: width, channels: c, pad: pad, name: name)
            sizes.append(n)
            let (t, o) = total.addingReportingOverflow(n)
            guard !o else { throw SRError(.outOfMemory, "\(name): size overflows") }
            total = t
        }
        let storage = try pool?.take(count: total, what: name) ?? FloatBuffer(count: total, what: name)
        var start = 0
        var maps: [FeatureMap] = []
        for (c, n) in zip(channels, sizes) {
            maps.append(FeatureMap(height: height, width: width, channels: c, pad: pad, storage: storage, start: start))
            start += n
        }
        return maps
    }

    /// Floats between vertically adjacent pixels.
    package var rowStride: Int { (width + 2 * pad) * channels }
    /// Pixel (0, 0), channel 0.
    package var origin: UnsafeMutablePointer<Float> { storage.base + start + pad * rowStride + pad * channels }

    /// Copies channels `offset ..< offset + count` of the interior out as a dense HWC array.
    package func extract(offset: Int = 0, count: Int? = nil) -> [Float] {
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

    /// The interior of several same-size maps concatenated along channels, dense HWC.
    package static func extractConcat(_ maps: [FeatureMap]) -> [Float] {
        guard let first = maps.first else { return [] }
        let total = maps.reduce(0) { $0 + $1.channels }
        var out = [Float](repeating: 0, count: first.height * first.width * total)
        out.withUnsafeMutableBufferPointer { dst in
            var i = 0
            for y in 0..<first.height {
                for x in 0..<first.width {
                    for m in maps {
                        let src = m.origin + y * m.rowStride + x * m.channels
                        for c in 0..<m.channels { dst[i] = src[c]; i += 1 }
                    }
                }
            }
        }
        return out
    }
}
