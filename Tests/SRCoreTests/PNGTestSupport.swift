#if canImport(Glibc)
import Glibc
#endif
@testable import SRCore
import SRTestSupport

/// Shared helpers for the imaging tests (set5 golden data, temp folders, synthetic images).
enum ImagingFixtures {
    /// Decoded set5 image `n` (1...5).
    static func set5(_ n: Int) throws -> PNGImage {
        try PNGCodec.read(path: SharedData.path("data/eval/set5/img_00\(n).png"))
    }

    /// The golden float64 luma of set5 image `n` (full, unaligned).
    static func hrY(_ n: Int) -> [Double] {
        SharedData.readF64("reference/golden/set5/img_00\(n)_hr_y.f64")
    }

    /// Top-left crop of a row-major plane.
    static func crop<T>(_ v: [T], width: Int, to w: Int, _ h: Int) -> [T] {
        var out = [T]()
        out.reserveCapacity(w * h)
        for y in 0..<h { out.append(contentsOf: v[(y * width)..<(y * width + w)]) }
        return out
    }

    /// The aligned (multiple of `scale`) golden luma of image `n` as double and float images.
    static func alignedHR(_ n: Int, scale: Int) throws -> (y: [Double], width: Int, height: Int) {
        let png = try set5(n)
        let w = png.width - png.width % scale, h = png.height - png.height % scale
        return (crop(hrY(n), width: png.width, to: w, h), w, h)
    }

    /// A fresh empty temporary folder.
    static func tempDir() -> String {
        TempDir.make("imaging")
    }

    /// Deterministic pseudo-random samples in 0..<bound.
    static func samples(_ count: Int, bound: Int, seed: UInt64) -> [UInt16] {
        var state = seed &* 0x9E3779B97F4A7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt16(state % UInt64(bound))
        }
    }

    /// Reads a whole file.
    static func readFile(_ path: String) -> [UInt8] {
        guard let f = fopen(path, "rb") else { return [] }
        defer { fclose(f) }
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    /// Writes a whole file.
    static func writeFile(_ path: String, _ bytes: [UInt8]) {
        let f = fopen(path, "wb")!
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, f) }
        fclose(f)
    }

    /// Files in a folder (names only).
    static func listDir(_ path: String) -> [String] { TempDir.names(path) }
}
