#if canImport(Glibc)
import Glibc
#endif
@testable import SRCore
import SRTestSupport

/// Fixtures for the trainer tests: temp folders and small synthetic patch sets.
enum TrainTestSupport {
    /// A fresh temp folder.
    static func tempDir(_ tag: String) -> String {
        TempDir.make("train-\(tag)")
    }

    /// Writes an `srcore.patches` file of `count` smooth synthetic patches (LR = 2x2/3x3 box average of HR).
    static func writePatchSet(path: String, count: Int, scale: Int, lrPatch: Int, seed: UInt64 = 3) throws {
        let hrPatch = lrPatch * scale
        var rng = SeededGenerator(seed: seed)
        var lr = [Float](), hr = [Float]()
        for _ in 0..<count {
            let fx = rng.nextUnit() * 0.5 + 0.1, fy = rng.nextUnit() * 0.5 + 0.1, ph = rng.nextUnit() * 6
            var patch = [Float](repeating: 0, count: hrPatch * hrPatch)
            for y in 0..<hrPatch { for x in 0..<hrPatch {
                let v = 0.5 + 0.35 * sin(Double(x) * fx + ph) * cos(Double(y) * fy) + 0.1 * (rng.nextUnit() - 0.5)
                patch[y * hrPatch + x] = Float(v)
            } }
            hr += patch
            for y in 0..<lrPatch { for x in 0..<lrPatch {
                var s: Float = 0
                for i in 0..<scale { for j in 0..<scale { s += patch[(y * scale + i) * hrPatch + x * scale + j] } }
                lr.append(s / Float(scale * scale))
            } }
        }
        let f = try HDF5File.create(path)
        defer { f.release() }
        try f.setAttribute("format", PatchSetInfo.format)
        try f.setAttribute("format_version", PatchSetInfo.formatVersion)
        for (k, v) in [("count", count), ("scale", scale), ("lr_patch", lrPatch), ("hr_patch", hrPatch),
                       ("stride", lrPatch), ("augment", 1), ("seed", 0)] {
            try f.setAttribute(k, v)
        }
        try f.setAttribute("dtype", "float32")
        try f.setAttribute("downsample", "pillow")
        try f.write("/lr", floats: lr, shape: [count, 1, lrPatch, lrPatch])
        try f.write("/hr", floats: hr, shape: [count, 1, hrPatch, hrPatch])
        try f.write("/origin", int32s: [Int32](repeating: 0, count: count * 4), shape: [count, 4])
    }

    /// A small architecture that trains quickly in debug builds.
    static func smallConfig(scale: Int) -> DCSCNConfig {
        DCSCNConfig(scale: scale, featureWidths: [8, 6, 5], ninA: 6, ninB: 4, shufflerFilters: 1)
    }
}
