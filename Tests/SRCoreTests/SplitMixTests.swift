import CKernels
import Testing
@testable import SRCore
import SRTestSupport

/// SplitMix64 lives twice: in SRSupport (seeding, the patch permutation) and in the C kernels (dropout
/// masks, which need it per element). Both must be the published function.
@Suite struct SplitMixTests {
    @Test func matchesThePublishedSequence() {
        // SplitMix64 seeded with 0: the first outputs of the reference implementation.
        var s: UInt64 = 0
        #expect(SplitMix.next(&s) == 0xE220_A839_7B1D_CDAF)
        #expect(SplitMix.next(&s) == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test(arguments: [UInt64(0), 7, 0xDEAD_BEEF_1234_5678])
    func theKernelsDropoutMaskUsesTheSameFunction(seed: UInt64) {
        let count = 257, keep: Float = 0.8
        var mask = [Float](repeating: -1, count: count)
        srt_dropout_mask(&mask, count, keep, seed)
        // The C kernel: base = mix(seed + inc); u_i = mix(base ^ i*K + inc) >> 11 as a [0, 1) double.
        let base = SplitMix.mix(seed &+ SplitMix.increment)
        let want: [Float] = (0..<count).map { i in
            let z = SplitMix.mix((base ^ (UInt64(i) &* 0xD1B5_4A32_D192_ED03)) &+ SplitMix.increment)
            let u = Double(z >> 11) * 0x1.0p-53
            return u < Double(keep) ? 1 / keep : 0
        }
        #expect(mask == want)
        #expect(mask.contains(0) && mask.contains(1 / keep))
    }
}
