import Testing
@testable import SRCore
import SRTestSupport

/// Tiling and self-ensemble of `Upscaler` against whole-image inference and the reference's outputs.
@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct UpscalerTests {
    typealias S = FormatsTestSupport

    static func network(scale: Int) throws -> DCSCN {
        try DCSCN(parameters: TFBundle.importDCSCN(prefix: S.compactCheckpoint(scale: scale)))
    }

    /// Golden LR/bicubic/output of set5 image `n` at `scale` as images.
    static func golden(_ n: Int, scale: Int, _ kind: String) throws -> Image {
        let shapes: [Int: (w: Int, h: Int)] = [1: (512, 512), 2: (288, 288), 3: (256, 256), 4: (280, 280), 5: (228, 344)]
        let hr = try #require(shapes[n])
        let (w, h) = kind == "lr" ? (hr.w / scale, hr.h / scale) : (hr.w / scale * scale, hr.h / scale * scale)
        let v = SharedData.readF32("reference/golden/set5/x\(scale)/img_00\(n)_\(kind).f32")
        try #require(v.count == w * h, "golden \(kind) of img_00\(n) x\(scale)")
        return Image(width: w, height: h, channels: 1, pixels: v)
    }

    static func maxDiff(_ a: Image, _ b: Image) -> Float {
        precondition(a.pixels.count == b.pixels.count)
        return zip(a.pixels, b.pixels).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test(arguments: [2, 3, 4])
    func tiledEqualsWholeImage(scale: Int) throws {
        let up = Upscaler(network: try Self.network(scale: scale))
        let lr = try Self.golden(5, scale: scale, "lr").region(x: 3, y: 5, width: 47, height: 39)
        let whole = try up.upscaleLuma(lr, options: UpscaleOptions(tileSize: 1000))
        for tile in [7, 16, 30] {
            var calls = 0
            let tiled = try up.upscaleLuma(lr, options: UpscaleOptions(tileSize: tile, threads: 2)) { _, _ in calls += 1; return true }
            #expect(calls == ((47 + tile - 1) / tile) * ((39 + tile - 1) / tile))
            #expect(Self.maxDiff(tiled, whole) == 0, "x\(scale) tile \(tile)")
        }
    }

    @Test func bicubicIsComputedFromTheWholeImage() throws {
        // With the golden full-image bicubic given, or computed by the upscaler per tile region,
        // the result matches the reference's own output for the whole of set5 img_003 x2.
        let up = Upscaler(network: try Self.network(scale: 2))
        let lr = try Self.golden(3, scale: 2, "lr")
        let want = try Self.golden(3, scale: 2, "out")
        let given = try up.upscaleLuma(lr, bicubic: try Self.golden(3, scale: 2, "bicubic"), options: UpscaleOptions(tileSize: 50))
        let computed = try up.upscaleLuma(lr, options: UpscaleOptions(tileSize: 50))
        #expect(Self.maxDiff(given, want) <= 1e-3)
        #expect(Self.maxDiff(computed, given) <= 1e-4)
    }

    @Test func ensembleOf8ReproducesTheReference() throws {
        // Non-square image: the transposing transforms must map back correctly.
        let up = Upscaler(network: try Self.network(scale: 2))
        let lr = try Self.golden(5, scale: 2, "lr")
        let bic = try Self.golden(5, scale: 2, "bicubic")
        let want = try Self.golden(5, scale: 2, "out_se8")
        let got = try up.upscaleLuma(lr, bicubic: bic, options: UpscaleOptions(ensemble: 8, threads: 2))
        #expect(Self.maxDiff(got, want) <= 1e-3)
        let single = try Self.golden(5, scale: 2, "out")
        #expect(Self.maxDiff(single, want) > 1e-2) // the ensemble really differs from one pass
        let tiled = try up.upscaleLuma(lr, bicubic: bic, options: UpscaleOptions(ensemble: 8, tileSize: 40))
        #expect(Self.maxDiff(tiled, got) == 0)
    }

    @Test func refusesBadInput() throws {
        let up = Upscaler(network: try DCSCN(parameters: .heInitialized(config: .compact(scale: 2), seed: 1)))
        let lr = Image(width: 8, height: 6)
        #expect(throws: SRError.self) { try up.upscaleLuma(Image(width: 8, height: 6, channels: 3)) }
        #expect(throws: SRError.self) { try up.upscaleLuma(lr, bicubic: Image(width: 16, height: 11)) }
        #expect(throws: SRError.self) { try up.upscaleLuma(lr, options: UpscaleOptions(ensemble: 9)) }
        let e = try #require(throws: SRError.self) {
            try up.upscaleLuma(lr, options: UpscaleOptions(tileSize: 4)) { done, _ in done < 2 }
        }
        #expect(e.code == .cancelled)
    }

    @Test func tileSizeFollowsTheBudget() {
        let c = DCSCNConfig.compact(scale: 2)
        let small = Upscaler.tileSize(config: c, memoryBudget: 64 << 20)
        let large = Upscaler.tileSize(config: c, memoryBudget: 1 << 30)
        #expect(small >= 32 && large > 3 * small)
        #expect(Upscaler.tileSize(config: .standard(scale: 2), memoryBudget: 64 << 20) < small)
    }
}
