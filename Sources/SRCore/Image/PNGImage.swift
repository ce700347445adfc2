import SRSupport
/// A decoded PNG: planar float samples plus the facts needed to write it back.
///
/// `image` holds `channels` planes on the 0...255 scale: 8-bit samples as they are, 16-bit
/// samples divided by 257 (so 65535 maps to 255 exactly and no precision is lost).
/// Channels are 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (palette and tRNS are expanded on decode).
public struct PNGImage: Equatable, Sendable {
    /// Planar samples, 0...255 scale.
    public var image: Image
    /// Bit depth of the samples: 8 or 16 (1/2/4-bit files decode as 8).
    public var bitDepth: Int

    /// Wraps planar samples. `image.channels` must be 1...4 and `bitDepth` 8 or 16
    /// (checked when encoding).
    public init(image: Image, bitDepth: Int = 8) {
        self.image = image
        self.bitDepth = bitDepth
    }

    /// Width in pixels.
    public var width: Int { image.width }
    /// Height in pixels.
    public var height: Int { image.height }
    /// 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public var channels: Int { image.channels }
    /// Whether the last plane is alpha (2 or 4 channels).
    public var hasAlpha: Bool { channels == 2 || channels == 4 }
    /// Whether the image is gray (1 or 2 channels).
    public var isGray: Bool { channels <= 2 }
}

/// The header of a PNG file, as `PNGCodec.readHeader(path:)` reports it (after expansion).
public struct PNGHeader: Equatable, Sendable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Channels after palette/tRNS expansion: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public var channels: Int
    /// Decoded bit depth, 8 or 16.
    public var bitDepth: Int
    /// Bit depth stored in the file (1, 2, 4, 8 or 16).
    public var sourceBitDepth: Int
    /// PNG colour type stored in the file (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA).
    public var sourceColorType: Int
    /// Whether the file is Adam7-interlaced.
    public var interlaced: Bool
}
