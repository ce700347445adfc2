#if canImport(Glibc)
import Glibc
#endif

extension WeightsFile {
    /// Reads a weights file from its bytes in memory (e.g. a model compiled into libsrcore).
    ///
    /// The bytes are staged in a private temporary file (in memory-backed /dev/shm where available,
    /// else `$TMPDIR` or /tmp; removed before returning) that `read(path:)` then parses, so both paths
    /// share one reader. Errors name `name` instead of the temporary path.
    ///
    /// - Throws: what `read(path:)` throws; `.invalidArgument` for an empty buffer, `.io` if no
    ///   temporary file can be made.
    public static func read(bytes: UnsafeRawBufferPointer, name: String = "<memory>") throws -> DCSCNParameters {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw SRError(.invalidArgument, "\(name): empty weights image")
        }
        let (fd, path) = try stagingFile(name)
        defer {
            close(fd)
            unlink(path)
        }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, base + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw SRError(.io, "\(name): cannot stage the weights image (\(String(cString: strerror(errno))))") }
            done += n
        }
        do {
            return try read(path: path)
        } catch let e as SRError {
            throw SRError(e.code, e.message.replacingAll(path, with: name))
        }
    }

    /// An open, empty temporary file and its path, in the first writable of /dev/shm (memory-backed),
    /// `$TMPDIR` and /tmp.
    private static func stagingFile(_ name: String) throws -> (Int32, String) {
        var dirs = ["/dev/shm"]
        if let t = getenv("TMPDIR") { dirs.append(String(cString: t)) }
        dirs.append("/tmp")
        var reason = "no candidate folder"
        for dir in dirs {
            var template = Array("\(dir)/srcore-weights-XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { buf in buf.baseAddress.map { mkstemp($0) } ?? -1 }
            if fd >= 0 {
                return (fd, String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            reason = "\(dir): \(String(cString: strerror(errno)))"
        }
        throw SRError(.io, "\(name): cannot create a temporary file to stage the weights (\(reason))")
    }
}

private extension String {
    /// Replaces every occurrence of `target` (no Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
