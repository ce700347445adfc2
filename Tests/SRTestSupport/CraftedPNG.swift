import SRCore

/// Hand-made PNG bytes for the decoder-robustness tests: valid chunks (correct CRCs) around a
/// header that claims far more pixels than the data holds.
package enum CraftedPNG {
    /// CRC-32 of PNG chunks (bitwise).
    package static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }

    static func be32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }

    /// One chunk: length, type, data, CRC of type + data.
    package static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }

    /// A PNG whose IHDR declares `width` x `height` (8-bit, `colorType` 0 gray / 2 RGB / 6 RGBA,
    /// `interlaced` Adam7) and whose IDAT is one stored zlib block of `dataBytes` zero bytes: a valid
    /// stream that ends long before the first rows are complete. The defaults make the 145-byte file
    /// of the pixel-limit regression test: 26000 x 26000 RGB.
    package static func hugeHeader(width: UInt32 = 26000, height: UInt32 = 26000, colorType: UInt8 = 2,
                                   interlaced: Bool = false, dataBytes: Int = 77) -> [UInt8] {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let ihdr = be32(width) + be32(height) + [8, colorType, 0, 0, interlaced ? 1 : 0]
        let n = UInt16(dataBytes)
        // zlib header, final stored block (LEN, NLEN), the zeros, Adler-32 (a = 1, b = n).
        let zlib: [UInt8] = [0x78, 0x01, 0x01, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)]
            + [UInt8](repeating: 0, count: dataBytes) + be32(UInt32(n) << 16 | 1)
        return signature + chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", [])
    }
}
