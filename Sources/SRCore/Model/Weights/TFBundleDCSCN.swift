import SRSupport
import SRImage
import SRKernels
import SRFormats
/// Importing the reference's DCSCN checkpoints (docs/tf-checkpoints.md): the config is inferred from the
/// variable shapes alone, then every tensor is checked against the config's layer list.
extension TFBundle {
    /// The TF variable names of one layer: kernel, bias (if any), PReLU slopes (if any).
    package static func variableNames(of spec: DCSCNLayerSpec) -> (kernel: String, bias: String?, alpha: String?) {
        let scope: String
        if case .upsample = spec.role { scope = "\(spec.name)/\(spec.name)_CNN" } else { scope = spec.name }
        return (scope + "/conv_W", spec.hasBias ? scope + "/conv_B" : nil,
                spec.hasPReLU ? "\(spec.name)/prelu/\(spec.name)_prelu" : nil)
    }

    /// Reads a reference DCSCN checkpoint and infers its config from the variable shapes:
    /// feature widths from `CNN<i>/conv_W` (ordered by number, not by key), NIN widths from A1/B1,
    /// kernel size from CNN1, the upsampler from `Up-PS[2]` and `R-CNN1`, cross-checked with the
    /// `_Sc<k>` of the file name when present.
    ///
    /// - Parameter prefix: checkpoint prefix (`.../dcscn_L7_F32to8_G1.20_NIN_A24_B8_PS_R1F32.ckpt`).
    /// - Throws: `.unsupported` for variants the config cannot express (no NIN, depthwise-separable,
    ///   batch norm, several reconstruction layers, transposed-conv upsampling), `.shapeMismatch` naming the
    ///   variable and both shapes, plus every error of `init(prefix:)` and `tensor(_:)`.
    public static func importDCSCN(prefix: String) throws -> DCSCNParameters {
        try importDCSCN(bundle: TFBundle(prefix: prefix))
    }

    /// `importDCSCN(prefix:)` of a parsed bundle (files or memory).
    package static func importDCSCN(bundle: TFBundle) throws -> DCSCNParameters {
        let config = try bundle.inferDCSCNConfig()
        var layers: [ConvParameters] = []
        var used: Set<String> = []
        for spec in config.layers {
            let names = variableNames(of: spec)
            let k = try bundle.checkedTensor(names.kernel, [spec.kernel, spec.kernel, spec.inChannels, spec.outChannels])
            let b = try names.bias.map { try bundle.checkedTensor($0, [spec.outChannels]) } ?? []
            let a = try names.alpha.map { try bundle.checkedTensor($0, [spec.outChannels]) } ?? []
            used.formUnion([names.kernel, names.bias, names.alpha].compactMap { $0 })
            layers.append(ConvParameters(kernel: k, bias: b, alpha: a))
        }
        for name in bundle.names where !used.contains(name) && !TFBundle.isOptimizerState(name) {
            throw SRError(.unsupported, "\(bundle.prefix).index: unexpected variable '\(name)' \(bundle.entries[name]?.shape ?? []); this DCSCN variant (depthwise-separable, batch norm, extra reconstruction layers ...) is not supported")
        }
        let base = bundle.prefix.split(separator: "/").last.map(String.init) ?? bundle.prefix
        return try DCSCNParameters(config: config, layers: layers, provenance: [
            "source": "tensorflow checkpoint \(base)",
            "imported_by": "sr import-tf",
        ])
    }

    /// Adam slots and beta powers are training state, not model weights.
    static func isOptimizerState(_ name: String) -> Bool {
        name.hasSuffix("/Adam") || name.hasSuffix("/Adam_1") || name == "beta1_power" || name == "beta2_power"
            || name == "global_step"
    }

    /// A float tensor whose shape must equal `expected`.
    func checkedTensor(_ name: String, _ expected: [Int]) throws -> [Float] {
        guard let e = entries[name] else {
            throw SRError(.format, "\(prefix).index: missing variable '\(name)' (expected shape \(expected))")
        }
        guard e.shape == expected else {
            throw SRError(.shapeMismatch, "\(prefix).index: variable '\(name)' has shape \(e.shape), expected \(expected)")
        }
        return try tensor(name).values
    }

    private func shape(_ name: String, rank: Int) throws -> [Int] {
        guard let e = entries[name] else {
            throw SRError(.unsupported, "\(prefix).index: no variable '\(name)'; not a DCSCN checkpoint with NIN and pixel-shuffler upsampling")
        }
        guard e.shape.count == rank else {
            throw SRError(.shapeMismatch, "\(prefix).index: variable '\(name)' has shape \(e.shape), expected rank \(rank)")
        }
        return e.shape
    }

    /// Infers the architecture from the variable shapes (see `importDCSCN`).
    func inferDCSCNConfig() throws -> DCSCNConfig {
        // Feature layers CNN1...CNN_L by number (keys sort CNN1 < CNN10 < CNN2).
        var numbers: [Int] = []
        for n in names where n.hasPrefix("CNN") && n.hasSuffix("/conv_W") {
            let digits = n.dropFirst(3).dropLast(7)
            if let i = Int(digits), i >= 1 { numbers.append(i) }
        }
        numbers.sort()
        guard !numbers.isEmpty, numbers == Array(1...numbers.count) else {
            throw SRError(.unsupported, "\(prefix).index: feature layers CNN<i>/conv_W are missing or not numbered 1...L (found \(numbers))")
        }
        let first = try shape("CNN1/conv_W", rank: 4)
        let k = first[0]
        guard first[1] == k, k % 2 == 1 else {
            throw SRError(.unsupported, "\(prefix).index: CNN1/conv_W has shape \(first); expected an odd square kernel")
        }
        let widths = try numbers.map { try shape("CNN\($0)/conv_W", rank: 4)[3] }
        guard entries["A1/conv_W"] != nil, entries["B1/conv_W"] != nil, entries["B2/conv_W"] != nil else {
            throw SRError(.unsupported, "\(prefix).index: the checkpoint has no NIN layers (A1/B1/B2); srcore models require the NIN reconstruction (use_nin=true)")
        }
        let ninA = try shape("A1/conv_W", rank: 4)[3]
        let ninB = try shape("B1/conv_W", rank: 4)[3]
        guard entries["R-CNN2/conv_W"] == nil else {
            throw SRError(.unsupported, "\(prefix).index: several reconstruction layers (R-CNN2...) are not supported")
        }
        guard entries["Up-PS/Up-PS_CNN/conv_W"] != nil else {
            throw SRError(.unsupported, "\(prefix).index: no pixel-shuffler layer Up-PS; transposed-conv upsampling is not supported")
        }
        let up1 = try shape("Up-PS/Up-PS_CNN/conv_W", rank: 4)
        let finalChannels = try shape("R-CNN1/conv_W", rank: 4)[2]
        let reconstruction = ninA + ninB
        let scale: Int
        if entries["Up-PS2/Up-PS2_CNN/conv_W"] != nil {
            scale = 4 // two depth_to_space(2) stages (docs/reference.md §3.4)
        } else {
            let blockArea = finalChannels > 0 && up1[3] % finalChannels == 0 ? up1[3] / finalChannels : 0
            let b = Int(Double(blockArea).squareRoot().rounded())
            guard b >= 2, b * b == blockArea else {
                throw SRError(.shapeMismatch, "\(prefix).index: Up-PS/Up-PS_CNN/conv_W has shape \(up1) but R-CNN1/conv_W takes \(finalChannels) channels; no integer shuffle factor fits")
            }
            scale = b
        }
        if let named = fileNameScale(), named != scale {
            throw SRError(.shapeMismatch, "\(prefix): the file name says scale \(named) but the Up-PS shapes say scale \(scale)")
        }
        let config = DCSCNConfig(scale: scale, featureWidths: widths, ninA: ninA, ninB: ninB,
                                 shufflerFilters: finalChannels == reconstruction ? 0 : finalChannels, kernelSize: k)
        try config.validate()
        return config
    }

    /// The `_Sc<k>` of the reference's checkpoint name, 2 when a `dcscn_...` name has none, nil otherwise.
    func fileNameScale() -> Int? {
        let base = prefix.split(separator: "/").last.map(String.init) ?? prefix
        guard base.hasPrefix("dcscn_") else { return nil }
        for part in base.split(separator: "_") where part.hasPrefix("Sc") {
            if let s = Int(part.dropFirst(2)) { return s }
        }
        return 2
    }
}
