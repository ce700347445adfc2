/// The EXIF orientation tag (0x0112 in IFD0 of a TIFF block) and what it means for pixels
/// (docs/image-formats.md). The parser takes untrusted bytes: every offset is bounds-checked and
/// anything malformed reads as orientation 1 (Tests/fuzz covers it).
public enum ExifOrientation {
    /// The orientation (1...8) stored in a TIFF/EXIF block; 1 if absent or malformed.
    public static func read(_ tiff: [UInt8]) -> Int {
        guard let at = valueOffset(tiff) else { return 1 }
        let v = u16(tiff, at, littleEndian: tiff[0] == 0x49)
        return (1...8).contains(v) ? v : 1
    }

    /// A copy of `tiff` with the orientation set to 1 (unchanged if it has no orientation tag).
    public static func reset(_ tiff: [UInt8]) -> [UInt8] {
        guard let at = valueOffset(tiff) else { return tiff }
        var out = tiff
        let le = tiff[0] == 0x49
        out[at] = le ? 1 : 0
        out[at + 1] = le ? 0 : 1
        return out
    }

    /// The `Dihedral` transform that turns stored pixels upright for `orientation` (1...8), as
    /// Pillow's `ImageOps.exif_transpose` and browsers do:
    /// 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse,
    /// 8 rotate 90 counter-clockwise.
    public static func dihedral(_ orientation: Int) -> Int {
        switch orientation {
        case 2: return 2
        case 3: return 3
        case 4: return 1
        case 5: return 6
        case 6: return 5
        case 7: return 7
        case 8: return 4
        default: return 0
        }
    }

    /// Byte offset of the orientation value (a SHORT) in IFD0, or nil.
    static func valueOffset(_ b: [UInt8]) -> Int? {
        guard b.count >= 8 else { return nil }
        let le: Bool
        if b[0] == 0x49, b[1] == 0x49 { le = true } else if b[0] == 0x4D, b[1] == 0x4D { le = false } else { return nil }
        guard u16(b, 2, littleEndian: le) == 42 else { return nil }
        let ifd = u32(b, 4, littleEndian: le)
        guard ifd >= 8, ifd <= b.count - 2 else { return nil }
        let count = u16(b, ifd, littleEndian: le)
        for i in 0..<count {
            let e = ifd + 2 + 12 * i
            guard e <= b.count - 12 else { return nil }
            if u16(b, e, littleEndian: le) == 0x0112 {
                // type SHORT (3), count 1: the value sits in the first 2 bytes of the value field.
                guard u16(b, e + 2, littleEndian: le) == 3, u32(b, e + 4, littleEndian: le) == 1 else { return nil }
                return e + 8
            }
        }
        return nil
    }

    static func u16(_ b: [UInt8], _ at: Int, littleEndian le: Bool) -> Int {
        le ? Int(b[at]) | Int(b[at + 1]) << 8 : Int(b[at]) << 8 | Int(b[at + 1])
    }

    static func u32(_ b: [UInt8], _ at: Int, littleEndian le: Bool) -> Int {
        le ? Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
           : Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
    }
}
