import Testing
@testable import SRCore
import SRTestSupport

/// The structural knobs that live in the config (`--no-residual`, `--input-shift/--input-scale`;
/// docs/techniques.md "Knobs"): how weights files hold them, that the engine computes what they
/// mean (checked against identities with the default network), and that the training graph, the
/// exported weights, tiled upscaling and checkpoints agree.
@Suite struct WeightsKnobsTests {
    static func params(_ c: DCSCNConfig, seed: UInt64 = 7) throws -> DCSCNParameters {
        // Non-zero biases so that every term of the network matters.
        var p = try DCSCNParameters.heInitialized(config: c, seed: seed)
        var rng = SeededGenerator(seed: seed &+ 1)
        for (i, s) in c.layers.enumerated() where s.hasBias {
            p = try p.replacingLayer(i) { $0.bias = $0.bias.map { _ in Float(rng.nextUnit() - 0.5) } }
        }
        return p
    }

    static func image(_ w: Int, _ h: Int, seed: UInt64) -> Image {
        var rng = SeededGenerator(seed: seed)
        return Image(width: w, height: h, pixels: (0..<(w * h)).map { _ in Float(rng.nextUnit() * 255) })
    }

    static func knobConfig(residual: Bool = false, shift: Float = 127.5, scale: Float = 1 / 127.5) -> DCSCNConfig {
        var c = TrainTestSupport.smallConfig(scale: 2)
        c.residual = residual; c.inputShift = shift; c.inputScale = scale
        return c
    }

    static func maxDiff(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } }

    static func entries(_ p: DCSCNParameters) -> [SafeTensors.Entry] {
        var out: [SafeTensors.Entry] = []
        for (s, w) in zip(p.config.layers, p.layers) {
            out.append(.init(name: s.name + "/kernel", shape: [s.kernel, s.kernel, s.inChannels, s.outChannels], values: w.kernel))
            if s.hasBias { out.append(.init(name: s.name + "/bias", shape: [s.outChannels], values: w.bias)) }
            if s.hasPReLU { out.append(.init(name: s.name + "/alpha", shape: [s.outChannels], values: w.alpha)) }
        }
        return out
    }

    @Test func defaultModelsKeepFormat2AndKnobModelsRoundTripAs3() throws {
        let plain = try Self.params(TrainTestSupport.smallConfig(scale: 2))
        let md = WeightsFile.safeTensorsMetadata(plain)
        #expect(md["format_version"] == "2.0" && md["residual"] == "bicubic" && md["input_shift"] == nil && md["input_scale"] == nil)

        for c in [Self.knobConfig(), Self.knobConfig(residual: true), Self.knobConfig(shift: 0, scale: 1)] {
            let p = try Self.params(c)
            let bytes = try WeightsFile.encodeSafeTensors(p)
            let back = try bytes.withUnsafeBytes { try WeightsFile.readSafeTensors(bytes: $0) }
            #expect(back == p)
            #expect(back.config.residual == c.residual && back.config.inputShift == c.inputShift && back.config.inputScale == c.inputScale)
            #expect(WeightsFile.safeTensorsMetadata(p)["format_version"] == "3.0")
        }
    }

    /// A 2.x reader's contract holds: a 2.x file cannot say residual "none" or carry input
    /// normalisation (an older writer never did; only 3.0 files may), and bad values are refused.
    @Test func structureKeysAreCheckedOnRead() throws {
        let p = try Self.params(TrainTestSupport.smallConfig(scale: 2))
        func read(_ edit: (inout [String: String]) -> Void) throws -> DCSCNParameters {
            var md = WeightsFile.safeTensorsMetadata(p)
            edit(&md)
            let bytes = try SafeTensors.encode(Self.entries(p), metadata: md)
            return try bytes.withUnsafeBytes { try WeightsFile.readSafeTensors(bytes: $0) }
        }
        #expect(try read { _ in } == p)
        #expect(throws: SRError.self) { try read { $0["residual"] = "none" } }
        #expect(throws: SRError.self) { try read { $0["input_shift"] = "1" } }
        #expect(throws: SRError.self) { try read { $0["format_version"] = "3.0"; $0["residual"] = "identity" } }
        #expect(throws: SRError.self) { try read { $0["format_version"] = "3.0"; $0["input_scale"] = "0" } }
        #expect(throws: SRError.self) { try read { $0["format_version"] = "3.0"; $0["input_shift"] = "nan" } }
        #expect(throws: SRError.self) { try read { $0["format_version"] = "3.0"; $0["input_shift"] = "1e99" } }
        #expect(throws: SRError.self) { try read { $0["residual"] = nil } }
        #expect(throws: SRError.self) { try read { $0["format_version"] = "4.0" } }
        let r = try read { $0["format_version"] = "3.0"; $0["residual"] = "none"; $0["input_shift"] = "2.5"; $0["input_scale"] = "0.5" }
        #expect(!r.config.residual && r.config.inputShift == 2.5 && r.config.inputScale == 0.5)
    }

    /// Independent identities with the default network: without the residual the engine's output
    /// is the default output minus the bicubic; normalising the input is the default network run
    /// on `(lr - shift) * scale`; a pure scale equals scaling CNN1's kernel (zero padding commutes).
    @Test func engineComputesWhatTheKnobsMean() throws {
        let base = TrainTestSupport.smallConfig(scale: 2)
        let plain = try Self.params(base)
        let lr = Self.image(13, 11, seed: 3)
        let bic = Resize.bicubic(lr, width: 26, height: 22)
        let ref = try DCSCN(parameters: plain).forward(lr: lr, bicubic: bic)

        var noRes = base; noRes.residual = false
        let r = try DCSCN(parameters: try DCSCNParameters(config: noRes, layers: plain.layers)).forward(lr: lr, bicubic: bic)
        #expect(Self.maxDiff(zip(r.pixels, bic.pixels).map { $0 + $1 }, ref.pixels) < 1e-4 * 255)

        let shift: Float = 100, scale: Float = 0.02
        var norm = base; norm.inputShift = shift; norm.inputScale = scale
        let n = try DCSCN(parameters: try DCSCNParameters(config: norm, layers: plain.layers)).forward(lr: lr, bicubic: bic)
        let moved = Image(width: lr.width, height: lr.height, pixels: lr.pixels.map { ($0 - shift) * scale })
        let viaDefault = try DCSCN(parameters: plain).forward(lr: moved, bicubic: bic)
        #expect(n.pixels == viaDefault.pixels)

        var scaled = base; scaled.inputScale = scale
        let s = try DCSCN(parameters: try DCSCNParameters(config: scaled, layers: plain.layers)).forward(lr: lr, bicubic: bic)
        let folded = try plain.replacingLayer(0) { $0.kernel = $0.kernel.map { $0 * scale } }
        let f = try DCSCN(parameters: folded).forward(lr: lr, bicubic: bic)
        #expect(Self.maxDiff(s.pixels, f.pixels) < 1e-4 * 255)
        #expect(Self.maxDiff(s.pixels, ref.pixels) > 1) // the knob changes the output
    }

    /// The training graph (which trains these knobs) gives the engine's output for the same weights.
    @Test(arguments: [false, true])
    func trainingGraphMatchesEngine(residual: Bool) throws {
        let c = Self.knobConfig(residual: residual)
        let p = try Self.params(c)
        let diff = try KnobTestSupport.engineVersusGraph(p, weights: ParameterLayout(config: c).flatten(p))
        #expect(diff < 1e-3, "residual \(residual)")
    }

    /// Tiles equal the whole image, bit for bit, for a model with both knobs.
    @Test func tiledUpscaleIsBitIdentical() throws {
        let up = Upscaler(network: try DCSCN(parameters: try Self.params(Self.knobConfig())))
        let lr = Self.image(41, 33, seed: 9)
        let whole = try up.upscaleLuma(lr, options: UpscaleOptions(tileSize: 1000))
        for tile in [7, 16] {
            let tiled = try up.upscaleLuma(lr, options: UpscaleOptions(tileSize: tile, threads: 2))
            #expect(tiled.pixels == whole.pixels, "tile \(tile)")
        }
    }

    /// A run trains with the knobs, exports them, checkpoints keep them (resume needs the same
    /// config), and the legacy HDF5 weights layout refuses what it cannot hold.
    @Test func trainExportAndCheckpointKeepTheStructure() throws {
        let dir = TrainTestSupport.tempDir("structure-knobs")
        try TrainTestSupport.writePatchSet(path: dir + "/p.h5", count: 8, scale: 2, lrPatch: 6)
        var o = TrainOptions()
        o.batch = 4; o.threads = 1; o.seed = 2; o.schedule = .constant(0.002)
        let c = Self.knobConfig()
        let trainer = try Trainer(parameters: try DCSCNParameters.heInitialized(config: c, seed: 2), options: o, lrSide: 6)
        let loader = try PatchBatchLoader(reader: try PatchSetReader(path: dir + "/p.h5"), batch: 4, seed: 2)
        var ro = TrainRunOptions(runDir: dir + "/run")
        ro.checkpointEvery = 2; ro.validateEachEpoch = false; ro.tensorBoard = false
        _ = try TrainingRun(trainer: trainer, loader: loader, steps: 3, options: ro, validator: nil) { _ in }.run()
        let p = try WeightsFile.readSafeTensors(path: dir + "/run/model.safetensors")
        #expect(p.config == c)
        #expect(p.layers.allSatisfy { l in (l.kernel + l.bias).allSatisfy(\.isFinite) })
        let ck = try TrainCheckpoint.read(path: dir + "/run/checkpoint.h5")
        #expect(ck.config == c)
        #expect(throws: SRError.self) { try WeightsFile.writeHDF5(p, to: dir + "/model.h5") }
        #expect(!FileSystem.exists(dir + "/model.h5"))
    }
}
