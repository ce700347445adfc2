#if canImport(Glibc)
import Glibc
#endif

/// Writing a file so that readers only ever see the old file or the whole new one.
///
/// The data goes to a temporary file in the destination's folder, named
/// `.<name>.tmp-<pid>[-<n>]` so a later run can recognise it; `commit()` fsyncs it, renames it
/// over the destination and fsyncs the folder (so the rename itself survives a power cut).
/// On every error path — and when a writer is discarded without committing — the temporary file
/// is removed. Temporary files left by a process that was killed (`kill -9`, power loss) are
/// found by `removeStaleTemporaries(for:)`, which every new `AtomicFile` calls for its destination.
package final class AtomicFile {
    /// The destination.
    package let path: String
    /// The temporary file the data is written to before `commit()`.
    package let temporaryPath: String
    private var done = false

    /// Prepares to write `path`. Refuses with `.alreadyExists` when it exists and `overwrite` is
    /// false. Does not create the temporary file: the caller writes `temporaryPath` (with its own
    /// library, or with `write(bytes:)`), then calls `commit()`.
    /// - Parameter unique: add a per-process counter to the temporary name, for destinations
    ///   that several threads of one process might write at once.
    package init(path: String, overwrite: Bool = true, unique: Bool = true) throws {
        if !overwrite && FileSystem.exists(path) { throw SRError(.alreadyExists, "already exists", path: path) }
        self.path = path
        temporaryPath = AtomicFile.temporaryPath(for: path, unique: unique)
        AtomicFile.removeStaleTemporaries(for: path)
    }

    deinit { if !done { unlink(temporaryPath) } }

    /// Writes `bytes` to the temporary file (creating or truncating it), checking every write.
    package func write(bytes: UnsafeRawBufferPointer) throws {
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail("cannot create the temporary file") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("cannot write")
            }
            done += n
        }
    }

    /// Writes `text` (UTF-8) to the temporary file.
    package func write(text: String) throws {
        var t = text
        try t.withUTF8 { try write(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// fsyncs the temporary file, renames it over the destination and fsyncs the folder. On
    /// failure the temporary file is removed and the destination is untouched.
    package func commit() throws {
        guard !done else { throw SRError(.internal, "committed or discarded twice", path: path) }
        do {
            try AtomicFile.sync(temporaryPath, what: "temporary file", for: path)
            guard rename(temporaryPath, path) == 0 else { throw fail("cannot rename the temporary file into place") }
            done = true
            try AtomicFile.sync(FileSystem.directoryName(path), what: "folder", for: path)
        } catch {
            discard()
            throw error
        }
    }

    /// Removes the temporary file (the destination is untouched). Idempotent.
    package func discard() {
        if !done { unlink(temporaryPath) }
        done = true
    }

    /// Writes the destination through `body`, which receives the temporary path and must create
    /// the file there; commits when `body` returns, removes the temporary file when it throws.
    package static func write(_ path: String, overwrite: Bool = true, unique: Bool = true,
                              _ body: (String) throws -> Void) throws {
        let file = try AtomicFile(path: path, overwrite: overwrite, unique: unique)
        do {
            try body(file.temporaryPath)
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    /// Writes `text` to `path` atomically.
    package static func write(_ path: String, text: String) throws {
        let file = try AtomicFile(path: path)
        try file.write(text: text)
        try file.commit()
    }

    private static let counter = AtomicCounter()

    /// `<folder>/.<name>.tmp-<pid>` (or `...-<n>` with a per-process counter when `unique`).
    package static func temporaryPath(for path: String, unique: Bool = true) -> String {
        let dir = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        let base = FileSystem.baseName(path)
        let stem = "\(dir).\(base)\(marker)\(getpid())"
        return unique ? "\(stem)-\(counter.next())" : stem
    }

    /// The part of a temporary name after the destination's name.
    package static let marker = ".tmp-"

    /// Removes temporary files of `path` (`.<name>.tmp-<pid>...`) whose process no longer runs;
    /// returns the paths it removed. Files of running processes (this one included) are kept.
    @discardableResult
    package static func removeStaleTemporaries(for path: String) -> [String] {
        removeStale(in: FileSystem.directoryName(path), prefix: ".\(FileSystem.baseName(path))\(marker)")
    }

    /// Removes every temporary file in `folder` (`.<any name>.tmp-<pid>...`) whose process no longer
    /// runs: for a folder of many destinations (a training run's), some of which a later run may
    /// never write again. Returns the paths it removed.
    @discardableResult
    package static func removeStaleTemporaries(inFolder folder: String) -> [String] {
        removeStale(in: folder, prefix: nil)
    }

    private static func removeStale(in dir: String, prefix: String?) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var removed: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            let rest: Substring
            if let prefix {
                guard name.hasPrefix(prefix) else { continue }
                rest = name.dropFirst(prefix.count)
            } else {
                // ".<name>.tmp-<pid>[-<n>]": after the last marker, which follows a non-empty name.
                let bytes = Array(name.utf8), m = Array(marker.utf8)
                guard bytes.first == UInt8(ascii: "."), bytes.count > m.count + 1,
                      let at = stride(from: bytes.count - m.count, through: 2, by: -1).first(where: {
                          Array(bytes[$0..<($0 + m.count)]) == m
                      }) else { continue }
                rest = Substring(String(decoding: bytes[(at + m.count)...], as: UTF8.self))
            }
            let pidText = rest.split(separator: "-", maxSplits: 1).first.map(String.init) ?? ""
            guard let pid = Int32(pidText), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }  // that process is alive
            let full = FileSystem.join(dir, name)
            if unlink(full) == 0 { removed.append(full) }
        }
        return removed
    }

    /// fsyncs the file or folder at `target`.
    private static func sync(_ target: String, what: String, for path: String) throws {
        let fd = open(target, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SRError(.io, "cannot open the \(what) to sync it", path: path, errno: errno) }
        defer { close(fd) }
        // EINVAL: the file system cannot sync this kind of file (some do not for folders).
        guard fsync(fd) == 0 || errno == EINVAL else {
            throw SRError(.io, "cannot sync the \(what) to disk", path: path, errno: errno)
        }
    }

    private func fail(_ what: String) -> SRError { SRError(.io, what, path: path, errno: errno) }
}
