#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// A TensorFlow "V2" checkpoint (tensor bundle) read without TensorFlow: `<prefix>.index` (an SSTable
/// of `BundleEntryProto`s) plus `<prefix>.data-NNNNN-of-NNNNN` shards of raw little-endian tensors.
///
/// Every index block CRC and every tensor CRC is verified. Compressed indexes, big-endian bundles,
/// sliced (partitioned) tensors and dtypes other than `DT_FLOAT` are refused with a clear error.
public struct TFBundle: Sendable {
    /// One tensor's index entry (`BundleEntryProto`).
    public struct Entry: Equatable, Sendable {
        /// TensorFlow `DataType` enum value (1 = `DT_FLOAT`).
        public var dtype: Int
        /// Dimensions, outermost first (empty for a scalar).
        public var shape: [Int]
        /// Data shard holding the tensor.
        public var shardID: Int
        /// Byte offset inside the shard.
        public var offset: Int
        /// Byte size inside the shard.
        public var size: Int
        /// Masked CRC32C of the tensor's bytes, as stored.
        public var crc32c: UInt32
        /// Whether the tensor is stored as slices (partitioned variable); such tensors are refused.
        public var isSliced: Bool

        /// Creates an entry (the reader makes them from the index; tests and writers too).
        public init(dtype: Int, shape: [Int], shardID: Int, offset: Int, size: Int, crc32c: UInt32, isSliced: Bool) {
            self.dtype = dtype; self.shape = shape; self.shardID = shardID; self.offset = offset
            self.size = size; self.crc32c = crc32c; self.isSliced = isSliced
        }
    }

    /// The checkpoint prefix (path without `.index`).
    public let prefix: String
    /// Number of data shards.
    public let shardCount: Int
    /// Index entries by tensor name.
    public let entries: [String: Entry]

    /// Tensor names in the index's order (raw byte order: `CNN1 < CNN10 < CNN2`).
    public let names: [String]

    /// The data shards' bytes when the bundle is held in memory; nil: the files beside the index.
    private let shardBytes: [[UInt8]]?

    /// Opens `<prefix>.index` and parses it (the data shards are read by `tensor(_:)`).
    ///
    /// - Parameter prefix: the checkpoint prefix, e.g. `dir/model.ckpt`; a trailing `.index` is accepted.
    /// - Throws: `.io` if the index cannot be read, `.format` if it is corrupt (bad magic, CRC, truncation),
    ///   `.unsupported` for compression, big-endian bundles or a newer bundle version.
    public init(prefix: String) throws {
        let p = prefix.hasSuffix(".index") ? String(prefix.dropLast(6)) : prefix
        try self.init(prefix: p, index: try TFBundle.readFile(p + ".index"), shards: nil)
    }

    /// Parses index bytes held in memory; `tensor(_:)` reads `data[id]` (nil: the shard files of
    /// `prefix`, which also names the files in messages). The fuzz harness feeds bytes this way.
    package init(prefix p: String, index bytes: [UInt8], shards data: [[UInt8]]?) throws {
        let file = p + ".index"
        var entries: [String: Entry] = [:]
        var names: [String] = []
        var shards: Int?
        for e in try SSTable.entries(of: bytes, file: file) {
            if e.key.isEmpty {
                shards = try TFBundle.parseHeader(bytes, e.value, file: file)
                continue
            }
            let name = String(decoding: e.key, as: UTF8.self)
            entries[name] = try TFBundle.parseEntry(bytes, e.value, context: "\(file): entry '\(name)'")
            names.append(name)
        }
        guard let shardCount = shards else {
            throw SRError(.format, "\(file): no BundleHeaderProto (empty key) in the index")
        }
        for (name, e) in entries where e.shardID >= shardCount {
            throw SRError(.format, "\(file): tensor '\(name)' is in shard \(e.shardID) of \(shardCount)")
        }
        self.prefix = p
        self.shardCount = shardCount
        self.entries = entries
        self.names = names
        self.shardBytes = data
    }

    /// Path of data shard `id`: `<prefix>.data-%05d-of-%05d`.
    public func shardPath(_ id: Int) -> String {
        func five(_ v: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, 5 - s.count)) + s }
        return "\(prefix).data-\(five(id))-of-\(five(shardCount))"
    }

    /// Reads a float32 tensor and verifies its CRC32C.
    ///
    /// - Returns: the shape and the values in row-major order (HWIO for conv kernels).
    /// - Throws: `.invalidArgument` for an unknown name, `.unsupported` for non-float or sliced tensors,
    ///   `.io`/`.format` if the data shard is missing, short or corrupt.
    public func tensor(_ name: String) throws -> (shape: [Int], values: [Float]) {
        guard let e = entries[name] else {
            throw SRError(.invalidArgument, "\(prefix).index: no tensor named '\(name)'")
        }
        guard !e.isSliced else {
            throw SRError(.unsupported, "\(prefix).index: tensor '\(name)' is stored as slices (partitioned variable); not supported")
        }
        guard e.dtype == 1 else {
            throw SRError(.unsupported, "\(prefix).index: tensor '\(name)' has dtype \(TFBundle.dtypeName(e.dtype)); only DT_FLOAT (float32) is supported")
        }
        var count = 1
        for d in e.shape {
            let (m, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw SRError(.format, "\(prefix).index: tensor '\(name)' shape \(e.shape) overflows") }
            count = m
        }
        guard count.multipliedReportingOverflow(by: 4) == (e.size, false) else {
            throw SRError(.format, "\(prefix).index: tensor '\(name)' of shape \(e.shape) has \(e.size) bytes, expected \(count * 4)")
        }
        let path = shardPath(e.shardID)
        let raw: [UInt8]
        if let shardBytes {
            guard e.shardID < shardBytes.count else { throw SRError(.io, "\(path): no such data shard") }
            try TFBundle.checkRange(path, offset: e.offset, size: e.size, fileSize: shardBytes[e.shardID].count)
            raw = Array(shardBytes[e.shardID][e.offset..<(e.offset + e.size)])
        } else {
            raw = try TFBundle.readFile(path, offset: e.offset, size: e.size)
        }
        let crc = CRC32C.masked(CRC32C.checksum(raw))
        guard crc == e.crc32c else {
            throw SRError(.format, "\(path): tensor '\(name)' (offset \(e.offset), \(e.size) bytes) fails its CRC32C check (index says \(hex32(e.crc32c)), data gives \(hex32(crc))); the checkpoint is corrupt")
        }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let b = i * 4
            let bits = UInt32(raw[b]) | UInt32(raw[b + 1]) << 8 | UInt32(raw[b + 2]) << 16 | UInt32(raw[b + 3]) << 24
            values[i] = Float(bitPattern: bits)
        }
        return (e.shape, values)
    }

    // MARK: - protobuf messages

    /// Parses `BundleHeaderProto`; returns `num_shards`.
    static func parseHeader(_ bytes: [UInt8], _ range: Range<Int>, file: String) throws -> Int {
        var r = WireReader(bytes, range: range, context: "\(file): BundleHeaderProto")
        var shards = 0, endianness = 0, minConsumer = 0
        while let f = try r.nextField() {
            switch f.number {
            case 1: try r.expect(f.wire, .varint, field: "num_shards"); shards = Int(Int32(truncatingIfNeeded: try r.varint()))
            case 2: try r.expect(f.wire, .varint, field: "endianness"); endianness = Int(Int32(truncatingIfNeeded: try r.varint()))
            case 3:
                try r.expect(f.wire, .lengthDelimited, field: "version")
                var v = r.sub(try r.lengthDelimited(), context: "\(file): VersionDef")
                while let g = try v.nextField() {
                    if g.number == 2, g.wire == .varint { minConsumer = Int(Int32(truncatingIfNeeded: try v.varint())) } else { try v.skip(g.wire) }
                }
            default: try r.skip(f.wire)
            }
        }
        guard endianness == 0 else {
            throw SRError(.unsupported, "\(file): the bundle is big-endian; only little-endian checkpoints are supported")
        }
        guard minConsumer <= 1 else {
            throw SRError(.unsupported, "\(file): the bundle needs a reader of version \(minConsumer) or newer (this reader is version 1)")
        }
        guard shards >= 1, shards <= 99_999 else { throw SRError(.format, "\(file): invalid shard count \(shards)") }
        return shards
    }

    /// Parses one `BundleEntryProto`.
    static func parseEntry(_ bytes: [UInt8], _ range: Range<Int>, context: String) throws -> Entry {
        var r = WireReader(bytes, range: range, context: context)
        var e = Entry(dtype: 0, shape: [], shardID: 0, offset: 0, size: 0, crc32c: 0, isSliced: false)
        func nonNegative(_ v: UInt64, _ what: String) throws -> Int {
            let s = Int64(bitPattern: v)
            guard s >= 0 else { throw SRError(.format, "\(context): negative \(what) \(s)") }
            return Int(s)
        }
        while let f = try r.nextField() {
            switch f.number {
            case 1: try r.expect(f.wire, .varint, field: "dtype"); e.dtype = Int(Int32(truncatingIfNeeded: try r.varint()))
            case 2:
                try r.expect(f.wire, .lengthDelimited, field: "shape")
                var s = r.sub(try r.lengthDelimited())
                while let g = try s.nextField() {
                    switch (g.number, g.wire) {
                    case (2, .lengthDelimited):
                        var d = s.sub(try s.lengthDelimited())
                        var size = 0
                        while let h = try d.nextField() {
                            if h.number == 1, h.wire == .varint { size = try nonNegative(try d.varint(), "dimension") } else { try d.skip(h.wire) }
                        }
                        e.shape.append(size)
                    case (3, .varint):
                        if try s.varint() != 0 { throw SRError(.format, "\(context): shape has unknown rank") }
                    default: try s.skip(g.wire)
                    }
                }
            case 3: try r.expect(f.wire, .varint, field: "shard_id"); e.shardID = try nonNegative(try r.varint(), "shard id")
            case 4: try r.expect(f.wire, .varint, field: "offset"); e.offset = try nonNegative(try r.varint(), "offset")
            case 5: try r.expect(f.wire, .varint, field: "size"); e.size = try nonNegative(try r.varint(), "size")
            case 6: try r.expect(f.wire, .fixed32, field: "crc32c"); e.crc32c = try r.fixed32()
            case 7: try r.skip(f.wire); e.isSliced = true
            default: try r.skip(f.wire)
            }
        }
        return e
    }

    /// TensorFlow `DataType` names for messages.
    static func dtypeName(_ d: Int) -> String {
        let names = [1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 4: "DT_UINT8", 5: "DT_INT16", 6: "DT_INT8",
                     7: "DT_STRING", 9: "DT_INT64", 10: "DT_BOOL", 14: "DT_BFLOAT16", 19: "DT_HALF"]
        return "\(names[d] ?? "DataType") (\(d))"
    }

    // MARK: - file access

    /// Throws `.format` unless bytes `offset..<offset + size` lie inside a file of `fileSize` bytes.
    static func checkRange(_ path: String, offset: Int, size n: Int, fileSize: Int) throws {
        guard offset >= 0, n >= 0, offset <= fileSize, n <= fileSize - offset else {
            throw SRError(.format, "\(path): needs bytes \(offset)..<\(offset &+ n) but the file has \(fileSize) bytes (truncated?)")
        }
    }

    /// Reads `size` bytes at `offset` of `path` (the whole file when `size` is nil).
    package static func readFile(_ path: String, offset: Int = 0, size: Int? = nil) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else {
            throw SRError(.io, "\(path): cannot open (\(String(cString: strerror(errno))))")
        }
        defer { fclose(f) }
        guard fseeko(f, 0, SEEK_END) == 0 else { throw SRError(.io, "\(path): cannot seek") }
        let fileSize = Int(ftello(f))
        let n = size ?? fileSize
        try checkRange(path, offset: offset, size: n, fileSize: fileSize)
        guard fseeko(f, off_t(offset), SEEK_SET) == 0 else { throw SRError(.io, "\(path): cannot seek to \(offset)") }
        var out = [UInt8](repeating: 0, count: n)
        let got = out.withUnsafeMutableBytes { fread($0.baseAddress, 1, n, f) }
        guard got == n else { throw SRError(.io, "\(path): read \(got) of \(n) bytes") }
        return out
    }
}
