import SRSupport
import SRFormats

/// The structural knobs of a config in a safetensors weights file (docs/weights.md, docs/techniques.md
/// "Knobs"). A model with every knob at its default is written exactly as before (format_version 2.0,
/// `residual = "bicubic"`, no extra keys), so older readers keep reading it; otherwise the file says
/// `format_version = "3.0"`, which 2.x readers refuse, and holds:
///
/// - `residual`: `"bicubic"` (the upscale is added to R-CNN1's output) or `"none"`;
/// - `input_shift`, `input_scale`: decimal floats; the first layer sees `(luma - shift) * scale`.
extension WeightsFile {
    /// Adds the structure keys of `c` (not at its defaults) and the 3.0 version to `m`.
    static func structureMetadata(_ c: DCSCNConfig, into m: inout [String: String]) {
        m["format_version"] = safeTensorsStructureVersion
        m["residual"] = c.residual ? "bicubic" : "none"
        if c.inputShift != 0 || c.inputScale != 1 {
            m["input_shift"] = "\(c.inputShift)"
            m["input_scale"] = "\(c.inputScale)"
        }
    }

    /// Reads the structure keys into `config`. A 2.x file must have the default structure.
    static func readStructure(_ md: [String: String], into config: inout DCSCNConfig, major: Int, path: String) throws {
        guard let residual = md["residual"] else { throw SRError(.format, "__metadata__ has no residual", path: path) }
        let allowed = major == safeTensorsMajor ? ["bicubic"] : ["bicubic", "none"]
        guard allowed.contains(residual) else {
            throw SRError(.unsupported, "residual is \"\(residual)\", only \(allowed.map { "\"\($0)\"" }.joined(separator: " or ")) is supported"
                          + (major == safeTensorsMajor ? " in format_version 2.x" : ""), path: path)
        }
        config.residual = residual == "bicubic"
        func float(_ key: String, default d: Float) throws -> Float {
            guard let text = md[key] else { return d }
            guard major == safeTensorsStructureMajor else {
                throw SRError(.format, "__metadata__ \(key) needs format_version 3.x", path: path)
            }
            guard let v = Float(text), v.isFinite else {
                throw SRError(.format, "__metadata__ \(key) is \"\(text)\", not a finite decimal number", path: path)
            }
            return v
        }
        config.inputShift = try float("input_shift", default: 0)
        config.inputScale = try float("input_scale", default: 1)
        do { try config.validate() } catch let e as SRError {
            throw SRError(.format, "invalid config: \(e.message)", path: path)
        }
    }
}
