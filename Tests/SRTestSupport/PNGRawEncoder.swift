import SRCore
import CImageIO

/// Writes PNGs in any PNG layout (palette, 1/2/4-bit gray, tRNS, interlaced) from raw samples.
/// Used by the tests to produce every decoder variant without external tools.
package enum PNGRawEncoder {
    /// A PNG layout.
    package struct Layout {
        /// 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.
        package var colorType: Int
        /// 1, 2, 4, 8 or 16 (as PNG allows for the colour type).
        package var bitDepth: Int
        /// Adam7 interlacing.
        package var interlaced = false
        /// RGB triples (palette images).
        package var palette: [UInt8] = []
        /// Alpha per palette entry (palette tRNS).
        package var paletteAlpha: [UInt8] = []
        /// Transparent colour for gray (one value) or RGB (three values) images.
        package var transparentColor: [UInt16]? = nil

        package init(colorType: Int, bitDepth: Int, interlaced: Bool = false) {
            self.colorType = colorType
            self.bitDepth = bitDepth
            self.interlaced = interlaced
        }
    }

    /// Encodes interleaved raw samples (`width * height * samplesPerPixel` values in the file's
    /// own range, palette indices for colour type 3) to PNG bytes.
    package static func encode(width: Int, height: Int, layout: Layout, samples: [UInt16]) throws -> [UInt8] {
        let message = PNGMessage()
        var p = srpng_write_params()
        p.width = UInt32(width)
        p.height = UInt32(height)
        p.color_type = Int32(layout.colorType)
        p.bit_depth = Int32(layout.bitDepth)
        p.interlaced = layout.interlaced ? 1 : 0
        p.compression_level = -1
        if let t = layout.transparentColor {
            p.has_trns_color = 1
            if t.count == 1 { p.trns_gray = t[0] } else if t.count == 3 {
                p.trns_red = t[0]; p.trns_green = t[1]; p.trns_blue = t[2]
            }
        }
        let samplesPerPixel = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][layout.colorType] ?? 1
        guard samples.count == width * height * samplesPerPixel else {
            throw SRError(.shapeMismatch, "raw PNG: \(samples.count) samples for \(width)x\(height)x\(samplesPerPixel)")
        }
        return try layout.palette.withUnsafeBufferPointer { pal in
            try layout.paletteAlpha.withUnsafeBufferPointer { alpha in
                p.palette = pal.baseAddress
                p.palette_count = Int32(layout.palette.count / 3)
                p.trns_alpha = alpha.baseAddress
                p.trns_count = Int32(layout.paletteAlpha.count)
                var h: OpaquePointer?
                var rc = srpng_writer_open_memory(&p, &h, message.buffer, PNGMessage.capacity)
                if rc != 0 { throw message.error(rc, "raw PNG") }
                defer { srpng_writer_free(h) }
                if layout.bitDepth == 16 {
                    rc = samples.withUnsafeBufferPointer {
                        srpng_writer_write_rows(h, $0.baseAddress, UInt32(height), message.buffer, PNGMessage.capacity)
                    }
                } else {
                    let bytes = samples.map { UInt8(truncatingIfNeeded: $0) }
                    rc = bytes.withUnsafeBufferPointer {
                        srpng_writer_write_rows(h, $0.baseAddress, UInt32(height), message.buffer, PNGMessage.capacity)
                    }
                }
                if rc != 0 { throw message.error(rc, "raw PNG") }
                rc = srpng_writer_finish(h, message.buffer, PNGMessage.capacity)
                if rc != 0 { throw message.error(rc, "raw PNG") }
                var size = 0
                guard let ptr = srpng_writer_memory(h, &size) else { return [] }
                return Array(UnsafeBufferPointer(start: ptr, count: size))
            }
        }
    }
}
