import SRCore
import SRMPI

/// `mpirun -np N sr eval FOLDER`: rank r scores images r, r+N, ... of the sorted folder; the
/// per-image scores are summed into one table over the ranks (each row is non-zero on exactly one
/// rank, so the sum copies it exactly) and rank 0 prints the report `sr eval` prints alone.
extension EvalCommand {
    func evaluateOnRanks(_ world: Communicator, network: DCSCN, model: String) throws -> EvalReport {
        let samples = try Evaluator.prepare(folder: folder, scale: network.config.scale, maxPixels: maxPixels)
        let mine = world.share(Array(samples.indices))
        let part = try Evaluator.evaluate(network: network, samples: mine.map { samples[$0] }, dataset: "",
                                          ensemble: ensemble, threads: threads, model: model)
        let fields = 6
        var table = [Double](repeating: 0, count: samples.count * fields)
        for (i, r) in zip(mine, part.images) {
            let row = [Double(r.width), Double(r.height), r.psnr, r.ssim, r.bicubicPSNR, r.bicubicSSIM]
            for k in 0..<fields { table[i * fields + k] = row[k] }
        }
        try world.allreduceSum(&table)
        let images = samples.indices.map { i in
            let t = table[(i * fields)..<((i + 1) * fields)].map { $0 }
            return EvalImageResult(name: samples[i].name, width: Int(t[0]), height: Int(t[1]), psnr: t[2], ssim: t[3],
                                   bicubicPSNR: t[4], bicubicSSIM: t[5])
        }
        return EvalReport(model: model, scale: network.config.scale, dataset: Evaluator.datasetName(folder),
                          ensemble: ensemble, images: images)
    }
}
