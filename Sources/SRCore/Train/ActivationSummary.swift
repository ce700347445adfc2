import SRSupport
import SRImage
import SRModel
import SREval

/// `sr train --tb-histograms`: per-layer activation histograms and the fraction of negative values
/// (a stalled or dying layer shows as a spike at 0) of the current weights, as exported, on the first
/// patches of the latest training batch (docs/lab.md).
struct ActivationSummary {
    /// Patches kept from each batch.
    static let patches = 4
    private var lr: [Image] = [], bic: [Image] = []

    /// Keeps copies of the first `patches` patches of `batch` (a few thousand floats).
    mutating func keep(_ batch: TrainBatch) {
        let n = min(Self.patches, batch.count), l = batch.lrSide, h = batch.hrSide
        lr = (0..<n).map { Image(width: l, height: l, channels: 1, pixels: Array(batch.lr[($0 * l * l)..<(($0 + 1) * l * l)])) }
        bic = (0..<n).map { Image(width: h, height: h, channels: 1, pixels: Array(batch.bic[($0 * h * h)..<(($0 + 1) * h * h)])) }
    }

    /// Writes `activations/<layer>` histograms and `activations/<layer>/fraction_negative` scalars
    /// (nothing before the first batch has been kept).
    func write(_ parameters: DCSCNParameters, step: Int, to events: TensorBoardWriter) throws {
        guard !lr.isEmpty else { return }
        let network = try DCSCN(parameters: parameters)
        var names: [String] = [], values: [String: [Float]] = [:]
        for (l, b) in zip(lr, bic) {
            for t in try network.intermediateTensors(lr: l, bicubic: b) where ActivationStatistics.isReported(t.name) {
                if values[t.name] == nil { names.append(t.name) }
                values[t.name, default: []] += t.values
            }
        }
        for name in names {
            let v = values[name]!
            events.histogram("activations/\(name)", v, step: step)
            events.scalar("activations/\(name)/fraction_negative",
                          Double(v.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }) / Double(max(1, v.count)), step: step)
        }
    }
}
