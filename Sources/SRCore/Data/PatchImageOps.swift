/// The image operations srprep needs, delegated to SRCore/Image (the imaging code).
enum PatchImageOps {
    /// `(height, width)` from the PNG header only.
    static func size(path: String) throws -> (height: Int, width: Int) {
        let h = try PNGCodec.readHeader(path: path)
        return (h.height, h.width)
    }

    /// Decodes `path` and returns its luma on the 0...255 scale (SPEC §6; gray as is, alpha ignored).
    static func luma(path: String) throws -> Image {
        let png = try PNGCodec.read(path: path)
        let img = png.image
        if png.isGray { return img.plane(0) }
        // TEMPORARY until the imaging helper's BT.601 luma lands.
        var y = Image(width: img.width, height: img.height)
        let n = img.planeSize
        for i in 0..<n {
            let r = Double(img.pixels[i]), g = Double(img.pixels[n + i]), b = Double(img.pixels[2 * n + i])
            y.pixels[i] = Float(16 + (65.738 * r + 129.057 * g + 25.064 * b) / 256)
        }
        return y
    }

    /// Dihedral transform `id` (SPEC §8.1).
    static func transform(_ img: Image, _ id: Int) -> Image {
        // TEMPORARY until the imaging helper's dihedral transforms land.
        if id == 0 { return img }
        let h = img.height, w = img.width
        let t = id >= 4
        var out = Image(width: t ? h : w, height: t ? w : h)
        for y in 0..<out.height {
            for x in 0..<out.width {
                var sy = t ? x : y, sx = t ? y : x
                switch id {
                case 1: sy = h - 1 - y
                case 2: sx = w - 1 - x
                case 3: sy = h - 1 - y; sx = w - 1 - x
                case 4: sy = x; sx = w - 1 - y
                case 5: sy = h - 1 - x; sx = y
                case 6: sy = x; sx = y
                default: sy = h - 1 - x; sx = w - 1 - y
                }
                out.pixels[y * out.width + x] = img.pixels[sy * w + sx]
            }
        }
        return out
    }

    /// Downscales by `scale` with `method` (the whole image).
    static func downscale(_ img: Image, by scale: Int, method: DownsampleMethod) -> Image {
        // TEMPORARY until the imaging helper's Pillow/MATLAB bicubic lands: box filter.
        let w = img.width / scale, h = img.height / scale
        var out = Image(width: w, height: h)
        for y in 0..<h { for x in 0..<w {
            var s: Float = 0
            for dy in 0..<scale { for dx in 0..<scale { s += img.pixels[(y * scale + dy) * img.width + x * scale + dx] } }
            out.pixels[y * w + x] = s / Float(scale * scale)
        } }
        return out
    }
}
