import CImageIO
import SRSupport

/// Which bicubic convention a resize follows.
public enum ResizeKernel: String, Sendable, CaseIterable {
    /// Pillow's `Image.resize(BICUBIC)` (what the reference trains and evaluates with; docs/reference.md §7).
    case pillow
    /// MATLAB `imresize(..., 'bicubic')`: a = -0.5, antialiasing when downscaling, symmetric padding.
    case matlab
}

/// Bicubic resizing of planar float images (every plane independently).
///
/// `.pillow` is bit-identical to Pillow's mode "F" (double accumulation, float32 stored after each
/// pass, passes in Pillow 13's order: see `ResizePlan.verticalFirst`); `bicubic8` reproduces mode "L" (8-bit, 22-bit fixed point).
/// `ResizePlan` precomputes the coefficient tables once for repeated resizes of one shape and
/// computes regions of the full-size result bit-identically.
public enum Resize {
    /// The reference's output length: `Int(n * scale)` in double arithmetic (truncation).
    public static func outputSize(_ n: Int, scale: Double) -> Int {
        Int(Double(n) * scale)
    }

    /// Resizes every plane to `width` x `height` with the given bicubic convention.
    public static func bicubic(_ image: Image, width: Int, height: Int, kernel: ResizeKernel = .pillow) -> Image {
        ResizePlan(inWidth: image.width, inHeight: image.height, outWidth: width, outHeight: height, kernel: kernel)
            .apply(image)
    }

    /// Resizes by `scale` (output `Int(w * scale)` x `Int(h * scale)`); for downscaling pass `1.0 / s`.
    public static func bicubic(_ image: Image, scale: Double, kernel: ResizeKernel = .pillow) -> Image {
        bicubic(image, width: outputSize(image.width, scale: scale), height: outputSize(image.height, scale: scale),
                kernel: kernel)
    }

    /// Pillow mode "L": samples are taken as bytes (rounded and clipped to 0...255), resized with
    /// 8-bit fixed-point arithmetic, and returned as integral floats.
    public static func bicubic8(_ image: Image, width: Int, height: Int) -> Image {
        ResizePlan(inWidth: image.width, inHeight: image.height, outWidth: width, outHeight: height, kernel: .pillow)
            .apply8(image)
    }
}

/// Coefficient tables for resizing one image shape to another (both axes).
public struct ResizePlan: Sendable {
    /// Horizontal axis coefficients.
    public let x: ResampleAxis
    /// Vertical axis coefficients.
    public let y: ResampleAxis
    /// The convention.
    public let kernel: ResizeKernel

    /// Precomputes the tables. An output size of 0 gives an empty result (e.g. `Int(w * scale)` of a
    /// tiny image); input sizes must be positive when the output is not empty.
    public init(inWidth: Int, inHeight: Int, outWidth: Int, outHeight: Int, kernel: ResizeKernel = .pillow) {
        precondition(outWidth >= 0 && outHeight >= 0, "resize output sizes must not be negative")
        precondition(outWidth == 0 || outHeight == 0 || (inWidth > 0 && inHeight > 0), "resize input is empty")
        self.kernel = kernel
        switch kernel {
        case .pillow:
            x = .pillowBicubic(inSize: inWidth, outSize: outWidth)
            y = .pillowBicubic(inSize: inHeight, outSize: outHeight)
        case .matlab:
            x = .matlabBicubic(inSize: inWidth, outSize: outWidth)
            y = .matlabBicubic(inSize: inHeight, outSize: outHeight)
        }
    }

    /// Output width.
    public var outWidth: Int { x.outSize }
    /// Output height.
    public var outHeight: Int { y.outSize }

    /// Resizes every plane of `image` (which must be `x.inSize` x `y.inSize`).
    public func apply(_ image: Image) -> Image {
        apply(image, rows: 0..<outHeight, cols: 0..<outWidth)
    }

    /// Output rows `rows` and columns `cols` of the full-size result, bit-identical to the same
    /// region of `apply(image)`.
    public func apply(_ image: Image, rows: Range<Int>, cols: Range<Int>) -> Image {
        precondition(image.width == x.inSize && image.height == y.inSize, "image does not match the resize plan")
        precondition(rows.lowerBound >= 0 && rows.upperBound <= outHeight && cols.lowerBound >= 0
                     && cols.upperBound <= outWidth, "region outside the output")
        switch kernel {
        case .pillow: return applyPillow(image, rows: rows, cols: cols)
        case .matlab: return applyMatlab(image, rows: rows, cols: cols)
        }
    }

    /// Pass order. Pillow 13 (`ImagingResampleInner` in Resample.c) runs the vertical pass first
    /// exactly when the height shrinks by more than twice as many pixels as the width does:
    /// `dh > 0 && dh > 2 * dw` with `dh = inH - outH`, `dw = inW - outW` (a tie `dh == 2 dw` is
    /// horizontal first; `dw` may be negative, e.g. 23x19 -> 30x7 and 40x81 -> 20x40 are vertical
    /// first, 40x80 -> 20x40 horizontal first). Probed against Pillow 13.0.0 on 8,549 shapes in
    /// modes "F" and "L" with no exception.
    /// MATLAB resizes the dimension with the smaller scale first, rows on a tie.
    package var verticalFirst: Bool {
        switch kernel {
        case .pillow:
            let dh = y.inSize - y.outSize, dw = x.inSize - x.outSize
            return dh > 0 && dh > 2 * dw
        case .matlab: return Double(y.outSize) / Double(y.inSize) <= Double(x.outSize) / Double(x.inSize)
        }
    }

    private func applyPillow(_ image: Image, rows: Range<Int>, cols: Range<Int>) -> Image {
        var out = Image(width: cols.count, height: rows.count, channels: image.channels)
        if cols.isEmpty || rows.isEmpty { return out }
        let n = image.planeSize
        image.pixels.withUnsafeBufferPointer { inp in
            out.pixels.withUnsafeMutableBufferPointer { outp in
                for c in 0..<image.channels {
                    resamplePlane(inp.baseAddress! + c * n, stride: image.width, row0: 0, col0: 0, rows: rows, cols: cols,
                                  into: outp.baseAddress! + c * rows.count * cols.count)
                }
            }
        }
        return out
    }

    /// MATLAB: a symmetrically padded window of the input, then the same passes.
    private func applyMatlab(_ image: Image, rows: Range<Int>, cols: Range<Int>) -> Image {
        var out = Image(width: cols.count, height: rows.count, channels: image.channels)
        if cols.isEmpty || rows.isEmpty { return out }
        let inRows = y.inputRange(of: rows), inCols = x.inputRange(of: cols)
        let pw = inCols.count
        var padded = [Float](repeating: 0, count: pw * inRows.count)
        let colMap = inCols.map { ResampleAxis.symmetricIndex($0, image.width) }
        for c in 0..<image.channels {
            for (r, iy) in inRows.enumerated() {
                let base = (c * image.height + ResampleAxis.symmetricIndex(iy, image.height)) * image.width
                for (j, sx) in colMap.enumerated() { padded[r * pw + j] = image.pixels[base + sx] }
            }
            padded.withUnsafeBufferPointer { pp in
                out.pixels.withUnsafeMutableBufferPointer { op in
                    resamplePlane(pp.baseAddress!, stride: pw, row0: inRows.lowerBound, col0: inCols.lowerBound,
                                  rows: rows, cols: cols, into: op.baseAddress! + c * rows.count * cols.count)
                }
            }
        }
        return out
    }

    /// `x.bounds` with every first index moved by `-by`.
    private func shiftedXBounds(_ by: Int) -> [Int32] {
        var b = x.bounds
        if by != 0 { for i in stride(from: 0, to: b.count, by: 2) { b[i] -= Int32(by) } }
        return b
    }

    /// Both passes for one plane. `src` holds input rows/cols starting at (`row0`, `col0`) with
    /// row stride `stride`; writes the `rows` x `cols` region of the output to `dst` (dense).
    private func resamplePlane(_ src: UnsafePointer<Float>, stride: Int, row0: Int, col0: Int,
                               rows: Range<Int>, cols: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        let outW = cols.count, outH = rows.count
        if !verticalFirst {
            let inRows = y.inputRange(of: rows)
            let tmpH = inRows.count
            var tmp = [Float](repeating: 0, count: tmpH * outW)
            tmp.withUnsafeMutableBufferPointer { tp in
                let t = tp.baseAddress!
                let s = src + (inRows.lowerBound - row0) * stride
                if x.isIdentity {
                    for r in 0..<tmpH { (t + r * outW).update(from: s + r * stride + cols.lowerBound - col0, count: outW) }
                } else {
                    let b = shiftedXBounds(col0)
                    x.weights.withUnsafeBufferPointer { k in
                        srimg_resample_h_f32(s, stride, tmpH, t, outW, Int32(cols.lowerBound), Int32(cols.upperBound),
                                             b, k.baseAddress, Int32(x.ksize))
                    }
                }
                if y.isIdentity {
                    dst.update(from: t, count: outW * outH)
                } else {
                    var scratch = [Double](repeating: 0, count: outW)
                    y.weights.withUnsafeBufferPointer { k in
                        srimg_resample_v_f32(t, outW, Int32(inRows.lowerBound), outW, dst, outW, Int32(rows.lowerBound),
                                             Int32(rows.upperBound), y.bounds, k.baseAddress, Int32(y.ksize), &scratch)
                    }
                }
            }
        } else {
            let inCols = x.inputRange(of: cols)
            let tw = inCols.count
            var tmp = [Float](repeating: 0, count: outH * tw)
            tmp.withUnsafeMutableBufferPointer { tp in
                let t = tp.baseAddress!
                let s = src + (inCols.lowerBound - col0)
                if y.isIdentity {
                    for r in 0..<outH { (t + r * tw).update(from: s + (rows.lowerBound + r - row0) * stride, count: tw) }
                } else {
                    var scratch = [Double](repeating: 0, count: tw)
                    y.weights.withUnsafeBufferPointer { k in
                        srimg_resample_v_f32(s, stride, Int32(row0), tw, t, tw, Int32(rows.lowerBound), Int32(rows.upperBound),
                                             y.bounds, k.baseAddress, Int32(y.ksize), &scratch)
                    }
                }
                if x.isIdentity {
                    for r in 0..<outH { (dst + r * outW).update(from: t + r * tw + cols.lowerBound - inCols.lowerBound, count: outW) }
                } else {
                    let b = shiftedXBounds(inCols.lowerBound)
                    x.weights.withUnsafeBufferPointer { k in
                        srimg_resample_h_f32(t, tw, outH, dst, outW, Int32(cols.lowerBound), Int32(cols.upperBound),
                                             b, k.baseAddress, Int32(x.ksize))
                    }
                }
            }
        }
    }

    /// Pillow mode "L" on every plane (samples rounded and clipped to bytes first; the result
    /// holds integral floats). Same pass order as the float path.
    public func apply8(_ image: Image) -> Image {
        precondition(kernel == .pillow, "the 8-bit path is Pillow's")
        precondition(image.width == x.inSize && image.height == y.inSize, "image does not match the resize plan")
        let w = image.width, h = image.height, outW = outWidth, outH = outHeight
        var out = Image(width: outW, height: outH, channels: image.channels)
        if outW == 0 || outH == 0 { return out }
        var bytes = [UInt8](repeating: 0, count: w * h)
        var res = [UInt8](repeating: 0, count: outW * outH)
        for c in 0..<image.channels {
            for i in 0..<(w * h) { bytes[i] = PNGSamples.quantize8(image.pixels[c * w * h + i]) }
            bytes.withUnsafeBufferPointer { bp in
                res.withUnsafeMutableBufferPointer { rp in
                    resamplePlane8(bp.baseAddress!, width: w, height: h, into: rp.baseAddress!)
                }
            }
            for i in 0..<(outW * outH) { out.pixels[c * outW * outH + i] = Float(res[i]) }
        }
        return out
    }

    private func resamplePlane8(_ src: UnsafePointer<UInt8>, width w: Int, height h: Int,
                                into dst: UnsafeMutablePointer<UInt8>) {
        let outW = outWidth, outH = outHeight
        // Pass 1 (horizontal, or vertical when verticalFirst) into tmp, pass 2 into dst.
        let tw = verticalFirst ? w : outW, th = verticalFirst ? outH : h
        var tmp = [UInt8](repeating: 0, count: tw * th)
        tmp.withUnsafeMutableBufferPointer { tp in
            let t = tp.baseAddress!
            func horizontal(_ s: UnsafePointer<UInt8>, _ stride: Int, _ rows: Int, _ d: UnsafeMutablePointer<UInt8>) {
                if x.isIdentity { for r in 0..<rows { (d + r * outW).update(from: s + r * stride, count: outW) }; return }
                x.fixedWeights.withUnsafeBufferPointer { k in
                    srimg_resample_h_u8(s, stride, rows, d, outW, 0, Int32(outW), x.bounds, k.baseAddress, Int32(x.ksize))
                }
            }
            func vertical(_ s: UnsafePointer<UInt8>, _ cols: Int, _ d: UnsafeMutablePointer<UInt8>) {
                if y.isIdentity { d.update(from: s, count: cols * outH); return }
                var scratch = [Int32](repeating: 0, count: cols)
                y.fixedWeights.withUnsafeBufferPointer { k in
                    srimg_resample_v_u8(s, cols, 0, cols, d, cols, 0, Int32(outH), y.bounds, k.baseAddress,
                                        Int32(y.ksize), &scratch)
                }
            }
            if verticalFirst {
                vertical(src, w, t)
                horizontal(UnsafePointer(t), w, outH, dst)
            } else {
                horizontal(src, w, h, t)
                vertical(UnsafePointer(t), outW, dst)
            }
        }
    }
}
