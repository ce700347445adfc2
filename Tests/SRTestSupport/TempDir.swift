import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// Private temporary folders for tests, under `$TMPDIR` (or /tmp).
package enum TempDir {
    /// The folder temporary files go in.
    package static var base: String {
        if let t = getenv("TMPDIR"), t.pointee != 0 { return String(cString: t) }
        return "/" + "tmp"
    }

    /// A fresh, empty, private folder whose name contains `tag`.
    package static func make(_ tag: String) -> String {
        var template = Array("\(base)/srcore-\(tag)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf in buf.baseAddress.flatMap { mkdtemp($0) } }
        guard let made else { return base }
        return String(cString: made)
    }

    /// Removes a folder made by `make` and the files in it (one level).
    package static func remove(_ dir: String) {
        guard dir != base, let d = opendir(dir) else { return }
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { unlink(dir + "/" + name) }
        }
        closedir(d)
        rmdir(dir)
    }

    /// Every name in a folder (hidden ones included, not "." and ".."), sorted.
    package static func names(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }
}
