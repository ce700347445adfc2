#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// The image file formats srcore reads and writes (docs/image-formats.md).
///
/// An input's format comes from its first bytes (its signature), never from its name; an output's
/// from an explicit choice or from its name's extension.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png
    case jpeg
    case webp

    /// File-name extensions of each format (lower case, without the dot).
    public var extensions: [String] {
        switch self {
        case .png: return ["png"]
        case .jpeg: return ["jpg", "jpeg", "jpe", "jfif"]
        case .webp: return ["webp"]
        }
    }

    /// Every extension of a supported format, with the dot, lower case (for `FileSystem.listFiles`, which compares in lower case).
    public static var allSuffixes: [String] {
        allCases.flatMap { $0.extensions.map { ".\($0)" } }
    }

    /// The format a signature (a file's first bytes) announces, or nil.
    public static func detect(signature b: [UInt8]) -> ImageFormat? {
        if b.count >= 8, b[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return .jpeg }
        // RIFF <size> WEBP
        if b.count >= 12, b[0..<4] == [0x52, 0x49, 0x46, 0x46], b[8..<12] == [0x57, 0x45, 0x42, 0x50] { return .webp }
        return nil
    }

    /// Reads the first bytes of `path` and detects its format. A file that cannot be opened is
    /// `.io`; one whose signature is not of a supported format is `.format`, naming the file.
    public static func detect(path: String) throws -> ImageFormat {
        guard let fp = fopen(path, "rb") else {
            let e = errno
            throw SRError(.io, "\(path): cannot open: \(String(cString: strerror(e)))")
        }
        defer { fclose(fp) }
        var sig = [UInt8](repeating: 0, count: 12)
        let n = sig.withUnsafeMutableBytes { fread($0.baseAddress, 1, 12, fp) }
        if let f = detect(signature: Array(sig[0..<n])) { return f }
        throw SRError(.format, n == 0 ? "\(path): empty file, not an image"
                               : "\(path): not a PNG, JPEG or WebP file (unknown signature)")
    }

    /// The format named by `path`'s extension (case-insensitive), or nil.
    public static func fromExtension(_ path: String) -> ImageFormat? {
        let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return nil }
        let ext = base[base.index(after: dot)...].lowercased()
        return allCases.first { $0.extensions.contains(ext) }
    }

    /// Parses a `--format` value: png, jpg/jpeg, webp.
    public init?(name: String) {
        let n = name.lowercased()
        guard let f = ImageFormat.allCases.first(where: { $0.rawValue == n || $0.extensions.contains(n) }) else { return nil }
        self = f
    }
}
