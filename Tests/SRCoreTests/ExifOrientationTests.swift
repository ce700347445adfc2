import Testing
@testable import SRCore

/// EXIF orientation (docs/image-formats.md): the Dihedral transform chosen for each tag value
/// against the EXIF specification's own definition (where the stored 0th row and 0th column go),
/// and the IFD0 parser on hand-built TIFF blocks in both byte orders, malformed ones included.
@Suite struct ExifOrientationTests {
    /// The upright pixel (x, y) of a stored w x h image, straight from the EXIF 2.3 table
    /// (orientation 6: "the 0th row is the visual right-hand side, the 0th column the visual top").
    static func stored(_ o: Int, x: Int, y: Int, w: Int, h: Int) -> (Int, Int) {
        switch o {
        case 1: return (x, y)
        case 2: return (w - 1 - x, y)
        case 3: return (w - 1 - x, h - 1 - y)
        case 4: return (x, h - 1 - y)
        case 5: return (y, x)
        case 6: return (y, h - 1 - x)
        case 7: return (w - 1 - y, h - 1 - x)
        default: return (w - 1 - y, x)
        }
    }

    @Test(arguments: 1...8)
    func uprightTransformMatchesTheExifTable(_ o: Int) {
        let w = 5, h = 3
        let img = Image(width: w, height: h, channels: 1, pixels: (0..<(w * h)).map(Float.init))
        let up = Dihedral.apply(ExifOrientation.dihedral(o), to: img)
        let (uw, uh) = o <= 4 ? (w, h) : (h, w)
        #expect(up.width == uw && up.height == uh)
        for y in 0..<uh {
            for x in 0..<uw {
                let (sx, sy) = Self.stored(o, x: x, y: y, w: w, h: h)
                #expect(up.pixels[y * uw + x] == img.pixels[sy * w + sx], "orientation \(o) at (\(x), \(y))")
            }
        }
    }

    /// A TIFF block with IFD0 entries (tag, type, count, value) in either byte order.
    static func tiff(littleEndian le: Bool, _ entries: [(Int, Int, Int, Int)], ifdOffset: Int = 8) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { le ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { le ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
        var b: [UInt8] = (le ? [0x49, 0x49] : [0x4D, 0x4D]) + u16(42) + u32(ifdOffset)
        b += [UInt8](repeating: 0, count: ifdOffset - 8)
        b += u16(entries.count)
        for (tag, type, count, value) in entries { b += u16(tag) + u16(type) + u32(count) + u16(value) + [0, 0] }
        return b + u32(0)
    }

    @Test func readsTheTagInBothByteOrdersAndAnyPosition() {
        for le in [true, false] {
            for o in 1...8 {
                let b = Self.tiff(littleEndian: le, [(0x010F, 2, 4, 0), (0x0112, 3, 1, o), (0x0131, 2, 4, 0)], ifdOffset: 12)
                #expect(ExifOrientation.read(b) == o)
                let r = ExifOrientation.reset(b)
                #expect(ExifOrientation.read(r) == 1)
                #expect(r.count == b.count)
                #expect(zip(b, r).filter { $0 != $1 }.count <= 2, "reset changed more than the value")
            }
        }
    }

    @Test func malformedBlocksReadAsOne() {
        let good = Self.tiff(littleEndian: true, [(0x0112, 3, 1, 6)])
        #expect(ExifOrientation.read(good) == 6)
        for n in 0..<good.count - 4 { #expect(ExifOrientation.read(Array(good[0..<n])) == 1, "truncated to \(n)") }
        #expect(ExifOrientation.read(Self.tiff(littleEndian: true, [(0x0112, 4, 1, 6)])) == 1)  // LONG, not SHORT
        #expect(ExifOrientation.read(Self.tiff(littleEndian: true, [(0x0112, 3, 2, 6)])) == 1)  // count 2
        #expect(ExifOrientation.read(Self.tiff(littleEndian: true, [(0x0112, 3, 1, 9)])) == 1)  // out of range
        var badMagic = good
        badMagic[2] = 43
        #expect(ExifOrientation.read(badMagic) == 1)
        var farIFD = good
        farIFD[4] = 0xFF; farIFD[5] = 0xFF; farIFD[6] = 0xFF; farIFD[7] = 0x7F
        #expect(ExifOrientation.read(farIFD) == 1)
        #expect(ExifOrientation.reset(farIFD) == farIFD)
        var manyEntries = good
        manyEntries[8] = 0xFF; manyEntries[9] = 0xFF  // 65535 entries declared, 1 present
        #expect(ExifOrientation.read(manyEntries) == 6)  // found before the block ends
        var missing = Self.tiff(littleEndian: true, [(0x0110, 3, 1, 6)])
        missing[8] = 0xFF
        #expect(ExifOrientation.read(missing) == 1)
    }

    @Test func formatsComeFromSignaturesAndExtensions() {
        #expect(ImageFormat.detect(signature: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == .png)
        #expect(ImageFormat.detect(signature: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.detect(signature: [0xFF, 0xD8]) == nil)
        #expect(ImageFormat.detect(signature: Array("GIF89a".utf8)) == nil)
        #expect(ImageFormat.fromExtension("a/b.JPG") == .jpeg)
        #expect(ImageFormat.fromExtension("x.jpeg.png") == .png)
        #expect(ImageFormat.fromExtension(".jpg") == nil)
        #expect(ImageFormat.fromExtension("dir.jpg/file") == nil)
        #expect(ImageFormat(name: "jpg") == .jpeg && ImageFormat(name: "PNG") == .png && ImageFormat(name: "gif") == nil)
    }
}
