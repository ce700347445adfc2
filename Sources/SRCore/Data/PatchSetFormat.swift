import SRSupport
import SRImage
import SRFormats
/// How patch values are stored in a patch set.
public enum PatchDType: String, Sendable, CaseIterable {
    /// float32 luma/255 (HR in [0,1], LR unclipped).
    case float32
    /// uint8 = clamp(rint(luma), 0, 255); value = byte/255 when read.
    case uint8

    /// Bytes per stored sample.
    public var size: Int { self == .float32 ? 4 : 1 }
}

/// The downscaling convention that makes LR from HR.
public enum DownsampleMethod: String, Sendable, CaseIterable {
    /// Pillow's bicubic, float path (docs/reference.md §7): what the reference trains and evaluates with.
    case pillow
    /// MATLAB `imresize(..., 'bicubic')` with antialiasing.
    case matlab
}

/// The attributes of a patch set (`format = "srcore.patches"`, docs/srprep.md).
public struct PatchSetInfo: Equatable, Sendable {
    /// The `format` attribute every patch set carries.
    public static let format = "srcore.patches"
    /// The `format_version` written; readers accept major version 1.
    public static let formatVersion = "1.0"
    /// srprep's version string (`tool_version`).
    public static let toolVersion = "srprep 0.1.0"

    /// Number of patches N.
    public var count: Int
    /// Upscaling factor.
    public var scale: Int
    /// LR patch side.
    public var lrPatch: Int
    /// HR patch side (`scale * lrPatch`).
    public var hrPatch: Int
    /// LR stride of the grid.
    public var stride: Int
    /// Augmentation level (1, 2, 4, 8).
    public var augment: Int
    /// The dihedral ids applied.
    public var transforms: [Int]
    /// Stored sample type.
    public var dtype: PatchDType
    /// Downscaling convention.
    public var downsample: DownsampleMethod
    /// Shuffle seed.
    public var seed: Int
    /// Shard `k/n` this file holds ("1/1" for an unsharded build, "merged" for a merge).
    public var shard: String
    /// Images that produced patches.
    public var images: Int
    /// Images smaller than one patch (skipped).
    public var skippedSmall: Int
    /// Unreadable files skipped with `--skip-bad`.
    public var skippedBad: [String]
    /// The producing tool.
    public var toolVersion: String = PatchSetInfo.toolVersion

    /// The `color` attribute (machine-readable) and `color_rule` (what it means).
    public static let color = "y-bt601-studio"
    public static let colorRule = "Y = 16 + (65.738 R + 129.057 G + 25.064 B)/256 in float (not rounded), 0..255 scale; gray images as they are; alpha ignored; 16-bit inputs scaled to 0..255"
    /// The `normalize` attribute (machine-readable).
    public static let normalize = "luma/255"

    /// The `normalize_rule` attribute for a dtype.
    public static func normalizeRule(_ dtype: PatchDType) -> String {
        switch dtype {
        case .float32: return "stored = float32(luma/255); HR in [0,1], LR unclipped (bicubic overshoot kept)"
        case .uint8: return "stored = clamp(rint(luma), 0, 255) as uint8 (round half to even); value = stored/255"
        }
    }

    /// The `downsample_rule` attribute for a method.
    public static func downsampleRule(_ m: DownsampleMethod) -> String {
        switch m {
        case .pillow: return "Pillow Image.resize BICUBIC in mode F (docs/reference.md §7) of the whole HR luma image, after the dihedral transform and the crop to a multiple of scale"
        case .matlab: return "MATLAB imresize(hr, 1/scale, 'bicubic') with antialiasing, whole HR luma image, after the dihedral transform and the crop"
        }
    }
}
