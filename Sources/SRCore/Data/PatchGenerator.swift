import SRSupport
import SRImage
import SRFormats
/// Cuts the patches of one image under every transform of the plan and writes each to its row.
struct PatchGenerator: Sendable {
    let options: PatchBuildOptions
    let layout: PatchLayout
    let writer: RawRowWriter
    let permutation: KeyedPermutation

    /// The HR and LR luma images (0...255) of `luma` under dihedral transform `id`: transformed,
    /// cropped bottom/right to a multiple of the scale, then downscaled as a whole.
    static func pair(luma: Image, transform id: Int, scale: Int, method: DownsampleMethod) -> (hr: Image, lr: Image) {
        var hr = PatchImageOps.transform(luma, id)
        hr = hr.cropped(width: hr.width / scale * scale, height: hr.height / scale * scale)
        let lr = PatchImageOps.downscale(hr, by: scale, method: method)
        return (hr, lr)
    }

    /// Generates and writes all patches of one image; returns how many.
    func generate(luma: Image, source: Int, bases: [Int], counts: [Int]) throws -> Int {
        let grid = options.grid
        let s = grid.scale, p = grid.lrPatch, sp = grid.hrPatch
        var lrBuf = [Float](repeating: 0, count: p * p)
        var hrBuf = [Float](repeating: 0, count: sp * sp)
        var lrBytes = [UInt8](repeating: 0, count: p * p)
        var hrBytes = [UInt8](repeating: 0, count: sp * sp)
        var written = 0
        for (t, id) in options.augmentation.transforms.enumerated() where counts[t] > 0 {
            let (hr, lr) = PatchGenerator.pair(luma: luma, transform: id, scale: s, method: options.downsample)
            guard grid.count(lrHeight: lr.height, lrWidth: lr.width) == counts[t] else {
                throw SRError(.internal, "patch count of source \(source) transform \(id) differs from the plan")
            }
            for k in 0..<counts[t] {
                let (y, x) = grid.origin(k, lrWidth: lr.width)
                PatchGenerator.cut(lr, y: y, x: x, side: p, into: &lrBuf)
                PatchGenerator.cut(hr, y: s * y, x: s * x, side: sp, into: &hrBuf)
                let row = permutation(bases[t] + k)
                if options.dtype == .float32 {
                    PatchGenerator.normalize(&lrBuf)
                    PatchGenerator.normalize(&hrBuf)
                    try lrBuf.withUnsafeBytes { try writer.write($0, row: row, of: layout.lr) }
                    try hrBuf.withUnsafeBytes { try writer.write($0, row: row, of: layout.hr) }
                } else {
                    PatchGenerator.quantize(lrBuf, into: &lrBytes)
                    PatchGenerator.quantize(hrBuf, into: &hrBytes)
                    try lrBytes.withUnsafeBytes { try writer.write($0, row: row, of: layout.lr) }
                    try hrBytes.withUnsafeBytes { try writer.write($0, row: row, of: layout.hr) }
                }
                written += 1
            }
        }
        return written
    }

    /// Copies the `side x side` window at `(y, x)` of `img` into `out` (luma, 0...255).
    @inline(__always)
    static func cut(_ img: Image, y: Int, x: Int, side: Int, into out: inout [Float]) {
        img.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<side {
                    let s = (y + r) * img.width + x, d = r * side
                    for c in 0..<side { dst[d + c] = src[s + c] }
                }
            }
        }
    }

    /// The float32 rule: `luma / 255` (float32 division, correctly rounded).
    @inline(__always)
    static func normalize(_ v: inout [Float]) {
        v.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = b[i] / 255 } }
    }

    /// The uint8 rule: `clamp(rint(luma), 0, 255)`, round half to even.
    static func quantize(_ v: [Float], into out: inout [UInt8]) {
        for i in v.indices { out[i] = UInt8(max(0, min(255, v[i].rounded(.toNearestOrEven)))) }
    }
}
