#if canImport(Glibc)
import Glibc
#endif

/// Small, throwing wrappers over the POSIX file-system calls srcore needs (no Foundation).
package enum FileSystem {
    /// Whether anything exists at `path` (a dangling symbolic link does not).
    package static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Whether `path` is a folder (following symbolic links).
    package static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `path` is a regular file (following symbolic links).
    package static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// The canonical absolute path, or nil when it cannot be resolved.
    package static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// `dir/name`, with exactly one slash between them.
    package static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }

    /// The last path component ("a/b.png" → "b.png").
    package static func baseName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
    }

    /// The folder part of a path ("a/b.png" → "a", "b.png" → ".").
    package static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Creates the folder `path` (mode 0755); an existing folder is fine.
    package static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && !(errno == EEXIST && isDirectory(path)) {
            throw SRError(.io, "cannot create folder", path: path, errno: errno)
        }
    }

    /// Names of the regular, non-hidden files of `dir`, sorted by byte order; with `suffixes`,
    /// only names ending in one of them (compared in lower case, e.g. [".png"]).
    package static func listFiles(_ dir: String, suffixes: [String]? = nil) throws -> [String] {
        guard let d = opendir(dir) else { throw SRError(.io, "cannot open folder", path: dir, errno: errno) }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name.hasPrefix(".") { continue }
            if let sfx = suffixes, !sfx.contains(where: { name.lowercased().hasSuffix($0) }) { continue }
            if !isRegularFile(join(dir, name)) { continue }
            names.append(name)
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Creates the folder `path` and any missing parents.
    package static func makeDirectories(_ path: String) throws {
        var cur = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            cur += "/" + part
            if mkdir(cur, 0o755) != 0 && !(errno == EEXIST && isDirectory(cur)) {
                throw SRError(.io, "cannot create folder", path: cur, errno: errno)
            }
        }
    }

    /// Appends `text` (UTF-8) to `path`, creating it; every write is checked.
    package static func append(to path: String, text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SRError(.io, "cannot open for appending", path: path, errno: errno) }
        var failure: Int32? = nil
        var t = text
        t.withUTF8 { buf in
            var done = 0
            while done < buf.count {
                let n = write(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += n
            }
        }
        let closed = close(fd) == 0 ? nil : errno
        if let e = failure ?? closed { throw SRError(.io, "cannot append", path: path, errno: e) }
    }

    /// The first `limit` bytes of a text file read to its end, for files whose size `stat` does not
    /// know (/proc, /sys); invalid UTF-8 is repaired.
    package static func readText(_ path: String, limit: Int = 1 << 20) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SRError(.io, "cannot open", path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while bytes.count < limit {
            let want = min(chunk.count, limit - bytes.count)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, want) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SRError(.io, "cannot read", path: path, errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
