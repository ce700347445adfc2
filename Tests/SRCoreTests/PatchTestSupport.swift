#if canImport(Glibc)
import Glibc
#endif
@testable import SRCore
import SRTestSupport

/// Fixtures for the srprep tests: small synthetic PNG folders written with the imaging encoder.
enum PatchFixture {
    /// A fresh empty temporary folder.
    static func folder(_ tag: String) -> String { TempDir.make(tag) }

    /// Removes a folder and its files (one level).
    static func remove(_ dir: String) { TempDir.remove(dir) }

    /// Names in a folder (hidden ones included), sorted.
    static func names(_ dir: String) -> [String] { TempDir.names(dir) }

    /// Writes `count` PNGs of varied sizes (odd sizes included; one gray 16-bit, one RGBA,
    /// one smaller than a patch when `withSmall`) and returns the folder.
    static func images(_ tag: String, count: Int = 5, withSmall: Bool = false) throws -> String {
        let dir = folder(tag)
        for i in 0..<count {
            let w = 37 + 9 * i, h = 31 + 7 * ((i * 3) % 5)
            var img = SampleImage.make(width: w, height: h, seed: UInt64(i + 1))
            var depth = 8
            if i == 1 { img = img.plane(1); depth = 16 }
            if i == 2 {
                img = Image(width: w, height: h, channels: 4, pixels: img.pixels + [Float](repeating: 200, count: w * h))
            }
            try PNGCodec.write(PNGImage(image: img, bitDepth: depth), to: "\(dir)/img\(i).png")
        }
        if withSmall {
            try PNGCodec.write(PNGImage(image: SampleImage.make(width: 9, height: 40, seed: 99)), to: "\(dir)/small.png")
        }
        return dir
    }

    /// Default options for the tests: x2, LR patch 8, stride 4.
    static func options(augment: Int = 8, seed: UInt64 = 7) throws -> PatchBuildOptions {
        var o = PatchBuildOptions(grid: try PatchGrid(scale: 2, lrPatch: 8, stride: 4),
                                  augmentation: try AugmentationPlan(level: augment))
        o.seed = seed
        o.threads = 2
        return o
    }

    /// Every patch of a set: origins (4 per patch), LR and HR values (0...1).
    static func readAll(_ path: String) throws -> (origin: [Int32], lr: [Float], hr: [Float], reader: PatchSetReader) {
        let r = try PatchSetReader(path: path)
        var lr = [Float](repeating: .nan, count: r.count * r.lrPatch * r.lrPatch)
        var hr = [Float](repeating: .nan, count: r.count * r.hrPatch * r.hrPatch)
        try lr.withUnsafeMutableBufferPointer { l in
            try hr.withUnsafeMutableBufferPointer { h in try r.read(start: 0, count: r.count, lr: l, hr: h) }
        }
        return (try r.origins(start: 0, count: r.count), lr, hr, r)
    }
}
