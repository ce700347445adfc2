import SRSupport
import SRImage
import SRFormats
import SRModel
/// Scores of one evaluated image: the model and the plain bicubic baseline, against the HR luma.
public struct EvalImageResult: Equatable, Sendable {
    /// File name (without folder).
    public var name: String
    /// Aligned HR size (multiple of the scale).
    public var width: Int, height: Int
    /// Model PSNR (dB) and SSIM.
    public var psnr: Double, ssim: Double
    /// Bicubic-upscale PSNR (dB) and SSIM.
    public var bicubicPSNR: Double, bicubicSSIM: Double

    /// Creates a result.
    public init(name: String, width: Int, height: Int, psnr: Double, ssim: Double, bicubicPSNR: Double, bicubicSSIM: Double) {
        self.name = name
        self.width = width
        self.height = height
        self.psnr = psnr
        self.ssim = ssim
        self.bicubicPSNR = bicubicPSNR
        self.bicubicSSIM = bicubicSSIM
    }
}

/// The result of `Evaluator.evaluate`: per-image scores and their arithmetic means (docs/reference.md §9).
public struct EvalReport: Equatable, Sendable {
    /// Model name (e.g. the weights file name).
    public var model: String
    /// Scale factor (from the model).
    public var scale: Int
    /// Dataset name (the folder's last path component).
    public var dataset: String
    /// Self-ensemble passes used (1 or 8).
    public var ensemble: Int
    /// Per-image scores in file-name order.
    public var images: [EvalImageResult]

    /// Creates a report.
    public init(model: String, scale: Int, dataset: String, ensemble: Int, images: [EvalImageResult]) {
        self.model = model
        self.scale = scale
        self.dataset = dataset
        self.ensemble = ensemble
        self.images = images
    }

    private func mean(_ f: (EvalImageResult) -> Double) -> Double {
        images.isEmpty ? .nan : images.reduce(0) { $0 + f($1) } / Double(images.count)
    }
    /// Mean model PSNR (dB).
    public var meanPSNR: Double { mean(\.psnr) }
    /// Mean model SSIM.
    public var meanSSIM: Double { mean(\.ssim) }
    /// Mean bicubic PSNR (dB).
    public var meanBicubicPSNR: Double { mean(\.bicubicPSNR) }
    /// Mean bicubic SSIM.
    public var meanBicubicSSIM: Double { mean(\.bicubicSSIM) }

    /// One JSON object: `{"model","scale","dataset","mean":{"psnr","ssim","bicubic_psnr","bicubic_ssim"},
    /// "images":[{"name","psnr","ssim","bicubic_psnr","bicubic_ssim"}]}`. Numbers use the shortest
    /// representation that round-trips; non-finite values (identical images) are `null`.
    public func json() -> String {
        func scores(_ p: Double, _ s: Double, _ bp: Double, _ bs: String) -> String {
            "\"psnr\":\(JSONText.number(p)),\"ssim\":\(JSONText.number(s)),\"bicubic_psnr\":\(JSONText.number(bp)),\"bicubic_ssim\":\(bs)"
        }
        let rows = images.map {
            "{\"name\":\(JSONText.string($0.name)),"
                + scores($0.psnr, $0.ssim, $0.bicubicPSNR, JSONText.number($0.bicubicSSIM)) + "}"
        }
        return "{\"model\":\(JSONText.string(model)),\"scale\":\(scale),\"dataset\":\(JSONText.string(dataset)),"
            + "\"mean\":{" + scores(meanPSNR, meanSSIM, meanBicubicPSNR, JSONText.number(meanBicubicSSIM)) + "},"
            + "\"images\":[" + rows.joined(separator: ",") + "]}"
    }

    /// A human-readable table: one row per image with the bicubic baseline beside the model and the
    /// gain, then the means.
    public func table() -> String {
        let nameWidth = max(8, images.map(\.name.count).max() ?? 0)
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, w - s.count))
            return left ? s + fill : fill + s
        }
        func row(_ name: String, _ size: String, _ p: Double, _ s: Double, _ bp: Double, _ bs: Double) -> String {
            pad(name, nameWidth, left: true) + pad(size, 11) + pad(DecimalFormat.fixed(bp, 4), 10) + pad(DecimalFormat.fixed(bs, 5), 9)
                + pad(DecimalFormat.fixed(p, 4), 10) + pad(DecimalFormat.fixed(s, 5), 9) + pad(DecimalFormat.fixed(p - bp, 3), 8)
        }
        var lines = ["\(model) x\(scale) on \(dataset)" + (ensemble > 1 ? " (self-ensemble \(ensemble))" : ""),
                     pad("image", nameWidth, left: true) + pad("size", 11) + pad("bic PSNR", 10) + pad("bic SSIM", 9)
                        + pad("PSNR", 10) + pad("SSIM", 9) + pad("gain", 8)]
        for r in images {
            lines.append(row(r.name, "\(r.width)x\(r.height)", r.psnr, r.ssim, r.bicubicPSNR, r.bicubicSSIM))
        }
        lines.append(row("mean (\(images.count))", "", meanPSNR, meanSSIM, meanBicubicPSNR, meanBicubicSSIM))
        return lines.joined(separator: "\n")
    }
}
