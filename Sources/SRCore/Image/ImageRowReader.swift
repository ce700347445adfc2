import SRSupport

/// A row-streaming decoder of any supported format (`ImageFormat`): the header after expansion,
/// the EXIF orientation to apply, and rows delivered into planar images on the 0...255 scale.
package protocol ImageRowReader: AnyObject {
    /// Size, channels and bit depth of the decoded (not yet oriented) image.
    var header: PNGHeader { get }
    /// The metadata carried to the output (ICC, EXIF, PNG text).
    var metadata: ImageMetadata { get }
    /// Reads the next `count` rows into rows `[y0, y0 + count)` of `image`.
    func readRows(_ count: Int, into image: inout Image, at y0: Int) throws
    /// What the reader left out of `metadata`, one sentence each naming the file (empty by default).
    var warnings: [String] { get }
}

extension ImageRowReader {
    package var warnings: [String] { [] }
}

extension PNGReader: ImageRowReader {}

/// Opens the right reader for a file's signature.
package enum ImageReaders {
    package static func open(path: String, maxPixels: Int) throws -> any ImageRowReader {
        switch try ImageFormat.detect(path: path) {
        case .png: return try PNGReader(path: path, maxPixels: maxPixels)
        case .jpeg: return try JPEGReader(path: path, maxPixels: maxPixels)
        case .webp: return try WebPReader(path: path, maxPixels: maxPixels)
        }
    }

    /// The header of a file of any supported format, with width and height as displayed (after
    /// the EXIF orientation).
    package static func orientedHeader(path: String, maxPixels: Int) throws -> PNGHeader {
        let r = try open(path: path, maxPixels: maxPixels)
        var h = r.header
        if Dihedral.swapsAxes(ExifOrientation.dihedral(r.metadata.orientation)) { swap(&h.width, &h.height) }
        return h
    }

    /// Decodes the whole of `path` (any supported format, by its signature), turned upright by its
    /// EXIF orientation; an image over `maxPixels` (0 = no limit) is refused from its header.
    package static func read(path: String, maxPixels: Int = PixelLimit.defaultMaxPixels) throws -> PNGImage {
        let r = try open(path: path, maxPixels: maxPixels)
        if let png = r as? PNGReader {
            let image = try png.readAll()
            let turn = ExifOrientation.dihedral(png.metadata.orientation)
            return turn == 0 ? image : PNGImage(image: Dihedral.apply(turn, to: image.image), bitDepth: image.bitDepth)
        }
        let h = r.header
        let total = h.width.multipliedReportingOverflow(by: h.height).partialValue.multipliedReportingOverflow(by: h.channels)
        if total.overflow || total.partialValue > PNGReader.maxSamples {
            throw SRError(.outOfMemory, "\(path): image too large to decode (\(h.width)x\(h.height)x\(h.channels))")
        }
        var image = Image(uninitializedWidth: h.width, height: h.height, channels: h.channels)
        try r.readRows(h.height, into: &image, at: 0)
        return PNGImage(image: Dihedral.apply(ExifOrientation.dihedral(r.metadata.orientation), to: image),
                        bitDepth: h.bitDepth)
    }
}
