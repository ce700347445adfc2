import SRSupport
import SRImage
import SRModel

/// The image part of `sr diagnose` (docs/lab.md, "Diagnose"): one forward pass per prepared
/// image (the `sr eval` procedure, `Evaluator.prepare`), per-layer activation statistics over all
/// images, a side-by-side error heat map per image, and optionally the raw tensors.
public enum ActivationDiagnosis {
    /// What one image's error map holds.
    public struct ErrorMapInfo: Sendable {
        /// Image file name.
        public var name: String
        /// The written PNG's path (nil when no `--out` was given).
        public var path: String?
        /// The shared colour-scale maximum (luma units) of the two maps (`ErrorHeatMap`).
        public var scaleMax: Double
        /// Mean |SR − HR| and |bicubic − HR| over the whole image (no border shaved).
        public var meanErrorSR: Double, meanErrorBicubic: Double
    }

    /// Runs the network on every sample.
    ///
    /// - Parameters:
    ///   - outDir: folder for `<stem>-error.png` (created), or nil for no pictures.
    ///   - dumpDir: folder for the raw tensors (created), or nil: per image `i`,
    ///     `<i>-<layer>.f32` (float32 little-endian HWC, `/` in names written as `_`),
    ///     `<i>-bicubic.f32`, `<i>-truth.f64` (float64 HR luma), and `manifest.json` listing them.
    /// - Returns: the statistics of every reported layer (`ActivationStatistics.isReported`) and one
    ///   `ErrorMapInfo` per image.
    public static func run(network: DCSCN, samples: [EvalSample], outDir: String?, dumpDir: String?) throws
        -> (layers: [LayerActivationStats], maps: [ErrorMapInfo]) {
        var stats = ActivationStatistics()
        var maps: [ErrorMapInfo] = []
        var manifest: [String] = []
        if let d = outDir { try FileSystem.makeDirectories(d) }
        if let d = dumpDir { try FileSystem.makeDirectories(d) }
        for (i, sample) in samples.enumerated() {
            let tensors = try network.intermediateTensors(lr: sample.lr, bicubic: sample.bicubic)
            var output: [Float] = []
            for t in tensors {
                if t.name == "output" { output = t.values }
                if let d = dumpDir {
                    let file = "\(i)-" + t.name.replacingSlashes + ".f32"
                    try writeRaw(t.values, to: d + "/" + file)
                    manifest.append(entry(image: sample.name, index: i, tensor: t.name, shape: t.shape, file: file))
                }
                guard ActivationStatistics.isReported(t.name) else { continue }
                try stats.add(name: t.name, channels: t.shape[2], values: t.values, image: i)
            }
            let w = sample.bicubic.width, h = sample.bicubic.height
            if let d = dumpDir {
                try writeRaw(sample.bicubic.pixels, to: d + "/\(i)-bicubic.f32")
                try writeRaw(sample.truth, to: d + "/\(i)-truth.f64")
                manifest.append(entry(image: sample.name, index: i, tensor: "bicubic", shape: [h, w, 1], file: "\(i)-bicubic.f32"))
                manifest.append(entry(image: sample.name, index: i, tensor: "truth", shape: [h, w, 1], file: "\(i)-truth.f64"))
            }
            let eSR = ErrorHeatMap.errors(output: output, truth: sample.truth)
            let eBic = ErrorHeatMap.errors(output: sample.bicubic.pixels, truth: sample.truth)
            let top = ErrorHeatMap.scaleMax(eSR, eBic)
            var path: String?
            if let d = outDir {
                let stem = sample.name.hasSuffix(".png") ? String(sample.name.dropLast(4)) : sample.name
                path = d + "/" + stem + "-error.png"
                let pic = try ErrorHeatMap.picture(sr: eSR, bicubic: eBic, width: w, height: h, scaleMax: top)
                try PNGCodec.write(PNGImage(image: pic), to: path!)
            }
            let n = Double(Swift.max(1, eSR.count))
            maps.append(ErrorMapInfo(name: sample.name, path: path, scaleMax: top,
                                     meanErrorSR: eSR.reduce(0, +) / n, meanErrorBicubic: eBic.reduce(0, +) / n))
        }
        if let d = dumpDir {
            try AtomicFile.write(d + "/manifest.json", text: "[\n" + manifest.joined(separator: ",\n") + "\n]\n")
        }
        return (stats.results, maps)
    }

    private static func entry(image: String, index: Int, tensor: String, shape: [Int], file: String) -> String {
        "{\"image\": \(JSONText.string(image)), \"index\": \(index), \"tensor\": \(JSONText.string(tensor)), " +
            "\"shape\": [\(shape.map(String.init).joined(separator: ", "))], \"file\": \(JSONText.string(file))}"
    }

    /// Writes the values' bytes (native little-endian) atomically.
    private static func writeRaw<T>(_ values: [T], to path: String) throws {
        let file = try AtomicFile(path: path)
        do {
            try values.withUnsafeBytes { try file.write(bytes: $0) }
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }
}

private extension String {
    /// The name with `/` replaced by `_` (a file name).
    var replacingSlashes: String { String(map { $0 == "/" ? "_" : $0 }) }
}
