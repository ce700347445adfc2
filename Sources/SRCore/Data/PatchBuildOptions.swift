import SRSupport
import SRImage
import SRFormats
/// Settings of `srprep build`.
public struct PatchBuildOptions: Sendable {
    /// Scale, LR patch and stride.
    public var grid: PatchGrid
    /// Which dihedral transforms are applied.
    public var augmentation: AugmentationPlan
    /// Stored sample type.
    public var dtype: PatchDType = .float32
    /// LR downscaling convention.
    public var downsample: DownsampleMethod = .pillow
    /// Shuffle seed (the key of the row permutation).
    public var seed: UInt64 = 1
    /// This shard, 0-based (`--shard K/N` gives `K-1`).
    public var shardIndex: Int = 0
    /// Number of shards; shard `k` processes images `k, k+n, k+2n, ...` of the sorted list.
    public var shardCount: Int = 1
    /// Skip unreadable files (and report them) instead of stopping.
    public var skipBad: Bool = false
    /// Replace an existing output file.
    public var overwrite: Bool = false
    /// Worker threads (images processed in parallel).
    public var threads: Int = 2
    /// The largest image (width x height) accepted, checked when the headers are counted, before
    /// any pixel is decoded (`PixelLimit`; 0 = no limit). An image over it is a bad file (skipped
    /// with `skipBad`).
    public var maxPixels: Int = PixelLimit.defaultMaxPixels

    /// Options with the defaults above.
    public init(grid: PatchGrid, augmentation: AugmentationPlan) {
        self.grid = grid
        self.augmentation = augmentation
    }
}

/// Progress of a build, reported after every image.
public struct PatchBuildProgress: Sendable {
    /// Images finished.
    public var imagesDone: Int
    /// Images to process.
    public var imagesTotal: Int
    /// Patches written so far.
    public var patchesDone: Int
    /// Patches in the set.
    public var patchesTotal: Int
}

/// What a build did.
public struct PatchBuildReport: Sendable {
    /// The attributes written.
    public var info: PatchSetInfo
    /// Images smaller than one patch (no patches).
    public var skippedSmall: [String]
    /// Unreadable files skipped with `skipBad`, with the reason.
    public var skippedBad: [(file: String, reason: String)]
}
