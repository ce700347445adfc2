/// Metadata carried from an input image to its output (docs/image-formats.md): the EXIF block
/// (TIFF header first, as stored after JPEG's "Exif\0\0"), the ICC colour profile and, from PNG
/// inputs, the text chunks and the sRGB/gAMA colour facts (written to PNG outputs only).
public struct ImageMetadata: Equatable, Sendable {
    /// The raw EXIF (TIFF) block, or nil.
    public var exif: [UInt8]?
    /// The ICC profile, or nil.
    public var icc: [UInt8]?
    /// PNG text chunks (tEXt/zTXt/iTXt), in file order.
    public var pngText: [PNGTextChunk]
    /// The PNG sRGB rendering intent (0...3), or nil.
    public var srgbIntent: Int?
    /// The PNG gAMA value (gamma x 100000), or nil.
    public var gamma: Int?

    /// Metadata from its parts.
    public init(exif: [UInt8]? = nil, icc: [UInt8]? = nil, pngText: [PNGTextChunk] = [], srgbIntent: Int? = nil,
                gamma: Int? = nil) {
        self.exif = exif
        self.icc = icc
        self.pngText = pngText
        self.srgbIntent = srgbIntent
        self.gamma = gamma
    }

    /// No metadata.
    public static let none = ImageMetadata()

    /// The EXIF orientation tag (1...8), 1 when absent or unreadable.
    public var orientation: Int { exif.map { ExifOrientation.read($0) } ?? 1 }

    /// The EXIF to write with upright pixels (orientation reset to 1), or nil.
    public var exifForOutput: [UInt8]? { exif.map { ExifOrientation.reset($0) } }

    /// This metadata for an output whose pixels have been turned upright: orientation set to 1.
    public var uprighted: ImageMetadata {
        var m = self
        m.exif = exifForOutput
        return m
    }
}
