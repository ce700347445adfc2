import Testing
@testable import SRCore
import CKernels
import SRTestSupport

/// `sr train --dilations` (docs/techniques.md "Knobs"): dilated feature convs in the engine and the
/// training graph against the float64 reference (TrainReference) and its finite differences; the
/// receptive field (the tiling halo) against a perturbation experiment; tiles bit-identical to the
/// whole image; the 3.0 `dilations` key.
@Suite struct DilationKnobTests {
    static func tiny(_ d: [Int]) -> DCSCNConfig {
        var c = TrainGraphTests.tinyConfig(scale: 2)
        c.dilations = d
        return c
    }

    static func small(_ d: [Int], scale: Int = 2) -> DCSCNConfig {
        var c = TrainTestSupport.smallConfig(scale: scale)
        c.dilations = d
        return c
    }

    /// Both ISAs: the portable twins of the conv and weight-gradient kernels take the dilation too.
    @Test(arguments: [Int32(SRK_ISA_AUTO), Int32(SRK_ISA_PORTABLE)])
    func gradientsMatchFiniteDifferences(isa: Int32) throws {
        let c = try ActivationKnobTests.makeCase(Self.tiny([2, 3]), seed: 31)
        c.graph.isa = isa
        let r = try KnobTestSupport.graphVersusReference(c, parameters: { Array($0.kernel) + Array($0.bias) + Array($0.alpha) },
                                                         relStep: 1e-6)
        #expect(r.forward < 1e-4, "forward differs from float64 by \(r.forward)")
        #expect(r.gradient < 1e-3, "relative gradient error \(r.gradient)")
    }

    /// The engine (every kernel path: generic, narrow, stencil) against the float64 reference.
    @Test(arguments: [2, 3])
    func engineMatchesFloat64Reference(scale: Int) throws {
        let c = Self.small([1, 2, 4], scale: scale)
        let p = try WeightsKnobsTests.params(c)
        let lr = WeightsKnobsTests.image(17, 13, seed: 4)
        let bic = Resize.bicubic(lr, width: 17 * scale, height: 13 * scale)
        let out = try DCSCN(parameters: p).forward(lr: lr, bicubic: bic, threads: 2)
        let ref = TrainReference.forward(config: c, params: ParameterLayout(config: c).flatten(p).map(Double.init),
                                         lr: lr.pixels.map(Double.init), bic: bic.pixels.map(Double.init), h: 13, w: 17)
        let diff = zip(out.pixels, ref).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(diff < 1e-3, "max |engine - float64| \(diff)")
        let g = try KnobTestSupport.engineVersusGraph(p, weights: ParameterLayout(config: c).flatten(p))
        #expect(g < 1e-3, "max |engine - training graph| \(g)")
    }

    /// The receptive field grows by r * (d - 1) per dilated layer, and is exactly what the output
    /// depends on: changing one LR pixel changes HR pixels at most `receptiveField` LR pixels away,
    /// and some at that distance in the default network's sense (rounded up at HR).
    @Test func receptiveFieldBoundsThePerturbation() throws {
        let c = Self.small([1, 2, 4])
        #expect(c.receptiveField == TrainTestSupport.smallConfig(scale: 2).receptiveField + 1 + 3)
        let p = try WeightsKnobsTests.params(c)
        let net = try DCSCN(parameters: p)
        let side = 41, cx = 20
        var lr = WeightsKnobsTests.image(side, side, seed: 6)
        let bic = Resize.bicubic(lr, width: side * 2, height: side * 2)
        let a = try net.forward(lr: lr, bicubic: bic)
        var px = lr.pixels; px[cx * side + cx] += 100
        lr = Image(width: side, height: side, pixels: px)
        let b = try net.forward(lr: lr, bicubic: bic)
        var reach = 0
        for y in 0..<(side * 2) { for x in 0..<(side * 2) where a.pixels[y * side * 2 + x] != b.pixels[y * side * 2 + x] {
            // distance in LR pixels from the perturbed pixel's HR block
            let dy = y < 2 * cx ? (2 * cx - y + 1) / 2 : (y - 2 * cx - 1 + 1) / 2
            let dx = x < 2 * cx ? (2 * cx - x + 1) / 2 : (x - 2 * cx - 1 + 1) / 2
            reach = max(reach, dy, dx)
        } }
        #expect(reach <= c.receptiveField && reach >= c.receptiveField - 1, "reach \(reach), receptive field \(c.receptiveField)")
    }

    @Test func tiledUpscaleIsBitIdentical() throws {
        let up = Upscaler(network: try DCSCN(parameters: try WeightsKnobsTests.params(Self.small([1, 2, 4]))))
        let lr = WeightsKnobsTests.image(41, 33, seed: 9)
        let whole = try up.upscaleLuma(lr, options: UpscaleOptions(tileSize: 1000))
        for tile in [7, 16] {
            let tiled = try up.upscaleLuma(lr, options: UpscaleOptions(tileSize: tile, threads: 2))
            #expect(tiled.pixels == whole.pixels, "tile \(tile)")
        }
    }

    @Test func weightsRoundTripAs3() throws {
        let p = try WeightsKnobsTests.params(Self.small([1, 2, 4]))
        let md = WeightsFile.safeTensorsMetadata(p)
        #expect(md["format_version"] == "3.0" && md["dilations"] == "[1,2,4]" && md["receptive_field"] == String(p.config.receptiveField))
        let back = try WeightsFile.encodeSafeTensors(p).withUnsafeBytes { try WeightsFile.readSafeTensors(bytes: $0) }
        #expect(back == p)
        let plain = try WeightsKnobsTests.params(Self.small([1, 1, 1]))
        #expect(WeightsFile.safeTensorsMetadata(plain)["format_version"] == "2.0" && WeightsFile.safeTensorsMetadata(plain)["dilations"] == nil)
        func read(_ edit: (inout [String: String]) -> Void) throws -> DCSCNParameters {
            var m = md
            edit(&m)
            let bytes = try SafeTensors.encode(WeightsKnobsTests.entries(p), metadata: m)
            return try bytes.withUnsafeBytes { try WeightsFile.readSafeTensors(bytes: $0) }
        }
        #expect(try read { _ in } == p)
        #expect(throws: SRError.self) { try read { $0["format_version"] = "2.0" } }
        #expect(throws: SRError.self) { try read { $0["dilations"] = "[1,2]" } }
        #expect(throws: SRError.self) { try read { $0["dilations"] = "[1,0,4]" } }
        #expect(throws: SRError.self) { try read { $0["dilations"] = "[1,2,3]" } }   // receptive_field disagrees
        #expect(throws: SRError.self) { try WeightsFile.writeHDF5(p, to: TrainTestSupport.tempDir("dil") + "/m.h5") }
    }
}
