import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// Locates `../shared` (beside the package root) for tests that use the reference data.
/// Tests that need it are disabled with a clear message when it is absent (a user's fresh clone).
package enum SharedData {
    /// The package root, derived from this file's path.
    package static let packageRoot: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3) // Tests/SRTestSupport/SharedData.swift
        return parts.joined(separator: "/")
    }()

    /// `../shared` if it exists, else nil.
    package static let root: String? = {
        let p = packageRoot + "/../shared"
        return access(p + "/reference/SPEC.md", R_OK) == 0 ? p : nil
    }()

    /// Whether the shared data is present.
    package static var available: Bool { root != nil }

    /// Absolute path of a file under ../shared (call only when `available`).
    package static func path(_ relative: String) -> String { (root ?? "/nonexistent") + "/" + relative }

    /// Reads a headerless little-endian float32 file.
    package static func readF32(_ relative: String) -> [Float] {
        readRaw(relative, as: Float.self)
    }

    /// Reads a headerless little-endian float64 file.
    package static func readF64(_ relative: String) -> [Double] {
        readRaw(relative, as: Double.self)
    }

    private static func readRaw<T>(_ relative: String, as: T.Type) -> [T] {
        guard let f = fopen(path(relative), "rb") else { return [] }
        defer { fclose(f) }
        fseek(f, 0, SEEK_END)
        let n = ftell(f) / MemoryLayout<T>.stride
        fseek(f, 0, SEEK_SET)
        var out = [T](unsafeUninitializedCapacity: n) { buf, count in
            count = fread(buf.baseAddress, MemoryLayout<T>.stride, n, f)
        }
        if out.count != n { out = [] }
        return out
    }

    package static let skipMessage = "needs ../shared (reference data beside the package); absent in a fresh clone"
}
