import SRSupport
import SRImage
import SRFormats
/// A keyed pseudo-random bijection of `0..<count` (a Feistel network with cycle walking).
///
/// srprep uses it to give generation index `i` its output row `π(i)` without holding a
/// permutation table in memory: any contiguous run of rows is as mixed as a random
/// permutation would make it, memory is O(1) whatever `count` is, and the mapping is a pure
/// function of `(count, key)`, so builds are reproducible whatever the thread timing.
///
/// Construction: the smallest even bit width `2h` with `2^(2h) >= count`; six balanced Feistel
/// rounds on two `h`-bit halves with a SplitMix64-style round function keyed by `key` and the
/// round number; values `>= count` are mapped again until they fall inside (cycle walking,
/// fewer than 4 steps on average because `2^(2h) < 4 * count`).
public struct KeyedPermutation: Sendable {
    /// Size of the domain.
    public let count: Int
    private let halfBits: Int
    private let halfMask: UInt64
    private let roundKeys: [UInt64]

    /// Creates the permutation of `0..<count` for `key`. `count` must be >= 0.
    public init(count: Int, key: UInt64) {
        self.count = max(count, 0)
        var bits = 2
        while bits < 62 && (UInt64(1) << UInt64(bits)) < UInt64(max(count, 1)) { bits += 2 }
        halfBits = bits / 2
        halfMask = (UInt64(1) << UInt64(bits / 2)) - 1
        var keys: [UInt64] = []
        var s = key ^ 0x5EED_5EED_D00D_F00D
        for _ in 0..<6 { keys.append(SplitMix.next(&s)) }
        roundKeys = keys
    }

    @inline(__always) private func encryptOnce(_ x: UInt64) -> UInt64 {
        var left = x >> UInt64(halfBits)
        var right = x & halfMask
        for k in roundKeys {
            let f = SplitMix.mix(right ^ k) & halfMask
            (left, right) = (right, left ^ f)
        }
        return (left << UInt64(halfBits)) | right
    }

    @inline(__always) private func decryptOnce(_ x: UInt64) -> UInt64 {
        var left = x >> UInt64(halfBits)
        var right = x & halfMask
        for k in roundKeys.reversed() {
            let f = SplitMix.mix(left ^ k) & halfMask
            (left, right) = (right ^ f, left)
        }
        return (left << UInt64(halfBits)) | right
    }

    /// The image `π(i)` of `i` (`0 <= i < count`).
    public func callAsFunction(_ i: Int) -> Int {
        var x = encryptOnce(UInt64(i))
        while x >= UInt64(count) { x = encryptOnce(x) }
        return Int(x)
    }

    /// The inverse `π⁻¹(row)` (`0 <= row < count`).
    public func inverse(_ row: Int) -> Int {
        var x = decryptOnce(UInt64(row))
        while x >= UInt64(count) { x = decryptOnce(x) }
        return Int(x)
    }
}
