#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

@Suite struct MetricsTests {
    @Test(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)), arguments: [2, 3, 4])
    func goldenMetricsMatchTheReference(scale: Int) throws {
        for n in 1...5 {
            let hr = try ImagingFixtures.alignedHR(n, scale: scale)
            let entry = try #require(GoldenManifest.shared.metrics["set5/x\(scale)/img_00\(n)"])
            for (file, key) in [("out", ""), ("bicubic", "bicubic_")] {
                let out = SharedData.readF32("reference/golden/set5/x\(scale)/img_00\(n)_\(file).f32")
                let score = try Metrics.evaluate(truth: hr.y, output: out, width: hr.width, height: hr.height, border: scale)
                let psnr = try #require(entry[key + "psnr"])
                let ssim = try #require(entry[key + "ssim"])
                #expect(abs(score.psnr - psnr) < 1e-4, "x\(scale) img_00\(n) \(file) psnr \(score.psnr) vs \(psnr)")
                #expect(abs(score.ssim - ssim) < 1e-6, "x\(scale) img_00\(n) \(file) ssim \(score.ssim) vs \(ssim)")
            }
        }
    }

    @Test func identitiesAndRounding() throws {
        let w = 24, h = 20
        let a = ImagingFixtures.samples(w * h, bound: 256, seed: 2).map { Double($0) }
        let same = try Metrics.evaluate(truth: a, output: a.map { Float($0) }, width: w, height: h, border: 2)
        #expect(same.psnr == .infinity)
        #expect(abs(same.ssim - 1) < 1e-12)
        // Values that round (half to even) and clip to the truth score as identical.
        let nudged = a.map { Float($0 == 0 ? -7 : ($0 == 255 ? 300 : $0 + 0.49)) }
        #expect(try Metrics.evaluate(truth: a, output: nudged, width: w, height: h, border: 0).psnr == .infinity)
        #expect(Metrics.quantize([0.5, 1.5, 2.5, -0.5, 254.5, 255.5] as [Double]) == [0, 2, 2, 0, 254, 255])
        // One pixel off by 10 in an N-pixel image: MSE = 100 / N.
        var off = a.map { Float($0) }
        off[5 * w + 7] = Float(a[5 * w + 7] < 128 ? a[5 * w + 7] + 10 : a[5 * w + 7] - 10)
        let n = Double((w - 4) * (h - 4))
        let s = try Metrics.evaluate(truth: a, output: off, width: w, height: h, border: 2)
        #expect(abs(s.psnr - 10 * log10(65025 / (100 / n))) < 1e-9)
        // The shaved border does not count.
        var edge = a.map { Float($0) }
        edge[0] += 50
        #expect(try Metrics.evaluate(truth: a, output: edge, width: w, height: h, border: 1).psnr == .infinity)
        // Too small for the SSIM window after shaving, or mismatched: NaN, not a trap.
        #expect { try Metrics.evaluate(truth: a, output: a.map { Float($0) }, width: w, height: h, border: 7) } throws: {
            ($0 as? SRError)?.code == .invalidArgument
        }
        #expect { try Metrics.evaluate(truth: a, output: [1, 2], width: w, height: h, border: 0) } throws: {
            ($0 as? SRError)?.code == .shapeMismatch
        }
    }
}
