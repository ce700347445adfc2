import ArgumentParser
import SRCore

// The fixed-choice options of srprep: parsed (and listed in --help) by swift-argument-parser.

/// `--augment`: how many dihedral transforms of each image are used.
enum AugmentLevel: Int, CaseIterable, ExpressibleByArgument {
    /// The identity only.
    case none = 1
    /// + flip up-down.
    case flipUpDown = 2
    /// The four flips (identity, up-down, left-right, both).
    case flips = 4
    /// All eight dihedral transforms.
    case dihedral = 8
}

/// `--dtype`.
extension PatchDType: ExpressibleByArgument {}

/// `--downsample`.
extension DownsampleMethod: ExpressibleByArgument {}

/// `--shard K/N`: shard K (1-based) of N.
struct ShardOption: ExpressibleByArgument, Equatable {
    /// K, 1...count.
    var index: Int
    /// N, at least 1.
    var count: Int

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    init?(argument: String) {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), (1...65536).contains(n), (1...n).contains(k)
        else { return nil }
        self.init(index: k, count: n)
    }

    var defaultValueDescription: String { "\(index)/\(count)" }
}
