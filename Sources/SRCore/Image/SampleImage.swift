#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// Procedural test pictures that the project draws itself (no data files needed):
/// used by `make demo`, tests and benchmarks when no real image is at hand.
public enum SampleImage {
    /// An RGB picture on the 0...255 scale with integer values: a colour gradient background,
    /// a zone plate (all frequencies and orientations), anti-aliased disks, thin lines and a
    /// checkerboard — the structures super-resolution is judged on.
    ///
    /// - Parameters:
    ///   - width: width in pixels (≥ 1).
    ///   - height: height in pixels (≥ 1).
    ///   - seed: varies the disk positions and colours.
    /// - Returns: a 3-plane `Image`.
    public static func make(width: Int, height: Int, seed: UInt64 = 1) -> Image {
        var img = Image(width: width, height: height, channels: 3)
        var rng = SeededGenerator(seed: seed)
        let w = Double(width), h = Double(height)
        struct Disk { var x, y, r: Double; var c: (Double, Double, Double) }
        let disks: [Disk] = (0..<6).map { _ in
            Disk(x: rng.nextUnit() * w, y: rng.nextUnit() * h, r: (0.05 + 0.1 * rng.nextUnit()) * min(w, h),
                 c: (rng.nextUnit() * 255, rng.nextUnit() * 255, rng.nextUnit() * 255))
        }
        let cx = w * 0.7, cy = h * 0.35, rz = 0.45 * min(w, h)
        for y in 0..<height {
            for x in 0..<width {
                let fx = Double(x) + 0.5, fy = Double(y) + 0.5
                var r = 40 + 150 * fx / w, g = 60 + 120 * fy / h, b = 200 - 120 * (fx + fy) / (w + h)
                // zone plate in a disk
                let dx = fx - cx, dy = fy - cy
                let d2 = dx * dx + dy * dy
                if d2 < rz * rz {
                    let v = 128 + 110 * cos(Double.pi * d2 / (rz * 4))
                    let t = min(1, (rz - sqrt(d2)) / 3)
                    r = r * (1 - t) + v * t; g = g * (1 - t) + v * t; b = b * (1 - t) + v * t
                }
                for dk in disks {
                    let dd = sqrt((fx - dk.x) * (fx - dk.x) + (fy - dk.y) * (fy - dk.y))
                    let a = max(0, min(1, dk.r - dd + 0.5))
                    r = r * (1 - a) + dk.c.0 * a; g = g * (1 - a) + dk.c.1 * a; b = b * (1 - a) + dk.c.2 * a
                }
                // checkerboard strip along the bottom, thin diagonal lines
                if fy > h * 0.85 {
                    let on = ((x / 4) + (y / 4)) % 2 == 0
                    r = on ? 235 : 20; g = r; b = r
                } else if (x + y) % 23 == 0 {
                    r = 250; g = 250; b = 250
                }
                img[0, y, x] = Float(max(0, min(255, r.rounded())))
                img[1, y, x] = Float(max(0, min(255, g.rounded())))
                img[2, y, x] = Float(max(0, min(255, b.rounded())))
            }
        }
        return img
    }
}
