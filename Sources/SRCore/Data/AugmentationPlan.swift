import SRSupport
import SRImage
import SRFormats
/// Which dihedral transforms (docs/reference.md §8.1 ids) `srprep build --augment k` applies to every image.
///
/// The transforms are applied to the HR luma image before it is cropped to a multiple of the
/// scale and downscaled, exactly like the reference's offline `augmentation.py` followed by its
/// loader. Level `k` takes the first `k` ids of the reference's list, as its `--augment_level` does:
///
/// | k | ids | meaning |
/// |---|-----|---------|
/// | 1 | 0 | identity |
/// | 2 | 0, 1 | identity, flip up-down |
/// | 4 | 0, 1, 2, 3 | + flip left-right, both (= rotate 180°): the flips, a group of 4 |
/// | 8 | 0 ... 7 | the whole dihedral group (+ the four transposing rotations/reflections) |
public struct AugmentationPlan: Equatable, Sendable {
    /// The augmentation level (1, 2, 4 or 8).
    public let level: Int
    /// The dihedral ids applied, in generation order.
    public let transforms: [Int]

    /// The plan for level `level`; throws `invalidArgument` unless it is 1, 2, 4 or 8.
    public init(level: Int) throws {
        guard [1, 2, 4, 8].contains(level) else {
            throw SRError(.invalidArgument, "the augmentation level must be 1, 2, 4 or 8 (got \(level))")
        }
        self.level = level
        self.transforms = Array(0..<level)
    }

    /// Whether dihedral id `id` swaps height and width (ids 4...7: rotations by 90° and their flips).
    public static func transposes(_ id: Int) -> Bool { id >= 4 }
}
