import SRSupport
import SRImage
import SRKernels
import SRFormats
/// An image split into what colour upscaling treats separately: luma (through the network),
/// chroma (Cb, Cr: bicubic) and alpha (bicubic). Gray images have no chroma.
package struct ColorPlanes {
    /// Y (one plane; for gray images the gray plane as it is).
    package var luma: Image
    /// Cb and Cr (two planes), nil for gray images.
    package var chroma: Image?
    /// Alpha (one plane), nil without alpha.
    package var alpha: Image?

    package var width: Int { luma.width }
    package var height: Int { luma.height }
    /// Channels of the image these planes came from (and of the result).
    package var channels: Int { (chroma == nil ? 1 : 3) + (alpha == nil ? 0 : 1) }

    /// Splits a decoded image (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA planes).
    init(_ image: Image) {
        let w = image.width, h = image.height
        luma = Image(width: w, height: h, channels: 1)
        chroma = image.channels >= 3 ? Image(width: w, height: h, channels: 2) : nil
        alpha = image.channels == 2 || image.channels == 4 ? Image(width: w, height: h, channels: 1) : nil
        store(image, atRow: 0)
    }

    /// Planes for a `width` x `height` image with `channels` channels, not initialised: every row
    /// must be filled by `store` before use (pages are touched only as rows are stored).
    init(width: Int, height: Int, channels: Int) {
        luma = Image(uninitializedWidth: width, height: height, channels: 1)
        chroma = channels >= 3 ? Image(uninitializedWidth: width, height: height, channels: 2) : nil
        alpha = channels == 2 || channels == 4 ? Image(uninitializedWidth: width, height: height, channels: 1) : nil
    }

    /// Converts a strip of decoded rows (same width, `channels` planes) into rows `y0...` of the planes.
    mutating func store(_ strip: Image, atRow y0: Int) {
        let n = strip.planeSize, off = y0 * width
        if strip.channels >= 3 {
            let ycc = YCbCr.fromRGB(strip)
            luma.pixels.replaceSubrange(off..<(off + n), with: ycc.pixels[0..<n])
            chroma!.pixels.replaceSubrange(off..<(off + n), with: ycc.pixels[n..<(2 * n)])
            let coff = width * height + off
            chroma!.pixels.replaceSubrange(coff..<(coff + n), with: ycc.pixels[(2 * n)..<(3 * n)])
        } else {
            luma.pixels.replaceSubrange(off..<(off + n), with: strip.pixels[0..<n])
        }
        if alpha != nil {
            let a = strip.channels - 1
            alpha!.pixels.replaceSubrange(off..<(off + n), with: strip.pixels[(a * n)..<((a + 1) * n)])
        }
    }

    /// Applies `Dihedral` transform `id` to every plane (the EXIF orientation of a decoded photo).
    package mutating func orient(_ id: Int) {
        guard id != 0 else { return }
        luma = Dihedral.apply(id, to: luma)
        chroma = chroma.map { Dihedral.apply(id, to: $0) }
        alpha = alpha.map { Dihedral.apply(id, to: $0) }
    }

    /// Recombines HR strips into the output layout: gray (+alpha) as is; Y/Cb/Cr -> RGB (+alpha).
    /// Values are not clipped here (the PNG writer rounds and clips).
    static func combine(luma: Image, chroma: Image?, alpha: Image?) -> Image {
        let w = luma.width, h = luma.height, n = w * h
        let channels = (chroma == nil ? 1 : 3) + (alpha == nil ? 0 : 1)
        var out = Image(width: w, height: h, channels: channels)
        out.pixels.withUnsafeMutableBufferPointer { o in
            let dst = o.baseAddress!
            luma.pixels.withUnsafeBufferPointer { y in
                if let chroma {
                    chroma.pixels.withUnsafeBufferPointer { c in
                        YCbCr.toRGB(y: y.baseAddress!, cb: c.baseAddress!, cr: c.baseAddress! + n,
                                    r: dst, g: dst + n, b: dst + 2 * n, count: n)
                    }
                } else {
                    dst.update(from: y.baseAddress!, count: n)
                }
            }
            if let alpha {
                alpha.pixels.withUnsafeBufferPointer { a in
                    (dst + (channels - 1) * n).update(from: a.baseAddress!, count: n)
                }
            }
        }
        return out
    }
}
