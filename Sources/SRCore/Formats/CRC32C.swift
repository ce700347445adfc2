import SRSupport
/// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, init 0xFFFFFFFF, final xor 0xFFFFFFFF.
///
/// Used by the TensorFlow tensor-bundle reader (block trailers and tensor checksums) and the
/// TensorBoard event writer (record framing). Slice-by-8 table driven: ~1-2 GB/s in release builds.
public enum CRC32C {
    /// `tables[k][b]`: CRC of byte `b` followed by `k` zero bytes (slice-by-8 tables, 8 x 256).
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[b] = c
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let prev = t[(k - 1) * 256 + b]
                t[k * 256 + b] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()

    /// Continues a CRC-32C over `bytes`. Start with `crc = 0` (the standard CRC of the bytes is returned
    /// for a start of 0; pass a previous result to checksum data given in pieces).
    ///
    /// - Complexity: O(n), eight bytes per step.
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = ~crc
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return crc }
        tables.withUnsafeBufferPointer { t in
            var i = 0
            while i + 8 <= n {
                let lo = UInt32(base.load(fromByteOffset: i, as: UInt8.self))
                    | UInt32(base.load(fromByteOffset: i + 1, as: UInt8.self)) << 8
                    | UInt32(base.load(fromByteOffset: i + 2, as: UInt8.self)) << 16
                    | UInt32(base.load(fromByteOffset: i + 3, as: UInt8.self)) << 24
                let x = c ^ lo
                let b4 = Int(base.load(fromByteOffset: i + 4, as: UInt8.self))
                let b5 = Int(base.load(fromByteOffset: i + 5, as: UInt8.self))
                let b6 = Int(base.load(fromByteOffset: i + 6, as: UInt8.self))
                let b7 = Int(base.load(fromByteOffset: i + 7, as: UInt8.self))
                c = t[7 * 256 + Int(x & 0xFF)] ^ t[6 * 256 + Int((x >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((x >> 16) & 0xFF)] ^ t[4 * 256 + Int(x >> 24)]
                    ^ t[3 * 256 + b4] ^ t[2 * 256 + b5] ^ t[1 * 256 + b6] ^ t[b7]
                i += 8
            }
            while i < n {
                let b = UInt32(base.load(fromByteOffset: i, as: UInt8.self))
                c = (c >> 8) ^ t[Int((c ^ b) & 0xFF)]
                i += 1
            }
        }
        return ~c
    }

    /// The CRC-32C of `bytes` (e.g. `"123456789"` → `0xE3069283`).
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, bytes)
    }

    /// The CRC-32C of a byte array.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// LevelDB/TensorFlow mask: `((crc >> 15) | (crc << 17)) &+ 0xa282ead8`, so a CRC stored inside
    /// checksummed data does not checksum to a fixed value.
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// Inverse of `masked(_:)`.
    public static func unmasked(_ masked: UInt32) -> UInt32 {
        let rot = masked &- 0xA282_EAD8
        return (rot >> 17) | (rot << 15)
    }
}
