#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

/// srprep's patches against the reference's own tensors (set5 luma and LR input, docs/reference.md §6, §7).
@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct PatchSetGoldenTests {
    @Test(arguments: [2, 3])
    func patchesMatchTheReferenceLRAndLuma(scale: Int) throws {
        let dir = PatchFixture.folder("golden")
        defer { PatchFixture.remove(dir) }
        let files = (1...5).map { SharedData.path("data/eval/set5/img_00\($0).png") }
        var options = PatchBuildOptions(grid: try PatchGrid(scale: scale, lrPatch: 12, stride: 40),
                                        augmentation: try AugmentationPlan(level: 1))
        options.seed = 5
        _ = try PatchSetBuilder.build(files: files, output: dir + "/g.h5", options: options)
        let set = try PatchFixture.readAll(dir + "/g.h5")
        let p = 12, sp = 12 * scale
        var worstLR: Float = 0, worstHR: Double = 0
        for g in 0..<5 {
            let header = try PNGCodec.readHeader(path: files[g])
            let lrW = header.width / scale
            let lrGold = SharedData.readF32("reference/golden/set5/x\(scale)/img_00\(g + 1)_lr.f32")
            let hrGold = SharedData.readF64("reference/golden/set5/img_00\(g + 1)_hr_y.f64")
            #expect(lrGold.count == lrW * (header.height / scale) && hrGold.count == header.width * header.height)
            for row in 0..<set.reader.count where set.origin[4 * row] == Int32(g) {
                let y = Int(set.origin[4 * row + 2]), x = Int(set.origin[4 * row + 3])
                for i in 0..<(p * p) {
                    let v = set.lr[row * p * p + i] * 255, ref = lrGold[(y + i / p) * lrW + x + i % p]
                    worstLR = max(worstLR, abs(v - ref))
                }
                for i in 0..<(sp * sp) {
                    let v = Double(set.hr[row * sp * sp + i]) * 255
                    let ref = hrGold[(scale * y + i / sp) * header.width + scale * x + i % sp]
                    worstHR = max(worstHR, abs(v - ref))
                }
            }
        }
        #expect(set.reader.count > 20)
        #expect(worstLR <= 1e-3, "LR max abs diff \(worstLR) on the 0..255 scale")
        #expect(worstHR <= 1e-4, "HR max abs diff \(worstHR) on the 0..255 scale")
    }
}
