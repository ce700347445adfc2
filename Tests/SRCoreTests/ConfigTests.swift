import Testing
@testable import SRCore
import SRTestSupport

@Suite struct ConfigTests {
    @Test func compactWidthsAndParameters() {
        let c = DCSCNConfig.compact(scale: 2)
        #expect(c.featureWidths == [32, 26, 22, 18, 14, 11, 8])
        #expect(c.concatWidth == 131)
        #expect(c.parameterCount == 27_209)
        #expect(DCSCNConfig.compact(scale: 3).parameterCount == 28_654)
        #expect(DCSCNConfig.compact(scale: 4).parameterCount == 64_201)
        #expect(c.macsPerLRPixel == 26_890)
        #expect(DCSCNConfig.compact(scale: 3).macsPerLRPixel == 28_375)
        #expect(DCSCNConfig.compact(scale: 4).macsPerLRPixel == 67_318)
        for s in 2...4 { #expect(DCSCNConfig.compact(scale: s).receptiveField == 10) }
    }

    @Test func standardWidthsAndParameters() {
        let c = DCSCNConfig.standard(scale: 2)
        #expect(c.featureWidths == [196, 166, 148, 133, 120, 108, 97, 86, 76, 66, 57, 48])
        #expect(c.concatWidth == 1301)
        #expect(c.parameterCount == 1_754_942)
        #expect(DCSCNConfig.standard(scale: 3).parameterCount == 2_170_142)
        #expect(DCSCNConfig.standard(scale: 4).parameterCount == 2_087_102)
        #expect(c.macsPerLRPixel == 1_754_292)
        #expect(DCSCNConfig.featureWidths(layers: 8, filters: 96, minFilters: 48, gamma: 1.5)
                == [96, 82, 75, 68, 62, 57, 52, 48])
    }
}
