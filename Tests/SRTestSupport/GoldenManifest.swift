import Foundation

/// The golden data's `reference/golden/manifest.json` (beside the package in `../shared`), parsed once:
/// the per-image reference metrics and the shapes of the golden tensor files. Empty when the
/// reference data is absent (the tests that use it are skipped then).
package struct GoldenManifest: Sendable {
    /// `metrics["set5/x2/img_001"]["psnr"]` and the like: every numeric field of each entry.
    package let metrics: [String: [String: Double]]
    /// `[H, W(, C)]` of each golden file, by its path relative to the golden folder.
    package let shapes: [String: [Int]]

    /// The manifest of `../shared`, or an empty one.
    package static let shared: GoldenManifest = load(SharedData.path("reference/golden/manifest.json"))

    /// Parses the manifest at `path` (empty when missing or unreadable).
    package static func load(_ path: String) -> GoldenManifest {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return GoldenManifest(metrics: [:], shapes: [:])
        }
        var metrics: [String: [String: Double]] = [:]
        for (key, value) in json["metrics"] as? [String: Any] ?? [:] {
            guard let fields = value as? [String: Any] else { continue }
            metrics[key] = fields.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        var shapes: [String: [Int]] = [:]
        for (key, value) in json["files"] as? [String: Any] ?? [:] {
            if let shape = (value as? [String: Any])?["shape"] as? [Int] { shapes[key] = shape }
        }
        return GoldenManifest(metrics: metrics, shapes: shapes)
    }

    /// `metrics["set5/x<scale>/<image>"][field]`, or nil.
    package func metric(scale: Int, image: String, _ field: String) -> Double? {
        metrics["set5/x\(scale)/\(image)"]?[field]
    }
}
