#if canImport(Glibc)
import Glibc
#endif

/// A seeded xoshiro256** generator whose whole state can be saved and restored
/// (training checkpoints store it, so a resumed run continues the same random stream).
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    /// The four state words.
    public var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the state with SplitMix64 of `seed`.
    public init(seed: UInt64) {
        var s = seed
        state = (SplitMix.next(&s), SplitMix.next(&s), SplitMix.next(&s), SplitMix.next(&s))
    }

    /// The state as four words.
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform double in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal (Box–Muller).
    public mutating func nextNormal() -> Double {
        var u = nextUnit()
        while u <= 0 { u = nextUnit() }
        let v = nextUnit()
        return sqrt(-2 * log(u)) * cos(2 * Double.pi * v)
    }

    public static func == (a: SeededGenerator, b: SeededGenerator) -> Bool { a.stateWords == b.stateWords }
}
