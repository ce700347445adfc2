import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval

extension TrainBatch {
    /// A batch of smooth random LR patches (0...255), their Pillow bicubic upscale and a target near
    /// it (for benchmarks and tests that need no patch file).
    package static func synthetic(count: Int, lrSide: Int, scale: Int, seed: UInt64) throws -> TrainBatch {
        guard count > 0, lrSide > 0, scale > 0 else {
            throw SRError(.invalidArgument, "synthetic batch needs positive sizes (count \(count), side \(lrSide), scale \(scale))")
        }
        let hs = lrSide * scale
        let b = TrainBatch(count: count, lrSide: lrSide, hrSide: hs)
        var rng = SeededGenerator(seed: seed)
        let plan = ResizePlan(inWidth: lrSide, inHeight: lrSide, outWidth: hs, outHeight: hs)
        for i in 0..<count {
            let f = rng.nextUnit() * 0.8 + 0.1, ph = rng.nextUnit() * 6
            var px = [Float](repeating: 0, count: lrSide * lrSide)
            for y in 0..<lrSide { for x in 0..<lrSide {
                let wave: Double = sin(Double(x) * f + ph) * cos(Double(y) * f * 0.7)
                let noise: Double = 10 * (rng.nextUnit() - 0.5)
                px[y * lrSide + x] = Float(128 + 90 * wave + noise)
            } }
            let up = plan.apply(Image(width: lrSide, height: lrSide, pixels: px)).pixels
            b.lr.replaceSubrange((i * lrSide * lrSide)..<((i + 1) * lrSide * lrSide), with: px)
            b.bic.replaceSubrange((i * hs * hs)..<((i + 1) * hs * hs), with: up)
            b.hr.replaceSubrange((i * hs * hs)..<((i + 1) * hs * hs), with: up.map { $0 + Float(8 * (rng.nextUnit() - 0.5)) })
        }
        return b
    }
}
