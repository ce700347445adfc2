import SRSupport
import SRImage
import SRFormats
import SRModel
/// One evaluation image prepared once (HR luma truth, LR input and its bicubic), reusable across
/// networks of the same scale, e.g. by the trainer's per-epoch validation.
public struct EvalSample: Sendable {
    /// File name.
    public var name: String
    /// Ground-truth luma of the aligned HR image, in double (row-major).
    public var truth: [Double]
    /// LR network input (Pillow-float bicubic downscale of the float32 luma; mode "L" for 8-bit gray).
    public var lr: Image
    /// Bicubic upscale of `lr` to the aligned HR size (the network's second input and the baseline).
    public var bicubic: Image
}

/// The reference evaluation (docs/reference.md §8.1, §9): align to the scale, luma, bicubic LR, bicubic upscale,
/// forward (optionally self-ensembled), round/clip, shave `scale` pixels, PSNR and SSIM on luma,
/// with the plain bicubic upscale scored beside the model.
public enum Evaluator {
    /// Evaluates `network` on every PNG of `folder` (sorted by name).
    ///
    /// - Parameters:
    ///   - network: the model; its scale is used.
    ///   - folder: a folder of HR PNG images.
    ///   - ensemble: self-ensemble passes (1 or 8; 1...8 accepted).
    ///   - threads: worker threads of each forward pass.
    ///   - model: the name to report (e.g. the weights file name).
    ///   - maxPixels: the largest image decoded (`PixelLimit`; 0 = no limit).
    /// - Throws: `.io` if the folder cannot be read or holds no PNG, PNG decode errors naming the file,
    ///   `.invalidArgument` for an image smaller than one LR pixel, `.outOfMemory` over `maxPixels`.
    public static func evaluate(network: DCSCN, folder: String, ensemble: Int = 1, threads: Int = 2,
                                model: String = "model", maxPixels: Int = PixelLimit.defaultMaxPixels) throws -> EvalReport {
        let samples = try prepare(folder: folder, scale: network.config.scale, maxPixels: maxPixels)
        return try evaluate(network: network, samples: samples, dataset: datasetName(folder), ensemble: ensemble,
                            threads: threads, model: model)
    }

    /// Evaluates prepared samples (see `prepare(folder:scale:)`); their scale must match the network's.
    public static func evaluate(network: DCSCN, samples: [EvalSample], dataset: String, ensemble: Int = 1,
                                threads: Int = 2, model: String = "model") throws -> EvalReport {
        let s = network.config.scale
        let up = Upscaler(network: network)
        var results: [EvalImageResult] = []
        for sample in samples {
            guard sample.bicubic.width == sample.lr.width * s, sample.bicubic.height == sample.lr.height * s else {
                throw SRError(.shapeMismatch, "\(sample.name): prepared for scale \(sample.bicubic.width / max(1, sample.lr.width)), the model is x\(s)")
            }
            let out = try up.upscaleLuma(sample.lr, bicubic: sample.bicubic,
                                         options: UpscaleOptions(ensemble: ensemble, threads: threads))
            let w = sample.bicubic.width, h = sample.bicubic.height
            let m = try Metrics.evaluate(truth: sample.truth, output: out.pixels, width: w, height: h, border: s)
            let b = try Metrics.evaluate(truth: sample.truth, output: sample.bicubic.pixels, width: w, height: h, border: s)
            results.append(EvalImageResult(name: sample.name, width: w, height: h, psnr: m.psnr, ssim: m.ssim,
                                           bicubicPSNR: b.psnr, bicubicSSIM: b.ssim))
        }
        return EvalReport(model: model, scale: s, dataset: dataset, ensemble: ensemble, images: results)
    }

    /// Loads and prepares every image (PNG, JPEG) of `folder` (sorted) for evaluation at `scale`; an image over
    /// `maxPixels` (0 = no limit) is refused from its header.
    public static func prepare(folder: String, scale: Int,
                               maxPixels: Int = PixelLimit.defaultMaxPixels) throws -> [EvalSample] {
        let names = try FileSystem.listFiles(folder, suffixes: ImageFormat.allSuffixes) // byte-sorted
        guard !names.isEmpty else { throw SRError(.io, "\(folder): no .png/.jpg files to evaluate") }
        return try names.map {
            try prepare(image: ImageReaders.read(path: folder + "/" + $0, maxPixels: maxPixels).image, name: $0, scale: scale)
        }
    }

    /// Prepares one decoded image (0...255 planes): top-left crop to a multiple of `scale`, luma
    /// (double truth; float32 network input), LR by Pillow bicubic, bicubic upscale back.
    /// 8-bit-valued gray images take Pillow's mode "L" path (rounded, clipped bytes), as the reference does.
    public static func prepare(image: Image, name: String, scale: Int) throws -> EvalSample {
        let w = image.width / scale * scale, h = image.height / scale * scale
        guard scale >= 1, w > 0, h > 0 else {
            throw SRError(.invalidArgument, "\(name): \(image.width)x\(image.height) is smaller than the scale \(scale)")
        }
        let hr = image.cropped(width: w, height: h)
        let truth = YCbCr.lumaDouble(hr)
        let lr: Image, bic: Image
        if hr.channels < 3 && isByteValued(hr.plane(0)) {
            lr = Resize.bicubic8(hr.plane(0), width: w / scale, height: h / scale)
            bic = Resize.bicubic8(lr, width: w, height: h)
        } else {
            lr = Resize.bicubic(YCbCr.luma(hr), width: w / scale, height: h / scale)
            bic = Resize.bicubic(lr, width: w, height: h)
        }
        return EvalSample(name: name, truth: truth, lr: lr, bicubic: bic)
    }

    /// Whether every sample is an integer in 0...255 (an 8-bit image).
    static func isByteValued(_ image: Image) -> Bool {
        image.pixels.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() }
    }

    /// The last path component of a folder ("…/eval/set5/" → "set5").
    public static func datasetName(_ folder: String) -> String {
        folder.split(separator: "/").last.map(String.init) ?? folder
    }
}
