#if canImport(Glibc)
import Glibc
#endif
import SRSupport

extension SafeTensors {
    /// One float32 tensor to write.
    public struct Entry: Sendable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// The bytes of a safetensors file holding `entries` (F32, data in the order given) and
    /// `metadata` (keys sorted). The header is padded with spaces to a multiple of 8 bytes, as the
    /// `safetensors` package does, so the data area is 8-byte aligned.
    ///
    /// - Throws: `.invalidArgument` for a duplicate or reserved name (`__metadata__`), a negative
    ///   dimension, or a shape whose product is not the number of values.
    public static func encode(_ entries: [Entry], metadata: [String: String] = [:]) throws -> [UInt8] {
        var header = "{"
        var first = true
        func member(_ key: String, _ value: String) {
            header += (first ? "" : ",") + quoted(key) + ":" + value
            first = false
        }
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            member("__metadata__", "{" + pairs.map { quoted($0.key) + ":" + quoted($0.value) }.joined(separator: ",") + "}")
        }
        var names = Set<String>()
        var offset = 0
        for e in entries {
            guard e.name != "__metadata__", names.insert(e.name).inserted else {
                throw SRError(.invalidArgument, "safetensors: tensor name \"\(e.name)\" is duplicate or reserved")
            }
            var count = 1
            for d in e.shape {
                let (c, o) = count.multipliedReportingOverflow(by: d)
                guard d >= 0, !o else { throw SRError(.invalidArgument, "safetensors: tensor \(e.name) has an invalid shape \(e.shape)") }
                count = c
            }
            guard count == e.values.count else {
                throw SRError(.invalidArgument, "safetensors: tensor \(e.name) has shape \(e.shape) (\(count) values) but \(e.values.count) values")
            }
            let shape = "[" + e.shape.map(String.init).joined(separator: ",") + "]"
            member(e.name, "{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(offset + 4 * count)]}")
            offset += 4 * count
        }
        header += "}"
        var h = Array(header.utf8)
        h += [UInt8](repeating: UInt8(ascii: " "), count: (8 - h.count % 8) % 8)
        var out: [UInt8] = []
        out.reserveCapacity(8 + h.count + offset)
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { out += $0 }
        out += h
        for e in entries {
            for v in e.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        }
        return out
    }

    /// Writes `encode(entries, metadata:)` to `path` atomically (`AtomicFile`: temp file, fsync, rename).
    ///
    /// - Throws: what `encode` throws; `.io` when the file cannot be written.
    public static func write(_ entries: [Entry], metadata: [String: String] = [:], to path: String) throws {
        let bytes = try encode(entries, metadata: metadata)
        let file = try AtomicFile(path: path)
        try bytes.withUnsafeBytes { try file.write(bytes: $0) }
        try file.commit()
    }

    /// A JSON string literal (`JSONText.string`).
    package static func quoted(_ s: String) -> String { JSONText.string(s) }

    /// Reads and checks a safetensors file. The file must be a regular file of at most
    /// `limits.maxTotalBytes`; it is read into memory (nothing is sized from its contents first).
    ///
    /// - Throws: `.io` when it cannot be opened or read, `.outOfMemory` when it is too large, and
    ///   what `init(bytes:name:limits:)` throws.
    public init(path: String, limits: Limits = Limits()) throws {
        let bytes = try SafeTensors.readFile(path, maxBytes: limits.maxTotalBytes)
        try self.init(bytes: bytes, name: path, limits: limits)
    }

    /// The whole regular file at `path`, refused with `.outOfMemory` beyond `maxBytes`
    /// (FIFOs, devices and folders are refused with `.io` instead of being read without end).
    package static func readFile(_ path: String, maxBytes: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw SRError(.io, "cannot open", path: path, errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SRError(.io, "cannot stat", path: path, errno: errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw SRError(.io, "not a regular file", path: path) }
        let size = Int(st.st_size)
        guard size <= maxBytes else {
            throw SRError(.outOfMemory, "the file has \(size) bytes, more than the \(maxBytes)-byte limit", path: path)
        }
        var failure: Int32?
        let out = [UInt8](unsafeUninitializedCapacity: size) { buf, initialized in
            var done = 0
            while done < size {
                let n = read(fd, buf.baseAddress! + done, size - done)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno; break }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        if let e = failure { throw SRError(.io, "cannot read", path: path, errno: e) }
        guard out.count == size else { throw SRError(.io, "read \(out.count) of \(size) bytes (the file shrank?)", path: path) }
        return out
    }

    /// The first `count` bytes of the file at `path` (fewer when it is shorter).
    package static func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw SRError(.io, "cannot open", path: path, errno: errno) }
        defer { close(fd) }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw SRError(.io, "cannot read", path: path, errno: errno) }
            if n == 0 { break }
            done += n
        }
        return Array(out[..<done])
    }
}
