import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval
/// Validation for `sr train`: the `sr eval` procedure (Evaluator: luma, Pillow bicubic LR,
/// inference engine, PSNR/SSIM with a `scale`-pixel shave) on an image folder, self-ensemble off.
public enum TrainValidator {
    /// A validator closure for `TrainingRun`; the folder is read and prepared once.
    public static func make(folder: String, scale: Int, threads: Int) throws -> (DCSCNParameters) throws -> TrainValidation {
        let samples = try Evaluator.prepare(folder: folder, scale: scale)
        let dataset = folder.split(separator: "/").last.map(String.init) ?? folder
        return { params in
            let net = try DCSCN(parameters: params)
            let r = try Evaluator.evaluate(network: net, samples: samples, dataset: dataset, ensemble: 1, threads: threads)
            let img = try samples.first.map { try net.forward(lr: $0.lr, bicubic: $0.bicubic, threads: threads) }
            return TrainValidation(psnr: r.meanPSNR, ssim: r.meanSSIM, bicubicPSNR: r.meanBicubicPSNR,
                                   bicubicSSIM: r.meanBicubicSSIM, image: img)
        }
    }
}
