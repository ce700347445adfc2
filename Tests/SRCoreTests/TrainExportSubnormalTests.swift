import Testing
@testable import SRCore
import SRTestSupport

/// A run's exported weights carry no subnormal values (Trainer.exportedParameters; docs/performance.md,
/// "Subnormal weights"): planted subnormals come out as zero, every other value unchanged.
@Suite struct TrainExportSubnormalTests {
    @Test func exportFlushesSubnormalsOnly() throws {
        let config = DCSCNConfig.compact(scale: 2)
        var p = try DCSCNParameters.heInitialized(config: config, seed: 3)
        p = try p.replacingLayer(0) {
            $0.kernel[0] = 1e-40; $0.kernel[1] = -Float.leastNonzeroMagnitude; $0.kernel[2] = Float.leastNormalMagnitude
            $0.bias[0] = 3e-39
        }
        var o = TrainOptions()
        o.batch = 2; o.threads = 1
        let trainer = try Trainer(parameters: p, options: o, lrSide: 8)
        let out = try trainer.exportedParameters(averaged: false)
        #expect(out.layers[0].kernel[0] == 0 && out.layers[0].kernel[1] == 0 && out.layers[0].bias[0] == 0)
        #expect(out.layers[0].kernel[2] == Float.leastNormalMagnitude)
        for (a, b) in zip(out.layers, p.layers) {
            #expect(a.kernel == b.kernel.map { $0.isSubnormal ? 0 : $0 })
            #expect(a.bias == b.bias.map { $0.isSubnormal ? 0 : $0 } && a.alpha == b.alpha)
        }
    }
}
