/// Metadata carried from an input image to its output (docs/image-formats.md): the EXIF block
/// (TIFF header first, as stored after JPEG's "Exif\0\0") and the ICC colour profile.
public struct ImageMetadata: Equatable, Sendable {
    /// The raw EXIF (TIFF) block, or nil.
    public var exif: [UInt8]?
    /// The ICC profile, or nil.
    public var icc: [UInt8]?

    /// Metadata from its parts.
    public init(exif: [UInt8]? = nil, icc: [UInt8]? = nil) {
        self.exif = exif
        self.icc = icc
    }

    /// No metadata.
    public static let none = ImageMetadata()

    /// The EXIF orientation tag (1...8), 1 when absent or unreadable.
    public var orientation: Int { exif.map { ExifOrientation.read($0) } ?? 1 }

    /// The EXIF to write with upright pixels (orientation reset to 1), or nil.
    public var exifForOutput: [UInt8]? { exif.map { ExifOrientation.reset($0) } }

    /// This metadata for an output whose pixels have been turned upright: orientation set to 1.
    public var uprighted: ImageMetadata {
        ImageMetadata(exif: exif.map { ExifOrientation.reset($0) }, icc: icc)
    }
}
