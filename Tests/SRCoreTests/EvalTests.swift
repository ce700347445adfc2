import Testing
@testable import SRCore
import SRTestSupport

/// The reference evaluation against the golden per-image metrics (manifest.json) of the TF reference.
@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct EvalTests {
    typealias S = FormatsTestSupport

    /// `metrics["set5/x<scale>/<image>"][key]` of golden/manifest.json (keys as the reference wrote them).
    static func manifest(_ scale: Int, _ image: String, _ key: String) throws -> Double {
        try #require(GoldenManifest.shared.metric(scale: scale, image: image, key))
    }

    static func network(_ scale: Int) throws -> DCSCN {
        try DCSCN(parameters: TFBundle.importDCSCN(prefix: S.compactCheckpoint(scale: scale)))
    }

    static let set5 = SharedData.path("data/eval/set5")

    @Test func set5x2MatchesTheReferenceMeans() throws {
        let r = try Evaluator.evaluate(network: try Self.network(2), folder: Self.set5, threads: 2, model: "cdcscn_x2")
        #expect(r.images.map(\.name) == ["img_001.png", "img_002.png", "img_003.png", "img_004.png", "img_005.png"])
        #expect(r.scale == 2 && r.dataset == "set5")
        for img in r.images {
            let stem = String(img.name.dropLast(4))
            #expect(abs(img.psnr - (try Self.manifest(2, stem, "psnr"))) <= 1e-3, "\(img.name)")
            #expect(abs(img.ssim - (try Self.manifest(2, stem, "ssim"))) <= 1e-5, "\(img.name)")
            #expect(abs(img.bicubicPSNR - (try Self.manifest(2, stem, "bicubic_psnr"))) <= 1e-6, "\(img.name)")
            #expect(abs(img.bicubicSSIM - (try Self.manifest(2, stem, "bicubic_ssim"))) <= 1e-6, "\(img.name)")
        }
        // Dataset means of the reference README (docs/reference.md §13): 37.148139 / 0.956461.
        #expect(abs(r.meanPSNR - 37.148139) <= 1e-3)
        #expect(abs(r.meanSSIM - 0.956461) <= 1e-5)
    }

    @Test(arguments: [(3, "img_002"), (3, "img_003"), (4, "img_002"), (4, "img_005")])
    func otherScalesMatchPerImage(scale: Int, image: String) throws {
        let png = try PNGCodec.read(path: "\(Self.set5)/\(image).png")
        let sample = try Evaluator.prepare(image: png.image, name: image, scale: scale)
        let r = try Evaluator.evaluate(network: try Self.network(scale), samples: [sample], dataset: "set5")
        let got = try #require(r.images.first)
        #expect(abs(got.psnr - (try Self.manifest(scale, image, "psnr"))) <= 1e-3)
        #expect(abs(got.ssim - (try Self.manifest(scale, image, "ssim"))) <= 1e-5)
        #expect(abs(got.bicubicPSNR - (try Self.manifest(scale, image, "bicubic_psnr"))) <= 1e-6)
        // The prepared LR input is the reference's (golden lr.f32, Pillow mode F).
        let lr = SharedData.readF32("reference/golden/set5/x\(scale)/\(image)_lr.f32")
        #expect(sample.lr.pixels == lr)
    }

    @Test(arguments: ["img_003", "img_005"])
    func ensembleOf8MatchesReferenceSE8(image: String) throws {
        let png = try PNGCodec.read(path: "\(Self.set5)/\(image).png")
        let sample = try Evaluator.prepare(image: png.image, name: image, scale: 2)
        let r = try Evaluator.evaluate(network: try Self.network(2), samples: [sample], dataset: "set5", ensemble: 8)
        let got = try #require(r.images.first)
        #expect(abs(got.psnr - (try Self.manifest(2, image, "psnr_se8"))) <= 1e-3)
        #expect(abs(got.ssim - (try Self.manifest(2, image, "ssim_se8"))) <= 1e-5)
    }

    @Test func missingOrEmptyFoldersAreErrors() throws {
        let net = try DCSCN(parameters: .heInitialized(config: .compact(scale: 2), seed: 1))
        let e = try #require(throws: SRError.self) { try Evaluator.evaluate(network: net, folder: "/nonexistent/set") }
        #expect(e.code == .io && e.description.contains("/nonexistent/set"))
        let dir = S.makeTempDir("evalempty")
        defer { S.removeDir(dir) }
        #expect(throws: SRError.self) { try Evaluator.evaluate(network: net, folder: dir) }
        #expect(throws: SRError.self) { try Evaluator.prepare(image: Image(width: 1, height: 5), name: "tiny", scale: 2) }
    }
}

/// Report formatting (no shared data needed).
@Suite struct EvalReportTests {
    @Test func jsonHasExactlyTheDocumentedShape() {
        let r = EvalReport(model: "m \"q\".h5", scale: 3, dataset: "set5", ensemble: 1, images: [
            EvalImageResult(name: "a.png", width: 6, height: 6, psnr: 30.5, ssim: 0.75, bicubicPSNR: 28.25, bicubicSSIM: 0.5),
            EvalImageResult(name: "b.png", width: 6, height: 6, psnr: 31.5, ssim: 0.25, bicubicPSNR: .infinity, bicubicSSIM: 1),
        ])
        #expect(r.json() == #"{"model":"m \"q\".h5","scale":3,"dataset":"set5","mean":{"psnr":31.0,"ssim":0.5,"bicubic_psnr":null,"bicubic_ssim":0.75},"images":[{"name":"a.png","psnr":30.5,"ssim":0.75,"bicubic_psnr":28.25,"bicubic_ssim":0.5},{"name":"b.png","psnr":31.5,"ssim":0.25,"bicubic_psnr":null,"bicubic_ssim":1.0}]}"#)
        let t = r.table()
        #expect(t.contains("a.png") && t.contains("30.5000") && t.contains("mean (2)"))
    }

    @Test func fixedFormatting() {
        #expect(DecimalFormat.fixed(37.14813878, 4) == "37.1481")
        #expect(DecimalFormat.fixed(0.95646115, 5) == "0.95646")
        #expect(DecimalFormat.fixed(-0.00004, 4) == "0.0000")
        #expect(DecimalFormat.fixed(-1.25, 1) == "-1.3")
        #expect(DecimalFormat.fixed(2, 0) == "2")
        #expect(DecimalFormat.fixed(.infinity, 2) == "inf")
        #expect(DecimalFormat.scientific(0.003) == "3.00e-3")
        #expect(DecimalFormat.scientific(-125) == "-1.25e2")
        #expect(DecimalFormat.scientific(9.999e-5) == "1.00e-4")   // the mantissa rounds up to 10
        #expect(DecimalFormat.duration(3725) == "1h02m05s" && DecimalFormat.duration(65) == "1m05s"
                && DecimalFormat.duration(0.4) == "0s" && DecimalFormat.duration(.nan) == "0s")
    }
}
