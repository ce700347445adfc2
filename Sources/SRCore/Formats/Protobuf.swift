import SRSupport
/// A bounds-checked little-endian reader over a byte buffer: LEB128 varints, fixed-width integers and
/// protobuf wire-format fields. Used for the LevelDB-style SSTable of a TensorFlow `.index` file and the
/// protobuf messages stored in it. Every read past `end` throws a `.format` error naming `context`.
struct WireReader {
    /// Protobuf wire types.
    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    /// What is being read, for error messages ("file.index: BundleEntryProto of 'CNN1/conv_W'").
    let context: String

    init(_ bytes: [UInt8], range: Range<Int>? = nil, context: String) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        self.position = r.lowerBound
        self.end = r.upperBound
        self.context = context
    }

    /// Whether everything up to `end` has been read.
    var atEnd: Bool { position >= end }

    private func truncated(_ what: String) -> SRError {
        SRError(.format, "\(context): truncated \(what) at byte \(position)")
    }

    /// A LEB128 unsigned varint of at most 64 bits (10 bytes).
    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw truncated("varint") }
            let b = bytes[position]
            position += 1
            guard shift < 64, !(shift == 63 && b > 1) else {
                throw SRError(.format, "\(context): varint longer than 64 bits at byte \(position - 1)")
            }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A varint that must fit in `Int` and be non-negative (sizes, offsets, counts).
    mutating func count(_ what: String) throws -> Int {
        let v = try varint()
        guard v <= UInt64(Int.max) else { throw SRError(.format, "\(context): \(what) \(v) is out of range") }
        return Int(v)
    }

    mutating func fixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw truncated("fixed32") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    mutating func fixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw truncated("fixed64") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    /// The next `n` bytes as a range of `bytes`.
    mutating func take(_ n: Int, _ what: String) throws -> Range<Int> {
        guard n >= 0, end - position >= n else { throw truncated(what) }
        defer { position += n }
        return position..<(position + n)
    }

    /// The next protobuf field key, or nil at the end of the message.
    mutating func nextField() throws -> (number: Int, wire: WireType)? {
        guard !atEnd else { return nil }
        let key = try varint()
        guard let wire = WireType(rawValue: Int(key & 7)), key >> 3 > 0, key >> 3 < (1 << 29) else {
            throw SRError(.format, "\(context): invalid protobuf field key \(key) at byte \(position)")
        }
        return (Int(key >> 3), wire)
    }

    /// A length-delimited field's payload range.
    mutating func lengthDelimited() throws -> Range<Int> {
        let n = try count("length")
        return try take(n, "length-delimited field")
    }

    /// Skips an unknown field's value.
    mutating func skip(_ wire: WireType) throws {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try take(8, "fixed64")
        case .fixed32: _ = try take(4, "fixed32")
        case .lengthDelimited: _ = try lengthDelimited()
        case .startGroup, .endGroup:
            throw SRError(.format, "\(context): protobuf groups are not supported")
        }
    }

    /// A reader over a sub-range (an embedded message).
    func sub(_ range: Range<Int>, context: String? = nil) -> WireReader {
        WireReader(bytes, range: range, context: context ?? self.context)
    }

    /// Throws unless `wire` is `expected` (a field with the wrong wire type is corrupt).
    func expect(_ wire: WireType, _ expected: WireType, field: String) throws {
        guard wire == expected else {
            throw SRError(.format, "\(context): field \(field) has wire type \(wire.rawValue), expected \(expected.rawValue)")
        }
    }
}
