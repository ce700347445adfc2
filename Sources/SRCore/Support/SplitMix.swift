/// SplitMix64 (Steele, Lea and Flood 2014): the 64-bit mixing function srcore uses to seed
/// generators and to key permutations. The C kernels carry the same function for dropout masks
/// (`srt_mix` in CKernels/train_ops.c); SplitMixTests checks the two agree.
package enum SplitMix {
    /// The golden-ratio increment between successive states.
    package static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The finaliser: a bijective avalanche of `z`.
    @inline(__always)
    package static func mix(_ z: UInt64) -> UInt64 {
        var z = z
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Advances `state` by the increment and returns the mixed value (the SplitMix64 generator).
    @inline(__always)
    package static func next(_ state: inout UInt64) -> UInt64 {
        state &+= increment
        return mix(state)
    }
}
