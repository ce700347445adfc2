import SRSupport
import SRFormats

/// srcore's weights in a safetensors file, format_version 2.0 (docs/weights.md):
///
/// - tensors `<layer>/kernel` `[kh, kw, in, out]` (HWIO), `<layer>/bias` `[out]`, `<layer>/alpha` `[out]`
///   (PReLU slopes) for every layer of `layer_order` that has them, all F32, in execution order;
/// - `__metadata__` (strings): `format = "srcore.weights"`, `format_version = "2.0"`, `arch = "dcscn"`,
///   the config (`scale`, `feature_widths` as a JSON array, `nin_a`, `nin_b`, `shuffler_filters`,
///   `kernel_size`, `upsample_blocks`, `activation = "prelu"`, `kernel_layout = "HWIO"`,
///   `depth_to_space = "tf_dcr"`, `residual = "bicubic"`), `receptive_field`, `input_range`,
///   `parameter_count`, `layer_order` (a JSON array of names) and one `provenance/<key>` per
///   provenance entry.
extension WeightsFile {
    /// The `format_version` of the safetensors layout; readers accept any `2.x`.
    public static let safeTensorsFormatVersion = "2.0"
    static let safeTensorsMajor = 2
    /// The version written when a structural knob is not at its default (WeightsStructure.swift);
    /// readers of 2.x refuse such files instead of running them wrongly.
    public static let safeTensorsStructureVersion = "3.0"
    static let safeTensorsStructureMajor = 3
    /// Prefix of the metadata keys that hold provenance entries.
    static let provenancePrefix = "provenance/"
    /// What a weights file may be: 256 MiB (c-DCSCN x4 is 0.25 MiB, the L12 F196 model 5 MiB).
    public static let safeTensorsLimits = SafeTensors.Limits(maxHeaderBytes: 16 << 20, maxDepth: 8, maxTotalBytes: 256 << 20)
    /// The first bytes of every HDF5 file (a superblock at offset 0).
    static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Whether `bytes` start with the HDF5 signature.
    static func isHDF5<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        bytes.count >= 8 && zip(bytes.prefix(8), hdf5Signature).allSatisfy { $0 == $1 }
    }

    /// The `__metadata__` of `p`'s file.
    package static func safeTensorsMetadata(_ p: DCSCNParameters) -> [String: String] {
        let c = p.config
        func list(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ",") + "]" }
        var m: [String: String] = [
            "format": formatName, "format_version": safeTensorsFormatVersion, "arch": "dcscn",
            "scale": String(c.scale), "feature_widths": list(c.featureWidths), "nin_a": String(c.ninA),
            "nin_b": String(c.ninB), "shuffler_filters": String(c.shufflerFilters), "kernel_size": String(c.kernelSize),
            "upsample_blocks": list(c.upsampleBlocks), "activation": "prelu", "kernel_layout": "HWIO",
            "depth_to_space": "tf_dcr", "residual": "bicubic", "receptive_field": String(c.receptiveField),
            "input_range": "0..255 luma", "parameter_count": String(c.parameterCount),
            "layer_order": "[" + c.layers.map { SafeTensors.quoted($0.name) }.joined(separator: ",") + "]",
        ]
        for (k, v) in p.provenance { m[provenancePrefix + k] = v }
        if !c.hasDefaultStructure { structureMetadata(c, into: &m) }
        return m
    }

    /// The bytes of `p` as a safetensors weights file.
    public static func encodeSafeTensors(_ p: DCSCNParameters) throws -> [UInt8] {
        var entries: [SafeTensors.Entry] = []
        for (s, w) in zip(p.config.layers, p.layers) {
            entries.append(.init(name: s.name + "/kernel", shape: [s.kernel, s.kernel, s.inChannels, s.outChannels], values: w.kernel))
            if s.hasBias { entries.append(.init(name: s.name + "/bias", shape: [s.outChannels], values: w.bias)) }
            if s.hasPReLU { entries.append(.init(name: s.name + "/alpha", shape: [s.outChannels], values: w.alpha)) }
        }
        return try SafeTensors.encode(entries, metadata: safeTensorsMetadata(p))
    }

    /// Writes `p` to `path` as a safetensors weights file, atomically (temp file, fsync, rename).
    public static func writeSafeTensors(_ p: DCSCNParameters, to path: String) throws {
        let bytes = try encodeSafeTensors(p)
        let file = try AtomicFile(path: path)
        try bytes.withUnsafeBytes { try file.write(bytes: $0) }
        try file.commit()
    }

    /// Reads a safetensors weights file; nothing else (an HDF5 file is refused with `.unsupported`).
    /// This is the loader for weights from anywhere (libsrcore uses only this one).
    ///
    /// - Throws: `.io` when unreadable; `.format` for a malformed container, a missing, extra or
    ///   non-finite tensor or bad metadata; `.unsupported` for HDF5, another major version or an
    ///   unknown activation / depth_to_space / residual; `.shapeMismatch` naming the tensor when it
    ///   does not fit the stored config.
    public static func readSafeTensors(path: String) throws -> DCSCNParameters {
        let bytes = try SafeTensors.readFile(path, maxBytes: safeTensorsLimits.maxTotalBytes)
        return try bytes.withUnsafeBytes { try readSafeTensors(bytes: $0, name: path) }
    }

    /// Reads a safetensors weights file from memory; errors name `name`. See `readSafeTensors(path:)`.
    public static func readSafeTensors(bytes: UnsafeRawBufferPointer, name: String = "<memory>") throws -> DCSCNParameters {
        if isHDF5(bytes) {
            throw SRError(.unsupported, "HDF5 weights files (format_version 1.x) are not loaded here; libhdf5 is not safe on "
                          + "untrusted files. Convert it once with `sr convert IN.h5 -o OUT.safetensors`", path: name)
        }
        return try decodeSafeTensors(SafeTensors(bytes: bytes, name: name, limits: safeTensorsLimits))
    }

    /// The network stored in a parsed safetensors file.
    public static func decodeSafeTensors(_ st: SafeTensors) throws -> DCSCNParameters {
        let path = st.name
        let md = st.metadata
        guard md["format"] == formatName else {
            throw SRError(.format, "not an srcore weights file (__metadata__ format is \(md["format"].map { "\"\($0)\"" } ?? "missing"), "
                          + "expected \"\(formatName)\")", path: path)
        }
        func required(_ key: String) throws -> String {
            guard let v = md[key] else { throw SRError(.format, "__metadata__ has no \(key)", path: path) }
            return v
        }
        let version = try required("format_version")
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), Int(parts[1]) != nil, !parts[0].hasPrefix("+") else {
            throw SRError(.format, "format_version \"\(version)\" is not MAJOR.MINOR", path: path)
        }
        guard major == safeTensorsMajor || major == safeTensorsStructureMajor else {
            let hint = major == 1 ? " (1.x is the HDF5 layout)" : ""
            throw SRError(.unsupported, "weights format_version \(version) is not supported\(hint); this reader understands \(safeTensorsMajor).x and \(safeTensorsStructureMajor).x", path: path)
        }
        for (key, expected) in [("arch", "dcscn"), ("activation", "prelu"), ("kernel_layout", "HWIO"),
                                ("depth_to_space", "tf_dcr")] {
            let v = try required(key)
            guard v == expected else {
                throw SRError(.unsupported, "\(key) is \"\(v)\", only \"\(expected)\" is supported", path: path)
            }
        }
        if let r = md["input_range"], r != "0..255 luma" {
            throw SRError(.unsupported, "input_range is \"\(r)\", only \"0..255 luma\" is supported", path: path)
        }
        var config = try safeTensorsConfig(md, path: path)
        try readStructure(md, into: &config, major: major, path: path)
        let specs = config.layers
        try checkDerived(md, config, path: path)
        var expected: [(name: String, shape: [Int])] = []
        for s in specs {
            expected.append((s.name + "/kernel", [s.kernel, s.kernel, s.inChannels, s.outChannels]))
            if s.hasBias { expected.append((s.name + "/bias", [s.outChannels])) }
            if s.hasPReLU { expected.append((s.name + "/alpha", [s.outChannels])) }
        }
        let wanted = Set(expected.map(\.name))
        if let extra = st.tensors.first(where: { !wanted.contains($0.name) }) {
            throw SRError(.format, "unexpected tensor \(extra.name) (not part of the stored config)", path: path)
        }
        var values: [String: [Float]] = [:]
        for (name, shape) in expected {
            guard let t = st.tensor(named: name) else { throw SRError(.format, "missing tensor \(name)", path: path) }
            guard t.shape == shape else {
                throw SRError(.shapeMismatch, "tensor \(name) has shape \(t.shape), the config needs \(shape)", path: path)
            }
            let v = try st.floats(t)
            if let i = v.firstIndex(where: { !$0.isFinite }) {
                throw SRError(.format, "tensor \(name) value \(i) is \(v[i]) (weights must be finite)", path: path)
            }
            values[name] = v
        }
        let layers = specs.map { s in
            ConvParameters(kernel: values[s.name + "/kernel"] ?? [], bias: values[s.name + "/bias"] ?? [],
                           alpha: values[s.name + "/alpha"] ?? [])
        }
        var provenance: [String: String] = [:]
        for (k, v) in md where k.hasPrefix(provenancePrefix) { provenance[String(k.dropFirst(provenancePrefix.count))] = v }
        do { return try DCSCNParameters(config: config, layers: layers, provenance: provenance) } catch let e as SRError {
            throw SRError(e.code, e.message, path: path)
        }
    }

    /// A non-negative integer (decimal, no sign) or an array of them, as JSON text in a metadata value.
    private static func metadataJSON(_ md: [String: String], _ key: String, path: String) throws -> JSONValue? {
        guard let text = md[key] else { return nil }
        return try StrictJSON.parse(text, context: "__metadata__ \(key)", path: path, maxDepth: 2)
    }

    private static func metadataInt(_ md: [String: String], _ key: String, path: String) throws -> Int? {
        guard let v = try metadataJSON(md, key, path: path) else { return nil }
        guard let i = v.nonNegativeInteger else {
            throw SRError(.format, "__metadata__ \(key) is \"\(md[key] ?? "")\", not a non-negative integer", path: path)
        }
        return i
    }

    private static func metadataInts(_ md: [String: String], _ key: String, path: String) throws -> [Int]? {
        guard let v = try metadataJSON(md, key, path: path) else { return nil }
        let items: [JSONValue]
        if case .array(let a) = v { items = a } else { items = [v] }
        let ints = items.compactMap(\.nonNegativeInteger)
        guard case .array = v, ints.count == items.count else {
            throw SRError(.format, "__metadata__ \(key) is \"\(md[key] ?? "")\", not a JSON array of non-negative integers", path: path)
        }
        return ints
    }

    private static func safeTensorsConfig(_ md: [String: String], path: String) throws -> DCSCNConfig {
        func int(_ key: String) throws -> Int {
            guard let v = try metadataInt(md, key, path: path) else { throw SRError(.format, "__metadata__ has no \(key)", path: path) }
            return v
        }
        guard let widths = try metadataInts(md, "feature_widths", path: path) else {
            throw SRError(.format, "__metadata__ has no feature_widths", path: path)
        }
        let config = DCSCNConfig(scale: try int("scale"), featureWidths: widths, ninA: try int("nin_a"), ninB: try int("nin_b"),
                                 shufflerFilters: try int("shuffler_filters"), kernelSize: try int("kernel_size"))
        do { try config.validate() } catch let e as SRError { // a bad value in a file is a format error
            throw SRError(e.code == .invalidArgument ? .format : e.code, "invalid config: \(e.message)", path: path)
        }
        return config
    }

    /// The values derived from the config must agree with it when present.
    private static func checkDerived(_ md: [String: String], _ c: DCSCNConfig, path: String) throws {
        if let b = try metadataInts(md, "upsample_blocks", path: path), b != c.upsampleBlocks {
            throw SRError(.unsupported, "upsample_blocks \(b) do not match scale \(c.scale) (expected \(c.upsampleBlocks))", path: path)
        }
        for (key, value) in [("receptive_field", c.receptiveField), ("parameter_count", c.parameterCount)] {
            if let v = try metadataInt(md, key, path: path), v != value {
                throw SRError(.format, "__metadata__ \(key) is \(v), the stored config gives \(value)", path: path)
            }
        }
        if let text = md["layer_order"] {
            let names = c.layers.map(\.name)
            let v = try StrictJSON.parse(text, context: "__metadata__ layer_order", path: path, maxDepth: 2)
            guard case .array(let items) = v, items.count == names.count, items.compactMap(\.stringValue) == names else {
                throw SRError(.format, "layer_order \(text) does not match the config's layers \(names)", path: path)
            }
        }
    }
}
