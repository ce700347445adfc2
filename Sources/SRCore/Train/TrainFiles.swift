#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval

/// Renames `from` to `to` (atomic on one file system).
func renameAtomically(_ from: String, _ to: String) throws {
    guard rename(from, to) == 0 else {
        throw SRError(.io, "cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
    }
}

/// Writes `text` to `path` atomically (temp file in the same folder, then rename).
func writeTextFile(_ path: String, _ text: String) throws {
    let tmp = path + ".tmp"
    guard let f = fopen(tmp, "w") else { throw SRError(.io, "cannot create \(tmp): \(String(cString: strerror(errno)))") }
    let ok = text.utf8CString.withUnsafeBufferPointer { fputs($0.baseAddress!, f) >= 0 }
    fclose(f)
    guard ok else { throw SRError(.io, "cannot write \(tmp)") }
    try renameAtomically(tmp, path)
}

/// Appends `text` to `path` (creating it).
func appendTextFile(_ path: String, _ text: String) throws {
    guard let f = fopen(path, "a") else { throw SRError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
    defer { fclose(f) }
    _ = fputs(text, f)
}

/// True when a file exists at `path`.
func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

/// Creates a folder (and parents) when missing.
func makeDirectories(_ path: String) throws {
    var cur = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        cur += "/" + part
        if mkdir(cur, 0o755) != 0 && errno != EEXIST {
            throw SRError(.io, "cannot create folder \(cur): \(String(cString: strerror(errno)))")
        }
    }
}

/// Seconds since an arbitrary origin (monotonic).
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
