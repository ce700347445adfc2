import CModels
import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// Largest output side accepted (the engine indexes with Int32 in places).
private let maxOutputSide = Int(Int32.max)

/// The output size of a `width` x `height` input for a model.
private func outputSize(_ m: ModelHandle, _ width: Int, _ height: Int, _ what: String) throws -> (Int, Int) {
    guard width > 0, height > 0 else { throw invalid("\(what): size \(width)x\(height) must be positive") }
    let s = m.config.scale
    let w = try Checked.mul(width, s, "\(what): width \(width) x scale \(s)")
    let h = try Checked.mul(height, s, "\(what): height \(height) x scale \(s)")
    guard w <= maxOutputSide, h <= maxOutputSide else {
        throw invalid("\(what): output \(w)x\(h) of a \(width)x\(height) input at x\(s) exceeds \(maxOutputSide) pixels per side")
    }
    return (w, h)
}

/// Refuses work whose buffers alone would not fit in physical memory: Swift traps on a failed
/// allocation, so the size is checked before anything is allocated.
func checkMemory(_ bytes: Int, _ what: String) throws {
    let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
    guard pages > 0, pageSize > 0 else { return }
    let physical = pages.multipliedReportingOverflow(by: pageSize)
    guard !physical.overflow else { return }
    guard bytes <= physical.partialValue else {
        throw SRError(.outOfMemory, "\(what) needs about \(bytes >> 20) MiB of working memory, more than the \(physical.partialValue >> 20) MiB of this machine")
    }
}

/// Bytes of planar float working memory for `channels` planes in and out (plus the engine's tiles).
func workingBytes(inW: Int, inH: Int, outW: Int, outH: Int, channels: Int) throws -> Int {
    let inPixels = try Checked.mul(inW, inH, "input pixel count")
    let outPixels = try Checked.mul(outW, outH, "output pixel count")
    // input planes + bicubic/output planes (x2 for the colour path's intermediate), 4 bytes each.
    let samples = try Checked.add(try Checked.mul(inPixels, channels, "input samples"),
                                  try Checked.mul(outPixels, try Checked.mul(channels, 2, "planes"), "output samples"),
                                  "working samples")
    return try Checked.mul(samples, 4, "working bytes")
}

/// Output size for an input.
@_cdecl("sr_output_size")
public func sr_output_size(_ model: OpaquePointer?, _ format: Int32, _ width: UInt32, _ height: UInt32,
                           _ outWidth: UnsafeMutablePointer<UInt32>?, _ outHeight: UnsafeMutablePointer<UInt32>?,
                           _ outStride: UnsafeMutablePointer<Int>?, _ outBytes: UnsafeMutablePointer<Int>?) -> Int32 {
    boundary("sr_output_size") {
        let m = try ModelHandle.required(model)
        let f = try PixelFormat.checked(format, "format")
        let (w, h) = try outputSize(m, Int(width), Int(height), "input")
        let stride = try Checked.mul(w, f.bytesPerPixel, "output row bytes")
        let bytes = try Checked.mul(stride, h, "output bytes")
        outWidth?.pointee = UInt32(w)
        outHeight?.pointee = UInt32(h)
        outStride?.pointee = stride
        outBytes?.pointee = bytes
    }
}

/// Upscales a caller's buffer into another.
@_cdecl("sr_upscale")
public func sr_upscale(_ model: OpaquePointer?, _ options: UnsafePointer<sr_options>?,
                       _ input: UnsafePointer<sr_image>?, _ output: UnsafePointer<sr_image>?) -> Int32 {
    boundary("sr_upscale") {
        let m = try ModelHandle.required(model)
        let opts = try CallOptions(options)
        let src = try PixelBuffer(input, role: "in")
        let dst = try PixelBuffer(output, role: "out")
        guard dst.format == src.format else {
            throw invalid("out->format \(dst.format.rawValue) differs from in->format \(src.format.rawValue)")
        }
        let (w, h) = try outputSize(m, src.width, src.height, "in")
        guard dst.width == w, dst.height == h else {
            throw invalid("out is \(dst.width)x\(dst.height) but this x\(m.config.scale) model makes \(w)x\(h) from a \(src.width)x\(src.height) input (see sr_output_size)")
        }
        guard !src.overlaps(dst) else { throw invalid("in and out buffers overlap") }
        try checkMemory(try workingBytes(inW: src.width, inH: src.height, outW: w, outH: h,
                                         channels: src.format.channels), "a \(src.width)x\(src.height) input")
        let planes = src.planes()
        let result: Image
        if src.format == .yF32 {
            result = try m.engine.upscaleLuma(planes, opts)
        } else {
            result = try m.engine.upscale(PNGImage(image: planes, bitDepth: src.format.bitDepth), opts).image
        }
        guard result.width == w, result.height == h, result.channels == src.format.channels else {
            throw SRError(.internal, "engine returned \(result.width)x\(result.height)x\(result.channels), expected \(w)x\(h)x\(src.format.channels)")
        }
        dst.store(result)
        _ = opts.progress?.report(1)
    }
}

/// Upscales a PNG file into another.
@_cdecl("sr_upscale_file")
public func sr_upscale_file(_ model: OpaquePointer?, _ options: UnsafePointer<sr_options>?,
                            _ inPath: UnsafePointer<CChar>?, _ outPath: UnsafePointer<CChar>?) -> Int32 {
    boundary("sr_upscale_file") {
        let m = try ModelHandle.required(model)
        let opts = try CallOptions(options)
        guard let inPath else { throw invalid("in_path is NULL") }
        guard let outPath else { throw invalid("out_path is NULL") }
        let input = String(cString: inPath), output = String(cString: outPath)
        guard !input.isEmpty else { throw invalid("in_path is empty") }
        guard !output.isEmpty else { throw invalid("out_path is empty") }
        let header = try ImageReaders.orientedHeader(path: input, maxPixels: opts.maxPixels)
        let (ow, oh) = try outputSize(m, header.width, header.height, input)
        // The file path streams its output in strips: only the LR planes are held whole, and for a
        // WebP output (encoded whole) its 8-bit RGB(A) samples.
        let lrSamples = try Checked.mul(try Checked.mul(header.width, header.height, "\(input): pixel count"),
                                        header.channels, "\(input): samples")
        var bytes = try Checked.mul(lrSamples, 4, "\(input): bytes")
        if ImageFormat.fromExtension(output) == .webp {
            bytes = try Checked.add(bytes, try Checked.mul(try Checked.mul(ow, oh, "\(output): pixel count"), 4, "\(output): bytes"),
                                    "\(output): bytes")
        }
        try checkMemory(bytes, input)
        try m.engine.upscaleFile(input, to: output, opts)
        _ = opts.progress?.report(1)
    }
}
