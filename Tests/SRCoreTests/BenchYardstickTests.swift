import CKernels
import Testing
@testable import SRCore
import SRTestSupport

/// The yardstick of `sr bench`: which CPU (parsed from /proc/cpuinfo) and its FMA ceiling loop.
@Suite struct BenchYardstickTests {
    // The first block of a Zen 2 machine's /proc/cpuinfo (shortened) followed by a second processor.
    static let zen2 = """
        processor\t: 0
        vendor_id\t: AuthenticAMD
        cpu family\t: 23
        model\t\t: 49
        model name\t: AMD EPYC 7B12
        flags\t\t: fpu vme avx2 fma

        processor\t: 1
        vendor_id\t: GenuineIntel
        cpu family\t: 6
        """

    @Test func parsesTheFirstProcessorBlock() {
        let info = CPUInfo.parse(Self.zen2)
        #expect(info.vendor == "AuthenticAMD")
        #expect(info.family == 23)
        #expect(info.model == 49)
        #expect(info.modelName == "AMD EPYC 7B12")
        #expect(info.microarchitecture == "Zen 2")
        #expect(info.description == "AMD EPYC 7B12 (AuthenticAMD family 23 model 49, Zen 2)")
    }

    @Test func namesTheAMDFamiliesTheKernelsAreTunedFor() {
        func arch(_ family: Int, _ model: Int) -> String? {
            CPUInfo(vendor: "AuthenticAMD", family: family, model: model).microarchitecture
        }
        #expect(arch(23, 0x01) == "Zen/Zen+")
        #expect(arch(25, 0x01) == "Zen 3")   // Milan
        #expect(arch(25, 0x11) == "Zen 4")   // Genoa
        #expect(arch(26, 0x02) == "Zen 5")
        #expect(CPUInfo(vendor: "GenuineIntel", family: 6, model: 85).microarchitecture == nil)
    }

    @Test func parsesSysfsCacheSizes() {
        #expect(CPUInfo.parseSize("48K") == 48 * 1024)
        #expect(CPUInfo.parseSize("32M") == 32 << 20)
        #expect(CPUInfo.parseSize("512") == 512)
        #expect(CPUInfo.parseSize("") == nil)
        #expect(CPUInfo.parseSize("xK") == nil)
    }

    @Test func theCeilingLoopComputesItsRecurrence() throws {
        try #require(srk_cpu_has_avx2_fma() != 0, "the CPU has no AVX2+FMA")
        let a: Float = 0.999, b: Float = 0.25
        let out = try #require(FMACeiling.run(iterations: 1000, a: a, b: b))
        #expect(out.count == Int(SRK_FMA_PEAK_CHAINS))
        for (c, v) in out.enumerated() {
            var x = Float(c)
            for _ in 0..<1000 { x = b.addingProduct(x, a) }   // one rounding per step, as FMA
            #expect(v == x, "chain \(c)")
        }
        #expect(srk_fma_peak_loop(1, a, b, nil) == SRK_EINVAL)
    }

    @Test func theCeilingIsAPositiveRate() throws {
        try #require(srk_cpu_has_avx2_fma() != 0, "the CPU has no AVX2+FMA")
        let g = try #require(FMACeiling.measure(threads: 1, seconds: 0.01, repeats: 1))
        // One core issues at most a few 8-lane FMAs per cycle: between 1 and 1000 GFLOP/s on any x86 of today.
        #expect(g > 1 && g < 1000)
    }
}
