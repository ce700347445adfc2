import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval
/// Building blocks of `sr train` that are not the loop itself: fine-tuning initialisation and the
/// check that a patch set fits the network.
public enum TrainSetup {
    /// Starting weights for `config`: `initializer` (default He truncated normal), with every layer of `from` whose name and
    /// shapes match copied over (x3/x4 from a trained x2: the feature layers, the NIN and R-CNN1
    /// carry over, the upsampler is re-initialised). Returns the weights and the copied layer names.
    public static func initialParameters(config: DCSCNConfig, seed: UInt64, from: DCSCNParameters?,
                                         initializer: DCSCNInitializer = .heTruncated) throws
        -> (DCSCNParameters, copied: [String]) {
        var p = try DCSCNParameters.initialized(config: config, seed: seed, initializer: initializer)
        guard let from else { return (p, []) }
        var copied: [String] = []
        let src = Dictionary(uniqueKeysWithValues: zip(from.config.layers.map(\.name), zip(from.config.layers, from.layers)))
        for (i, s) in config.layers.enumerated() {
            guard let (fs, fp) = src[s.name], fs.kernel == s.kernel, fs.inChannels == s.inChannels,
                  fs.outChannels == s.outChannels, fs.hasBias == s.hasBias, fs.hasPReLU == s.hasPReLU else { continue }
            p = try p.replacingLayer(i) { $0 = fp }
            copied.append(s.name)
        }
        return (p, copied)
    }

    /// Refuses a patch set whose scale or patch layout does not fit the network.
    public static func check(_ reader: PatchSetReader, config: DCSCNConfig) throws {
        guard reader.scale == config.scale else {
            throw SRError(.shapeMismatch, "\(reader.path): patch set is for x\(reader.scale), the network is x\(config.scale)")
        }
        guard reader.hrPatch == reader.lrPatch * config.scale, reader.lrPatch > 0 else {
            throw SRError(.shapeMismatch, "\(reader.path): HR patches are \(reader.hrPatch)x\(reader.hrPatch), expected \(config.scale) x LR \(reader.lrPatch) = \(reader.lrPatch * config.scale)")
        }
    }
}
