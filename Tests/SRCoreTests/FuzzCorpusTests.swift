#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

/// The fuzz harnesses in the normal test run (docs/fuzzing.md): every committed seed
/// (`Tests/fuzz/<harness>/corpus`) and every input that once crashed a harness
/// (`Tests/fuzz/<harness>/regressions`) goes through the harness body the fuzzer runs.
///
/// `SRCORE_WRITE_FUZZ_SEEDS=1 swift test --filter FuzzCorpusTests` regenerates the seeds.
@Suite struct FuzzCorpusTests {
    static let root = SharedData.packageRoot + "/Tests/fuzz"

    static func files(_ dir: String) -> [String] {
        TempDir.names(dir).filter { !$0.hasPrefix(".") }.map { dir + "/" + $0 }
    }

    @Test(arguments: FuzzTargets.all.map { $0.name })
    func everySeedAndRegressionInputPassesTheHarness(_ harness: String) throws {
        let run = try #require(FuzzTargets.all.first { $0.name == harness }).run
        let seeds = Self.files("\(Self.root)/\(harness)/corpus")
        #expect(!seeds.isEmpty, "no seed corpus in Tests/fuzz/\(harness)/corpus")
        var total = 0
        for path in seeds + Self.files("\(Self.root)/\(harness)/regressions") {
            let bytes = ImagingFixtures.readFile(path)
            total += bytes.count
            bytes.withUnsafeBytes { run($0) }
        }
        #expect(total > 0)
    }

    /// The seeds load as intended (a fuzzer starting from refused inputs would explore less).
    @Test func theSeedsAreValidInputs() throws {
        for path in Self.files(Self.root + "/png/corpus") {
            let png = try PNGCodec.decode(bytes: ImagingFixtures.readFile(path), name: path)
            #expect(png.width * png.height <= 64)
        }
        for path in Self.files(Self.root + "/weights/corpus") {
            _ = try ImagingFixtures.readFile(path).withUnsafeBytes { try FuzzTargets.loadWeights($0, name: "seed.weights") }
        }
        for path in Self.files(Self.root + "/weights-hdf5/corpus") {
            _ = try ImagingFixtures.readFile(path).withUnsafeBytes { try WeightsFile.readHDF5(bytes: $0, name: "seed.weights") }
        }
        for path in Self.files(Self.root + "/json/corpus") {
            _ = try ImagingFixtures.readFile(path).withUnsafeBytes { try StrictJSON.parse($0, context: path) }
        }
        let dcscn = try #require(Self.files(Self.root + "/tfbundle/corpus").first { $0.hasSuffix("dcscn.bin") })
        let bytes = ImagingFixtures.readFile(dcscn)
        let n = Int(bytes[0]) | Int(bytes[1]) << 8
        let bundle = try TFBundle(prefix: "seed", index: Array(bytes[2..<(2 + n)]), shards: [Array(bytes[(2 + n)...])])
        #expect(try TFBundle.importDCSCN(bundle: bundle).config == Self.tinyConfig)
    }

    static let tinyConfig = DCSCNConfig(scale: 2, featureWidths: [3, 2], ninA: 2, ninB: 1, shufflerFilters: 1)

    @Test(.enabled(if: getenv("SRCORE_WRITE_FUZZ_SEEDS") != nil))
    func writeSeeds() throws {
        let tmp = TempDir.make("seeds")
        defer { TempDir.remove(tmp) }
        func put(_ harness: String, _ name: String, _ bytes: [UInt8]) {
            FormatsTestSupport.writeBytes(bytes, to: "\(Self.root)/\(harness)/corpus/\(name)")
        }
        // PNG: every layout the decoder expands, 5 x 3 (and interlaced 9 x 7), each under 200 bytes.
        for (name, colorType, depth) in [("gray1", 0, 1), ("gray2", 0, 2), ("gray4", 0, 4), ("gray8", 0, 8), ("gray16", 0, 16),
                                         ("rgb8", 2, 8), ("rgb16", 2, 16), ("pal4", 3, 4), ("pal8", 3, 8),
                                         ("ga8", 4, 8), ("ga16", 4, 16), ("rgba8", 6, 8), ("rgba16", 6, 16)] {
            for interlaced in [false, true] where !interlaced || depth == 8 || name == "gray1" {
                var layout = PNGRawEncoder.Layout(colorType: colorType, bitDepth: depth, interlaced: interlaced)
                let spp = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType]!
                let (w, h) = interlaced ? (9, 7) : (5, 3)
                let bound = colorType == 3 ? 4 : 1 << depth
                if colorType == 3 {
                    layout.palette = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]
                    if depth == 8 { layout.paletteAlpha = [0, 128] }
                }
                if name == "gray8" && !interlaced { layout.transparentColor = [7] }
                if name == "rgb8" && interlaced { layout.transparentColor = [1, 2, 3] }
                let samples = ImagingFixtures.samples(w * h * spp, bound: bound, seed: UInt64(colorType * 31 + depth))
                put("png", "\(name)\(interlaced ? "-adam7" : "").png",
                    try PNGRawEncoder.encode(width: w, height: h, layout: layout, samples: samples))
            }
        }
        // Weights: a tiny model, as safetensors and as a legacy HDF5 file.
        let params = try DCSCNParameters.heInitialized(config: Self.tinyConfig, seed: 1)
        let safetensors = try WeightsFile.encodeSafeTensors(params)
        put("weights", "tiny.safetensors", safetensors)
        // The format 3.0 structure keys (docs/weights.md): no residual, input normalisation.
        var structured = Self.tinyConfig
        structured.residual = false; structured.inputShift = 127.5; structured.inputScale = 0.0078125
        put("weights", "tiny-structure.safetensors",
            try WeightsFile.encodeSafeTensors(try DCSCNParameters(config: structured, layers: params.layers)))
        try WeightsFile.writeHDF5(params, to: tmp + "/tiny.h5")
        put("weights-hdf5", "tiny.h5", FormatsTestSupport.readBytes(tmp + "/tiny.h5"))
        // JSON: the tiny model's safetensors header, and the value kinds the parser knows.
        let headerBytes = safetensors[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        put("json", "header.json", Array(safetensors[8..<(8 + headerBytes)]))
        put("json", "values.json", Array(#"{"a": [1, -0, 2.5e-3, 1E+2, true, false, null], "s": "\u00e9\n\"\ud83d\ude00", "o": {"p": {}}}"#.utf8))
        put("json", "empty-header.json", Array(#"{"__metadata__": {"format": "srcore.weights"}}"#.utf8))
        // TF bundles: two plain tensors (one a scalar), and the tiny model as the reference names it.
        var plain = TFBundleTestWriter()
        plain.tensors = [.init(name: "a/conv_W", shape: [2, 2], values: [1, 2, 3, 4]), .init(name: "b", shape: [], values: [0.5])]
        var dcscn = TFBundleTestWriter()
        for (s, l) in zip(params.config.layers, params.layers) {
            let n = TFBundle.variableNames(of: s)
            dcscn.tensors.append(.init(name: n.kernel, shape: [s.kernel, s.kernel, s.inChannels, s.outChannels], values: l.kernel))
            if let b = n.bias { dcscn.tensors.append(.init(name: b, shape: [s.outChannels], values: l.bias)) }
            if let a = n.alpha { dcscn.tensors.append(.init(name: a, shape: [s.outChannels], values: l.alpha)) }
        }
        for (name, writer) in [("plain.bin", plain), ("dcscn.bin", dcscn)] {
            writer.write(prefix: tmp + "/b")
            put("tfbundle", name, FuzzTargets.tfBundleInput(index: FormatsTestSupport.readBytes(tmp + "/b.index"),
                                                           data: FormatsTestSupport.readBytes(tmp + "/b.data-00000-of-00001")))
        }
        // Regression: an offset near Int.max overflowed (a trap) while the range error was worded.
        try Self.hugeOffsetBundle(tmp + "/o")
        FormatsTestSupport.writeBytes(FuzzTargets.tfBundleInput(index: FormatsTestSupport.readBytes(tmp + "/o.index"),
                                                                data: FormatsTestSupport.readBytes(tmp + "/o.data-00000-of-00001")),
                                      to: "\(Self.root)/tfbundle/regressions/offset-near-int-max.bin")
    }

    /// A bundle whose one tensor claims to start at byte Int.max - 1 of its shard.
    static func hugeOffsetBundle(_ prefix: String) throws {
        var w = TFBundleTestWriter()
        w.tensors = [.init(name: "w", shape: [1], values: [1], offset: Int.max - 1)]
        w.write(prefix: prefix)
    }

    @Test func aTensorOffsetNearIntMaxIsAFormatErrorNotATrap() throws {
        let tmp = TempDir.make("tf-offset")
        defer { TempDir.remove(tmp) }
        try Self.hugeOffsetBundle(tmp + "/o")
        let bundle = try TFBundle(prefix: tmp + "/o")
        #expect { try bundle.tensor("w") } throws: {
            ($0 as? SRError)?.code == .format && "\($0)".contains("needs bytes 9223372036854775806..<")
        }
    }
}
