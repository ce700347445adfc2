#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats

/// The architecture of one DCSCN network (docs/reference.md §1–§4), independent of its weights.
///
/// A config fully determines the layer list (`layers`), every tensor shape and the receptive
/// field; engine, trainer and weights files all derive from it, so there are no code paths per model.
public struct DCSCNConfig: Equatable, Sendable {
    /// Super-resolution factor (2, 3 or 4; others use one pixel-shuffler stage).
    public var scale: Int
    /// Output widths of the feature-extraction 3x3 convs CNN1...CNN_L, in layer order.
    public var featureWidths: [Int]
    /// Width of the 1x1 NIN branch A1.
    public var ninA: Int
    /// Width of the NIN branch B1 (1x1) and B2 (3x3).
    public var ninB: Int
    /// Channels after the last depth-to-space; 0 keeps the reconstruction width (`ninA + ninB`).
    public var shufflerFilters: Int
    /// Kernel size of every "3x3" conv (odd).
    public var kernelSize: Int
    /// Whether the bicubic upscale is added to R-CNN1's output (the global residual; off with
    /// `sr train --no-residual`, docs/techniques.md "Knobs").
    public var residual = true
    /// Input normalisation: the first layer sees `(luma - inputShift) * inputScale` (0 and 1 by
    /// default; `sr train --input-shift/--input-scale`). The zero padding is applied after it.
    public var inputShift: Float = 0, inputScale: Float = 1

    /// Whether residual and input normalisation have their defaults (a file needs format_version 3 otherwise).
    public var hasDefaultStructure: Bool { residual && inputShift == 0 && inputScale == 1 }

    /// Creates a config from explicit widths.
    public init(scale: Int, featureWidths: [Int], ninA: Int, ninB: Int, shufflerFilters: Int, kernelSize: Int = 3) {
        self.scale = scale
        self.featureWidths = featureWidths
        self.ninA = ninA
        self.ninB = ninB
        self.shufflerFilters = shufflerFilters
        self.kernelSize = kernelSize
    }

    /// Creates a config from the reference's flags (docs/reference.md §2 width formula).
    public init(scale: Int, layers: Int, filters: Int, minFilters: Int, gamma: Double,
                ninA: Int, ninB: Int, shufflerFilters: Int, kernelSize: Int = 3) {
        self.init(scale: scale,
                  featureWidths: DCSCNConfig.featureWidths(layers: layers, filters: filters,
                                                           minFilters: minFilters, gamma: gamma),
                  ninA: ninA, ninB: ninB, shufflerFilters: shufflerFilters, kernelSize: kernelSize)
    }

    /// docs/reference.md §2: `n_0 = filters`, `n_i = trunc((filters - min) * (1 - (i/(L-1))^(1/gamma)) + min)`.
    public static func featureWidths(layers: Int, filters: Int, minFilters: Int, gamma: Double) -> [Int] {
        guard layers > 0 else { return [] }
        let minF = min(filters, minFilters)
        var widths = [filters]
        if layers > 1 {
            for i in 1..<layers {
                if minF == 0 { widths.append(filters); continue }
                let x = Double(i) / Double(layers - 1)
                let y = pow(x, 1.0 / gamma)
                widths.append(Int(Double(filters - minF) * (1 - y) + Double(minF)))
            }
        }
        return widths
    }

    /// c-DCSCN (docs/reference.md §4.1): L7 F32→8, gamma 1.2, A24, B8, one channel after the shuffler.
    public static func compact(scale: Int) -> DCSCNConfig {
        DCSCNConfig(scale: scale, layers: 7, filters: 32, minFilters: 8, gamma: 1.2,
                    ninA: 24, ninB: 8, shufflerFilters: 1)
    }

    /// The reference's default model (docs/reference.md §4.2): L12 F196→48, gamma 1.5, A64, B32.
    public static func standard(scale: Int) -> DCSCNConfig {
        DCSCNConfig(scale: scale, layers: 12, filters: 196, minFilters: 48, gamma: 1.5,
                    ninA: 64, ninB: 32, shufflerFilters: 0)
    }

    /// Width of H_concat (sum of the feature widths).
    public var concatWidth: Int { featureWidths.reduce(0, +) }
    /// Width of Concat2 = B2 then A1.
    public var reconstructionWidth: Int { ninA + ninB }
    /// Channels after the final depth-to-space.
    public var outputChannels: Int { shufflerFilters == 0 ? reconstructionWidth : shufflerFilters }
    /// Depth-to-space block factors, in order: [2], [3], or [2, 2] for x4 (docs/reference.md §3.4).
    public var upsampleBlocks: [Int] { scale == 4 ? [2, 2] : [scale] }

    /// Every conv of the network in execution order (the order of weights files).
    public var layers: [DCSCNLayerSpec] {
        let k = kernelSize
        var out: [DCSCNLayerSpec] = []
        var cin = 1
        for (i, w) in featureWidths.enumerated() {
            out.append(DCSCNLayerSpec(name: "CNN\(i + 1)", role: .feature(i), kernel: k, inChannels: cin,
                                      outChannels: w, hasBias: true, hasPReLU: true, hasDropout: true))
            cin = w
        }
        out.append(DCSCNLayerSpec(name: "A1", role: .ninA, kernel: 1, inChannels: concatWidth,
                                  outChannels: ninA, hasBias: true, hasPReLU: true, hasDropout: true))
        out.append(DCSCNLayerSpec(name: "B1", role: .ninB1, kernel: 1, inChannels: concatWidth,
                                  outChannels: ninB, hasBias: true, hasPReLU: true, hasDropout: true))
        out.append(DCSCNLayerSpec(name: "B2", role: .ninB2, kernel: k, inChannels: ninB,
                                  outChannels: ninB, hasBias: true, hasPReLU: true, hasDropout: true))
        let blocks = upsampleBlocks
        var c = reconstructionWidth
        for (s, b) in blocks.enumerated() {
            let last = s == blocks.count - 1
            let after = last ? outputChannels : c
            out.append(DCSCNLayerSpec(name: s == 0 ? "Up-PS" : "Up-PS\(s + 1)", role: .upsample(stage: s, block: b),
                                      kernel: k, inChannels: c, outChannels: b * b * after,
                                      hasBias: true, hasPReLU: false, hasDropout: false))
            c = after
        }
        out.append(DCSCNLayerSpec(name: "R-CNN1", role: .reconstruct, kernel: k, inChannels: c,
                                  outChannels: 1, hasBias: false, hasPReLU: false, hasDropout: false))
        return out
    }

    /// Number of trainable parameters.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// Multiply-adds per LR pixel of one forward pass.
    public var macsPerLRPixel: Int {
        var total = 0
        var area = 1 // HR-resolution factor squared of the layer's grid
        for l in layers {
            total += area * l.kernel * l.kernel * l.inChannels * l.outChannels
            if case .upsample(_, let b) = l.role { area *= b * b }
        }
        return total
    }

    /// LR pixels each side that an output pixel depends on (10 for every c-DCSCN scale).
    public var receptiveField: Int {
        let r = Double(kernelSize / 2)
        var lr = Double(featureWidths.count) * r + r  // feature layers, then B2 (A1 is 1x1)
        var grid = 1.0
        for b in upsampleBlocks {
            lr += r / grid
            grid *= Double(b)
        }
        lr += r / grid // R-CNN1 at HR resolution
        return Int(lr.rounded(.up))
    }

    /// Largest accepted width, feature-layer count and kernel size: far beyond any DCSCN, and small
    /// enough that every shape and count derived from a config fits in `Int` (configs come from files).
    public static let maxWidth = 16384, maxFeatureLayers = 1024, maxKernelSize = 31

    /// Checks that the config is buildable.
    public func validate() throws {
        guard (2...8).contains(scale) else { throw SRError(.unsupported, "scale \(scale) is not supported (2...8)") }
        guard !featureWidths.isEmpty, featureWidths.allSatisfy({ $0 > 0 }) else {
            throw SRError(.invalidArgument, "feature widths must be positive: \(featureWidths)")
        }
        guard ninA > 0, ninB > 0, shufflerFilters >= 0 else {
            throw SRError(.invalidArgument, "NIN widths must be positive (A \(ninA), B \(ninB))")
        }
        guard kernelSize > 0, kernelSize % 2 == 1 else {
            throw SRError(.invalidArgument, "kernel size must be odd, got \(kernelSize)")
        }
        guard inputShift.isFinite, inputScale.isFinite, inputScale != 0 else {
            throw SRError(.invalidArgument, "input normalisation needs a finite shift and a finite non-zero scale, got \(inputShift) and \(inputScale)")
        }
        let m = DCSCNConfig.maxWidth
        guard featureWidths.count <= DCSCNConfig.maxFeatureLayers, kernelSize <= DCSCNConfig.maxKernelSize,
              featureWidths.allSatisfy({ $0 <= m }), ninA <= m, ninB <= m, shufflerFilters <= m else {
            throw SRError(.unsupported, "config too large: at most \(DCSCNConfig.maxFeatureLayers) feature layers, widths up to \(m), "
                          + "kernel size up to \(DCSCNConfig.maxKernelSize)")
        }
    }
}

/// One convolution of the network: conv k x k (SAME) → +bias → PReLU → dropout (training only).
public struct DCSCNLayerSpec: Equatable, Sendable {
    /// What the layer does in the graph.
    public enum Role: Equatable, Sendable {
        /// CNN(i+1): input is the previous feature layer (or the LR image), output goes to H_concat.
        case feature(Int)
        /// A1: 1x1 on H_concat; output is the second part of Concat2.
        case ninA
        /// B1: 1x1 on H_concat.
        case ninB1
        /// B2: k x k on B1; output is the first part of Concat2.
        case ninB2
        /// Pixel-shuffler conv followed by depth_to_space(block).
        case upsample(stage: Int, block: Int)
        /// R-CNN1: final conv to one channel; the bicubic input is added to its output.
        case reconstruct
    }
    /// The TF scope name (CNN1, A1, Up-PS, R-CNN1 ...).
    public var name: String
    /// The layer's role in the graph.
    public var role: Role
    /// Kernel size (1 or `kernelSize`).
    public var kernel: Int
    /// Input channels.
    public var inChannels: Int
    /// Output channels (before any depth-to-space).
    public var outChannels: Int
    /// Whether a bias is added.
    public var hasBias: Bool
    /// Whether a PReLU follows.
    public var hasPReLU: Bool
    /// Whether dropout follows during training.
    public var hasDropout: Bool

    /// Elements of the HWIO kernel.
    public var kernelCount: Int { kernel * kernel * inChannels * outChannels }
    /// Trainable parameters of the layer.
    public var parameterCount: Int { kernelCount + (hasBias ? outChannels : 0) + (hasPReLU ? outChannels : 0) }
}
