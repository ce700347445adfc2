import SRSupport

/// A safetensors file (docs/weights.md, "The safetensors container"), parsed and checked.
///
/// Layout: an 8-byte little-endian `u64` N, then N bytes of UTF-8 JSON — an object mapping each
/// tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` plus an optional
/// `"__metadata__"` string → string map — then the data area, raw little-endian values. Offsets
/// are relative to the data area.
///
/// Everything is checked before anything is sized from the file (the rules of the `safetensors`
/// package, with a stricter JSON parser): N within `Limits.maxHeaderBytes` and within the bytes
/// after the length field; the header starts with `{` and is strict JSON (`StrictJSON`: no
/// duplicate keys, bounded nesting); every tensor has exactly the three fields, a known dtype, a
/// shape of non-negative integers and `begin <= end`; sorted by offset the tensors start at 0 and
/// each begins where the previous one ended (no gap, no overlap) and the last ends exactly at the end
/// of the input; shape product × dtype size == `end - begin`, with overflow-checked arithmetic. Every
/// violation is a `.format` error that names the input and, where there is one, the tensor.
public struct SafeTensors: Sendable {
    /// Element types of the safetensors format (the byte-sized ones).
    public enum DType: String, CaseIterable, Sendable {
        case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3", f8e8m0 = "F8_E8M0"
        case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
        case i32 = "I32", u32 = "U32", f32 = "F32", f64 = "F64", i64 = "I64", u64 = "U64", c64 = "C64"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .bool, .u8, .i8, .f8e5m2, .f8e4m3, .f8e8m0: return 1
            case .i16, .u16, .f16, .bf16: return 2
            case .i32, .u32, .f32: return 4
            case .f64, .i64, .u64, .c64: return 8
            }
        }
    }

    /// One tensor's entry in the header.
    public struct Tensor: Equatable, Sendable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        /// Byte range inside the data area (`data_offsets`).
        public let offsets: Range<Int>
        /// Product of `shape` (1 for a scalar).
        public let elementCount: Int
    }

    /// Bounds on what a reader accepts.
    public struct Limits: Sendable {
        /// Largest JSON header (the `safetensors` package allows 100 MB; srcore's headers are a few KiB).
        public var maxHeaderBytes: Int
        /// Deepest JSON nesting (a valid header needs 3).
        public var maxDepth: Int
        /// Largest whole file or buffer.
        public var maxTotalBytes: Int

        public init(maxHeaderBytes: Int = 16 << 20, maxDepth: Int = 16, maxTotalBytes: Int = 1 << 30) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxDepth = maxDepth
            self.maxTotalBytes = maxTotalBytes
        }
    }

    /// What errors name (a path, or a description of a buffer).
    public let name: String
    /// The tensors in data order (ascending offsets).
    public let tensors: [Tensor]
    /// The `__metadata__` map (empty when the file has none).
    public let metadata: [String: String]
    /// Whether the header has a `__metadata__` entry.
    public let hasMetadata: Bool
    /// Byte offset of the data area in the input (8 + header length).
    public let dataStart: Int
    private let storage: [UInt8]

    /// Parses and checks the bytes of a safetensors file; the bytes are copied once they pass.
    public init(bytes: UnsafeRawBufferPointer, name: String, limits: Limits = Limits()) throws {
        guard bytes.count <= limits.maxTotalBytes else {
            throw SRError(.outOfMemory, "\(bytes.count) bytes exceed the \(limits.maxTotalBytes)-byte limit for a safetensors file", path: name)
        }
        let header = try SafeTensors.parseHeader(bytes, name: name, limits: limits)
        self.name = name
        tensors = header.tensors
        metadata = header.metadata
        hasMetadata = header.hasMetadata
        dataStart = header.dataStart
        storage = Array(bytes)
    }

    /// Parses and checks the bytes of a safetensors file.
    public init(bytes: [UInt8], name: String, limits: Limits = Limits()) throws {
        self = try bytes.withUnsafeBytes { try SafeTensors(bytes: $0, name: name, limits: limits) }
    }

    /// The tensor called `name`, if any.
    public func tensor(named name: String) -> Tensor? { tensors.first { $0.name == name } }

    /// The raw little-endian bytes of `t`.
    public func rawBytes(of t: Tensor) -> ArraySlice<UInt8> {
        storage[(dataStart + t.offsets.lowerBound)..<(dataStart + t.offsets.upperBound)]
    }

    /// The values of a floating-point tensor as `Float`: F32 exactly; F16 and BF16 widened exactly;
    /// F64 rounded to nearest (values beyond Float's range become infinite).
    ///
    /// - Throws: `.unsupported` naming the tensor for any other dtype.
    public func floats(_ t: Tensor) throws -> [Float] {
        let base = dataStart + t.offsets.lowerBound
        let n = t.elementCount
        return try storage.withUnsafeBytes { raw -> [Float] in
            func u16(_ i: Int) -> UInt16 { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: base + 2 * i, as: UInt16.self)) }
            switch t.dtype {
            case .f32:
                return (0..<n).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * $0, as: UInt32.self))) }
            case .f64:
                return (0..<n).map { Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8 * $0, as: UInt64.self)))) }
            case .bf16:
                return (0..<n).map { Float(bitPattern: UInt32(u16($0)) << 16) }
            case .f16:
                return (0..<n).map { SafeTensors.halfToFloat(u16($0)) }
            default:
                throw SRError(.unsupported, "tensor \(t.name) has dtype \(t.dtype.rawValue), not a floating-point type (F32, F16, BF16, F64)", path: name)
            }
        }
    }

    /// IEEE binary16 → binary32, exact (subnormals, infinities and NaN included).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exp = Int((h >> 10) & 0x1F)
        let frac = UInt32(h & 0x3FF)
        if exp == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | frac << 13) }
        if exp == 0 {
            let magnitude = Float(frac) * 0x1p-24 // subnormal (or zero)
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | frac << 13)
    }

    struct Header {
        var tensors: [Tensor]
        var metadata: [String: String]
        var hasMetadata: Bool
        var dataStart: Int
    }

    /// Checks the length field, the JSON header and every tensor entry against `bytes`.
    static func parseHeader(_ bytes: UnsafeRawBufferPointer, name: String, limits: Limits) throws -> Header {
        func bad(_ what: String) -> SRError { SRError(.format, "not a valid safetensors file: \(what)", path: name) }
        guard bytes.count >= 8 else {
            throw bad("\(bytes.count) bytes, too short for the 8-byte header length (truncated?)")
        }
        let n = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        let available = bytes.count - 8
        guard n <= UInt64(limits.maxHeaderBytes) else {
            throw bad("header length \(n) exceeds the \(limits.maxHeaderBytes)-byte limit")
        }
        let headerLength = Int(n)
        guard headerLength <= available else {
            throw bad("header length \(n) exceeds the \(available) bytes after the length field (truncated?)")
        }
        guard headerLength >= 2, bytes[8] == UInt8(ascii: "{") else {
            throw bad("the header does not start with '{'")
        }
        let json = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)])
        let root = try StrictJSON.parse(json, context: "not a valid safetensors file: header", path: name, maxDepth: limits.maxDepth)
        guard case .object(let members) = root else { throw bad("the header is not a JSON object") }
        let dataLength = available - headerLength
        var tensors: [Tensor] = []
        var metadata: [String: String] = [:]
        var hasMetadata = false
        for m in members {
            if m.key == "__metadata__" {
                hasMetadata = true
                switch m.value {
                case .null: continue
                case .object(let entries):
                    for e in entries {
                        guard let v = e.value.stringValue else {
                            throw bad("__metadata__ value of \"\(e.key)\" is \(e.value.kindName), not a string")
                        }
                        metadata[e.key] = v
                    }
                default: throw bad("__metadata__ is \(m.value.kindName), not an object of strings")
                }
                continue
            }
            tensors.append(try tensorEntry(m, dataLength: dataLength, bad: bad))
        }
        tensors.sort { ($0.offsets.lowerBound, $0.offsets.upperBound) < ($1.offsets.lowerBound, $1.offsets.upperBound) }
        var end = 0
        var previous: Tensor?
        for t in tensors {
            if t.offsets.lowerBound < end, let p = previous {
                throw bad("tensor \(t.name) data_offsets [\(t.offsets.lowerBound), \(t.offsets.upperBound)] overlap tensor \(p.name) [\(p.offsets.lowerBound), \(p.offsets.upperBound)]")
            }
            if t.offsets.lowerBound > end {
                throw bad("gap before tensor \(t.name): its data starts at \(t.offsets.lowerBound), the previous data ends at \(end) (tensors must be contiguous)")
            }
            end = t.offsets.upperBound
            previous = t
        }
        guard end == dataLength else {
            throw bad("the tensors' data ends at byte \(end) of the data area, but it has \(dataLength) bytes (\(dataLength - end) bytes unaccounted for)")
        }
        return Header(tensors: tensors, metadata: metadata, hasMetadata: hasMetadata, dataStart: 8 + headerLength)
    }

    private static func tensorEntry(_ m: JSONMember, dataLength: Int, bad: (String) -> SRError) throws -> Tensor {
        let name = m.key
        guard case .object(let fields) = m.value else { throw bad("tensor \(name) is \(m.value.kindName), not an object") }
        var dtype: DType?, shape: [Int]?, offsets: [Int]?
        func integers(_ v: JSONValue, _ field: String) throws -> [Int] {
            guard case .array(let items) = v else { throw bad("tensor \(name) \(field) is \(v.kindName), not an array") }
            return try items.map {
                guard let i = $0.nonNegativeInteger else {
                    throw bad("tensor \(name) \(field) holds \($0.number ?? $0.kindName), not a non-negative integer")
                }
                return i
            }
        }
        for f in fields {
            switch f.key {
            case "dtype":
                guard let s = f.value.stringValue else { throw bad("tensor \(name) dtype is \(f.value.kindName), not a string") }
                guard let d = DType(rawValue: s) else {
                    throw bad("tensor \(name) has unknown dtype \"\(s)\" (known: \(DType.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                dtype = d
            case "shape": shape = try integers(f.value, "shape")
            case "data_offsets": offsets = try integers(f.value, "data_offsets")
            default: throw bad("tensor \(name) has an unknown field \"\(f.key)\"")
            }
        }
        guard let dtype else { throw bad("tensor \(name) has no dtype") }
        guard let shape else { throw bad("tensor \(name) has no shape") }
        guard let offsets else { throw bad("tensor \(name) has no data_offsets") }
        guard offsets.count == 2 else { throw bad("tensor \(name) data_offsets has \(offsets.count) numbers, not 2") }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else { throw bad("tensor \(name) data_offsets [\(begin), \(end)] end before they begin") }
        guard end <= dataLength else {
            throw bad("tensor \(name) data_offsets [\(begin), \(end)] are out of range: the data area has \(dataLength) bytes (truncated?)")
        }
        var count = 1
        for d in shape {
            let (c, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw bad("tensor \(name) shape \(shape) overflows") }
            count = c
        }
        let (byteCount, o) = count.multipliedReportingOverflow(by: dtype.size)
        guard !o, byteCount == end - begin else {
            throw bad("tensor \(name) shape \(shape) of \(dtype.rawValue) needs \(o ? "more than Int.max" : String(byteCount)) bytes, its data_offsets [\(begin), \(end)] hold \(end - begin)")
        }
        return Tensor(name: name, dtype: dtype, shape: shape, offsets: begin..<end, elementCount: count)
    }
}

extension JSONValue {
    /// The number's text, for messages.
    var number: String? {
        if case .number(let t) = self { return t }
        return nil
    }
}
