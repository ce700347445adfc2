import Testing
@testable import SRCore
import CKernels
import SRTestSupport

/// `sr train --activation tanh|elu|selu` (docs/techniques.md "Knobs"): layers without slopes, an
/// activation step in the engine and its backward in the training graph, both against the float64
/// reference (TrainReference) and its central finite differences; stored as `activation` in a
/// format_version 3.0 file; tiles bit-identical to the whole image.
@Suite struct ActivationKnobTests {
    static let kinds: [DCSCNActivation] = [.tanh, .elu, .selu]

    static func config(_ a: DCSCNActivation, scale: Int = 2) -> DCSCNConfig {
        var c = TrainGraphTests.tinyConfig(scale: scale)
        c.activation = a
        return c
    }

    /// A graph case like `TrainGraphTests.makeCase` for any config; inputs scaled to [-2, 2] so
    /// that the activations are exercised on both sides and off saturation.
    static func makeCase(_ config: DCSCNConfig, seed: UInt64) throws -> TrainGraphTests.Case {
        let n = 2, h = 5, w = 4
        let g = try TrainingGraph(config: config, n: n, h: h, w: w)
        var rng = SeededGenerator(seed: seed)
        let lr = (0..<(n * h * w)).map { _ in rng.nextUnit() * 4 - 2 }
        let bic = (0..<(n * g.hrH * g.hrW)).map { _ in rng.nextUnit() * 4 - 2 }
        let hr = (0..<(n * g.hrH * g.hrW)).map { _ in rng.nextUnit() * 4 - 2 }
        g.lr.copy(from: lr.map(Float.init)); g.bic.copy(from: bic.map(Float.init)); g.hr.copy(from: hr.map(Float.init))
        return .init(graph: g, params: try TrainGraphTests.params(config, seed: seed), lr: lr, bic: bic, hr: hr)
    }

    @Test(arguments: kinds)
    func layersHaveNoSlopesAndKnowTheirActivation(kind: DCSCNActivation) {
        let c = Self.config(kind)
        for s in c.layers {
            #expect(!s.hasPReLU)
            switch s.role {
            case .upsample, .reconstruct: #expect(s.activation == nil)
            default: #expect(s.separateActivation == kind)
            }
        }
        #expect(!c.hasDefaultStructure)
        #expect(c.parameterCount == TrainGraphTests.tinyConfig(scale: 2).parameterCount
                - c.layers.filter { $0.activation != nil }.reduce(0) { $0 + $1.outChannels })
    }

    /// The C activation against its float64 definition, on both sides of 0 (and large inputs).
    @Test(arguments: kinds)
    func kernelFunctionMatchesFloat64(kind: DCSCNActivation) {
        for i in -400...400 {
            let x = Float(i) / 40
            let f = Double(srk_act_apply(kind.kernelKind, x)), ref = TrainReference.nonlinearity(kind, Double(x))
            #expect(abs(f - ref) <= 4e-7 * max(1, abs(ref)), "\(kind) f(\(x)) = \(f), float64 \(ref)")
            let h = 1e-4, d = (TrainReference.nonlinearity(kind, Double(x) + h) - TrainReference.nonlinearity(kind, Double(x) - h)) / (2 * h)
            if abs(x) > 1e-3 { #expect(abs(Double(srk_act_derivative(kind.kernelKind, x)) - d) < 1e-5 * max(1, abs(d)), "\(kind) f'(\(x))") }
        }
    }

    /// The graph's forward equals the float64 reference network, and every parameter's gradient
    /// matches central finite differences of the float64 loss.
    @Test(arguments: kinds)
    func gradientsMatchFiniteDifferences(kind: DCSCNActivation) throws {
        let c = try Self.makeCase(Self.config(kind), seed: 21)
        let r = try KnobTestSupport.graphVersusReference(c, parameters: { Array($0.kernel) + Array($0.bias) }, relStep: 1e-5)
        #expect(r.forward < 1e-4, "\(kind): forward differs from float64 by \(r.forward)")
        #expect(r.gradient < 1e-3, "\(kind): relative gradient error \(r.gradient)")
    }

    /// The inference engine (its activation step, both ISAs) gives the training graph's output.
    @Test(arguments: kinds)
    func engineMatchesTrainingGraph(kind: DCSCNActivation) throws {
        let c = Self.config(kind)
        let p = try WeightsKnobsTests.params(c)
        let diff = try KnobTestSupport.engineVersusGraph(p, weights: ParameterLayout(config: c).flatten(p))
        #expect(diff < 1e-3, "\(kind): max |engine - graph| \(diff)")
    }

    /// 3.0 with an `activation` key and no `alpha` tensors; 2.x files may only say prelu; PReLU
    /// models stay 2.0 with `activation = prelu`.
    @Test func weightsRoundTripAs3() throws {
        for kind in Self.kinds {
            let p = try WeightsKnobsTests.params(Self.config(kind))
            let md = WeightsFile.safeTensorsMetadata(p)
            #expect(md["format_version"] == "3.0" && md["activation"] == kind.rawValue)
            let bytes = try WeightsFile.encodeSafeTensors(p)
            let back = try bytes.withUnsafeBytes { try WeightsFile.readSafeTensors(bytes: $0) }
            #expect(back == p && back.config.activation == kind)
            #expect(WeightsKnobsTests.entries(p).allSatisfy { !$0.name.hasSuffix("/alpha") })
            #expect(throws: SRError.self) { try WeightsFile.writeHDF5(p, to: TrainTestSupport.tempDir("act") + "/m.h5") }
        }
        let plain = try WeightsKnobsTests.params(TrainGraphTests.tinyConfig(scale: 2))
        #expect(WeightsFile.safeTensorsMetadata(plain)["format_version"] == "2.0"
                && WeightsFile.safeTensorsMetadata(plain)["activation"] == "prelu")
        let tanhModel = try WeightsKnobsTests.params(Self.config(.tanh))
        func read(_ edit: (inout [String: String]) -> Void) throws -> DCSCNParameters {
            var md = WeightsFile.safeTensorsMetadata(tanhModel)
            edit(&md)
            let bytes = try SafeTensors.encode(WeightsKnobsTests.entries(tanhModel), metadata: md)
            return try bytes.withUnsafeBytes { try WeightsFile.readSafeTensors(bytes: $0) }
        }
        #expect(try read { _ in } == tanhModel)
        #expect(throws: SRError.self) { try read { $0["format_version"] = "2.0" } }
        #expect(throws: SRError.self) { try read { $0["activation"] = "gelu" } }
        #expect(throws: SRError.self) { try read { $0["activation"] = "prelu" } }   // then alpha tensors are missing
    }

    /// Tiles equal the whole image, bit for bit, and the portable step equals the AVX2-enabled one.
    @Test(arguments: kinds)
    func tiledUpscaleIsBitIdentical(kind: DCSCNActivation) throws {
        var c = TrainTestSupport.smallConfig(scale: 2)
        c.activation = kind
        let up = Upscaler(network: try DCSCN(parameters: try WeightsKnobsTests.params(c)))
        let lr = WeightsKnobsTests.image(41, 33, seed: 9)
        let whole = try up.upscaleLuma(lr, options: UpscaleOptions(tileSize: 1000))
        for tile in [7, 16] {
            let tiled = try up.upscaleLuma(lr, options: UpscaleOptions(tileSize: tile, threads: 2))
            #expect(tiled.pixels == whole.pixels, "\(kind) tile \(tile)")
        }
        var a = (0..<300).map { Float($0) / 30 - 5 }, b = a
        a.withUnsafeMutableBufferPointer { srk_act_rows(kind.kernelKind, $0.baseAddress, 30, 3, 10, 3, 0, 10, Int32(SRK_ISA_PORTABLE)) }
        b.withUnsafeMutableBufferPointer { srk_act_rows(kind.kernelKind, $0.baseAddress, 30, 3, 10, 3, 0, 10, Int32(SRK_ISA_AUTO)) }
        #expect(a == b)
    }
}
