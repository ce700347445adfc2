#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats

/// srcore's self-describing weights files (docs/weights.md): a file alone is enough to run the model,
/// the config is read from the stored values, never from names.
///
/// Two layouts:
/// - safetensors, `format_version` 2.x (`WeightsSafeTensors.swift`): the format of weights from
///   anywhere, the only one libsrcore loads, written for every path that ends in `.safetensors`;
/// - HDF5, `format_version` 1.x (legacy, below), still read and written by the CLI for local files:
///   root attributes `format = "srcore.weights"`, `format_version = "1.0"`, `arch = "dcscn"`, `scale`,
///   the config (`feature_widths`, `nin_a`, `nin_b`, `shuffler_filters`, `kernel_size`, `upsample_blocks`,
///   `activation = "prelu"`), `kernel_layout = "HWIO"`, `depth_to_space = "tf_dcr"`, `receptive_field`,
///   `input_range = "0..255 luma"`, `residual = "bicubic"`, `parameter_count`, `layer_order`;
///   `/layers/<name>` per conv, with datasets `kernel [kh, kw, in, out]`, `bias [out]` and `alpha [out]`
///   (when the layer has them) and attributes `index`, `role`, `kernel_size`, `in_channels`,
///   `out_channels`, `has_bias`, `has_prelu`, `depth_to_space_block`; `/provenance`: one string
///   attribute per provenance entry. libhdf5 is not hardened against crafted files, so this layout
///   is for files the user made.
public enum WeightsFile {
    /// The `format` attribute value.
    public static let formatName = "srcore.weights"
    /// The version of the HDF5 layout; its readers accept any `1.x`.
    public static let formatVersion = "1.0"
    static let supportedMajor = 1

    /// Writes `p` to `path` atomically (a temp file in the same folder, renamed at the end): as
    /// safetensors when the path ends in `.safetensors`, else in the legacy HDF5 layout.
    ///
    /// - Throws: `.io` if the file cannot be written or renamed.
    public static func write(_ p: DCSCNParameters, to path: String) throws {
        if path.hasSuffix(".safetensors") { try writeSafeTensors(p, to: path) } else { try writeHDF5(p, to: path) }
    }

    /// Writes `p` to `path` in the legacy HDF5 layout (format_version 1.0), atomically (built in
    /// memory, so libhdf5 never meets a failing write; then written to a temp file and renamed).
    public static func writeHDF5(_ p: DCSCNParameters, to path: String) throws {
        guard p.config.hasDefaultStructure else {
            throw SRError(.unsupported, "\(path): the legacy HDF5 layout cannot hold --no-residual or input normalisation; write .safetensors")
        }
        try HDF5File.writeAtomically(path) { f in try writeContents(p, to: f) }
    }

    private static func writeContents(_ p: DCSCNParameters, to f: HDF5File) throws {
        let c = p.config
        let specs = c.layers
        try f.setAttribute("format", formatName)
        try f.setAttribute("format_version", formatVersion)
        try f.setAttribute("arch", "dcscn")
        try writeConfig(c, to: f)
        try f.setAttribute("upsample_blocks", c.upsampleBlocks)
        try f.setAttribute("activation", "prelu")
        try f.setAttribute("kernel_layout", "HWIO")
        try f.setAttribute("depth_to_space", "tf_dcr")
        try f.setAttribute("residual", "bicubic")
        try f.setAttribute("receptive_field", c.receptiveField)
        try f.setAttribute("input_range", "0..255 luma")
        try f.setAttribute("parameter_count", c.parameterCount)
        try f.setAttribute("layer_order", specs.map(\.name))
        try f.createGroup("/layers")
        for (i, (s, w)) in zip(specs, p.layers).enumerated() {
            let g = "/layers/\(s.name)"
            try f.createGroup(g)
            try f.setAttribute("index", i, on: g)
            try f.setAttribute("role", roleName(s.role), on: g)
            try f.setAttribute("kernel_size", s.kernel, on: g)
            try f.setAttribute("in_channels", s.inChannels, on: g)
            try f.setAttribute("out_channels", s.outChannels, on: g)
            try f.setAttribute("has_bias", s.hasBias ? 1 : 0, on: g)
            try f.setAttribute("has_prelu", s.hasPReLU ? 1 : 0, on: g)
            var block = 0
            if case .upsample(_, let b) = s.role { block = b }
            try f.setAttribute("depth_to_space_block", block, on: g)
            try f.write(g + "/kernel", floats: w.kernel, shape: [s.kernel, s.kernel, s.inChannels, s.outChannels])
            if s.hasBias { try f.write(g + "/bias", floats: w.bias, shape: [s.outChannels]) }
            if s.hasPReLU { try f.write(g + "/alpha", floats: w.alpha, shape: [s.outChannels]) }
        }
        try f.createGroup("/provenance")
        for (k, v) in p.provenance.sorted(by: { $0.key < $1.key }) {
            try f.setAttribute(k, v, on: "/provenance")
        }
    }

    /// Reads a weights file in either layout, told apart by its first bytes (the HDF5 signature, else
    /// safetensors). For files from elsewhere use `readSafeTensors(path:)`, which never calls libhdf5.
    ///
    /// - Throws: what `readSafeTensors(path:)` or `readHDF5(path:)` throws.
    public static func read(path: String) throws -> DCSCNParameters {
        if isHDF5(try SafeTensors.readPrefix(path, count: 8)) { return try readHDF5(path: path) }
        return try readSafeTensors(path: path)
    }

    /// Reads a legacy HDF5 weights file (any 1.x version).
    ///
    /// - Throws: `.io` if unreadable, `.format` if it is not an srcore weights file or a layer is missing,
    ///   `.unsupported` for another major version or architecture, `.shapeMismatch` naming the layer and
    ///   both shapes when a tensor does not fit the stored config.
    public static func readHDF5(path: String) throws -> DCSCNParameters {
        try HDF5File.lock.withLock {
            let f = try HDF5File.open(path)
            defer { f.release() }
            return try readContents(f, path: path)
        }
    }

    static func readContents(_ f: HDF5File, path: String) throws -> DCSCNParameters {
        guard let format = try f.stringAttribute("format"), format == formatName else {
            throw SRError(.format, "\(path): not an srcore weights file (root attribute format is not \"\(formatName)\")")
        }
        guard let version = try f.stringAttribute("format_version") else {
            throw SRError(.format, "\(path): missing root attribute format_version")
        }
        guard let major = Int(version.split(separator: ".").first ?? ""), major == supportedMajor else {
            throw SRError(.unsupported, "\(path): weights format_version \(version) is not supported (this reader understands \(supportedMajor).x)")
        }
        func string(_ name: String, expected: String) throws {
            let v = try f.stringAttribute(name)
            guard v == expected else {
                throw SRError(.unsupported, "\(path): \(name) is \(v.map { "\"\($0)\"" } ?? "missing"), only \"\(expected)\" is supported")
            }
        }
        try string("arch", expected: "dcscn")
        try string("activation", expected: "prelu")
        try string("kernel_layout", expected: "HWIO")
        let config = try readConfig(f, path: path)
        if let blocks = try f.intArrayAttribute("upsample_blocks"), blocks != config.upsampleBlocks {
            throw SRError(.unsupported, "\(path): upsample_blocks \(blocks) do not match scale \(config.scale) (expected \(config.upsampleBlocks))")
        }
        let specs = config.layers
        let order = try f.stringArrayAttribute("layer_order") ?? []
        guard order == specs.map(\.name) else {
            throw SRError(.format, "\(path): layer_order \(order) does not match the config's layers \(specs.map(\.name))")
        }
        var layers: [ConvParameters] = []
        for s in specs {
            let g = "/layers/\(s.name)"
            guard f.exists(g) else { throw SRError(.format, "\(path): missing layer \(s.name) (group \(g))") }
            func tensor(_ name: String, _ expected: [Int]) throws -> [Float] {
                let ds = "\(g)/\(name)"
                guard f.exists(ds) else { throw SRError(.format, "\(path): layer \(s.name) has no \(name) dataset") }
                let shape = try f.shape(of: ds)
                guard shape == expected else {
                    throw SRError(.shapeMismatch, "\(path): layer \(s.name) \(name) has shape \(shape), the config needs \(expected)")
                }
                return try f.readFloats(ds)
            }
            let k = try tensor("kernel", [s.kernel, s.kernel, s.inChannels, s.outChannels])
            let b = s.hasBias ? try tensor("bias", [s.outChannels]) : []
            let a = s.hasPReLU ? try tensor("alpha", [s.outChannels]) : []
            layers.append(ConvParameters(kernel: k, bias: b, alpha: a))
        }
        var provenance: [String: String] = [:]
        if f.exists("/provenance") {
            for k in try f.attributeNames(on: "/provenance") {
                if let v = try f.stringAttribute(k, on: "/provenance") { provenance[k] = v }
            }
        }
        return try DCSCNParameters(config: config, layers: layers, provenance: provenance)
    }

    /// Writes the architecture attributes (`scale`, `feature_widths`, `nin_a`, `nin_b`, `shuffler_filters`,
    /// `kernel_size`) on `object`; shared with other srcore HDF5 files that embed a config.
    package static func writeConfig(_ c: DCSCNConfig, to f: HDF5File, on object: String = "/") throws {
        try f.setAttribute("scale", c.scale, on: object)
        try f.setAttribute("feature_widths", c.featureWidths, on: object)
        try f.setAttribute("nin_a", c.ninA, on: object)
        try f.setAttribute("nin_b", c.ninB, on: object)
        try f.setAttribute("shuffler_filters", c.shufflerFilters, on: object)
        try f.setAttribute("kernel_size", c.kernelSize, on: object)
        // Structural knobs (checkpoints only; writeHDF5 refuses them): written only when not default.
        if !c.residual { try f.setAttribute("residual", "none", on: object) }
        if c.inputShift != 0 || c.inputScale != 1 {
            try f.setAttribute("input_normalisation", [Double(c.inputShift), Double(c.inputScale)], on: object)
        }
    }

    /// Reads and validates the attributes written by `writeConfig`; errors name `path`.
    package static func readConfig(_ f: HDF5File, path: String, on object: String = "/") throws -> DCSCNConfig {
        func int(_ name: String) throws -> Int {
            guard let v = try f.intAttribute(name, on: object) else { throw SRError(.format, "\(path): missing attribute \(name)") }
            return v
        }
        guard let widths = try f.intArrayAttribute("feature_widths", on: object) else {
            throw SRError(.format, "\(path): missing attribute feature_widths")
        }
        var config = DCSCNConfig(scale: try int("scale"), featureWidths: widths, ninA: try int("nin_a"),
                                 ninB: try int("nin_b"), shufflerFilters: try int("shuffler_filters"),
                                 kernelSize: try int("kernel_size"))
        if let r = try f.stringAttribute("residual", on: object) {
            guard r == "none" || r == "bicubic" else { throw SRError(.unsupported, "\(path): residual \"\(r)\" is not supported") }
            config.residual = r == "bicubic"
        }
        if let n = try f.doubleArrayAttribute("input_normalisation", on: object) {
            guard n.count == 2 else { throw SRError(.format, "\(path): input_normalisation has \(n.count) values, expected 2") }
            config.inputShift = Float(n[0]); config.inputScale = Float(n[1])
        }
        do { try config.validate() } catch let e as SRError {
            throw SRError(e.code, "\(path): invalid config: \(e.message)")
        }
        return config
    }

    static func roleName(_ r: DCSCNLayerSpec.Role) -> String {
        switch r {
        case .feature: return "feature"
        case .ninA: return "nin_a"
        case .ninB1: return "nin_b1"
        case .ninB2: return "nin_b2"
        case .upsample: return "upsample"
        case .reconstruct: return "reconstruct"
        }
    }
}
