#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// Reads the LevelDB-style SSTable of a TensorFlow `.index` file (docs/tf-checkpoints.md):
/// footer with magic, index block, data blocks with verified masked-CRC32C trailers, prefix-compressed
/// entries. Returns every (key, value) pair in file order.
enum SSTable {
    /// `0xdb4775248b80fb57`, the table magic number.
    static let magic: UInt64 = 0xDB47_7524_8B80_FB57
    static let footerSize = 48
    static let trailerSize = 5

    struct Entry {
        var key: [UInt8]
        var value: Range<Int>
    }

    /// All entries of all data blocks, in order, values as ranges of `bytes`.
    static func entries(of bytes: [UInt8], file: String) throws -> [Entry] {
        guard bytes.count >= footerSize else {
            throw SRError(.format, "\(file): \(bytes.count) bytes is too short for a tensor-bundle index (footer is 48 bytes)")
        }
        var footer = WireReader(bytes, range: (bytes.count - footerSize)..<bytes.count, context: "\(file): footer")
        let metaOffset = try footer.count("metaindex offset")
        let metaSize = try footer.count("metaindex size")
        let indexOffset = try footer.count("index offset")
        let indexSize = try footer.count("index size")
        var magicReader = WireReader(bytes, range: (bytes.count - 8)..<bytes.count, context: "\(file): footer")
        guard try magicReader.fixed64() == magic else {
            throw SRError(.format, "\(file): not a TensorFlow tensor-bundle index (bad table magic)")
        }
        _ = try block(bytes, offset: metaOffset, size: metaSize, file: file, what: "metaindex block")
        let index = try block(bytes, offset: indexOffset, size: indexSize, file: file, what: "index block")
        var out: [Entry] = []
        for handle in try blockEntries(bytes, index, file: file, what: "index block") {
            var r = WireReader(bytes, range: handle.value, context: "\(file): block handle")
            let off = try r.count("block offset")
            let size = try r.count("block size")
            let data = try block(bytes, offset: off, size: size, file: file, what: "data block at \(off)")
            out += try blockEntries(bytes, data, file: file, what: "data block at \(off)")
        }
        for i in out.indices.dropFirst() where !out[i - 1].key.lexicographicallyPrecedes(out[i].key) {
            throw SRError(.format, "\(file): keys are not sorted (entry \(i)); the index is corrupt")
        }
        return out
    }

    /// The contents range of the block at `offset` after checking its trailer (type 0, masked CRC32C).
    static func block(_ bytes: [UInt8], offset: Int, size: Int, file: String, what: String) throws -> Range<Int> {
        let limit = bytes.count - footerSize
        guard offset <= limit, size <= limit - offset, trailerSize <= limit - offset - size else {
            throw SRError(.format, "\(file): \(what) (offset \(offset), size \(size)) lies outside the file")
        }
        let type = bytes[offset + size]
        guard type == 0 else {
            throw SRError(.unsupported, "\(file): \(what) is compressed (type \(type)); only uncompressed tensor-bundle indexes are supported")
        }
        var r = WireReader(bytes, range: (offset + size + 1)..<(offset + size + 5), context: file)
        let stored = try r.fixed32()
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + size + 1)])) }
        guard CRC32C.masked(crc) == stored else {
            throw SRError(.format, "\(file): \(what) fails its CRC32C check (stored \(hex32(stored)), computed \(hex32(CRC32C.masked(crc)))); the file is corrupt")
        }
        return offset..<(offset + size)
    }

    /// Decodes the prefix-compressed entries of one block (restart array ignored, only validated).
    static func blockEntries(_ bytes: [UInt8], _ contents: Range<Int>, file: String, what: String) throws -> [Entry] {
        guard contents.count >= 4 else { throw SRError(.format, "\(file): \(what) is too short") }
        var tail = WireReader(bytes, range: (contents.upperBound - 4)..<contents.upperBound, context: file)
        let restarts = Int(try tail.fixed32())
        guard restarts >= 1, restarts <= (contents.count - 4) / 4 else {
            throw SRError(.format, "\(file): \(what) has an invalid restart count \(restarts)")
        }
        let entriesEnd = contents.upperBound - 4 - 4 * restarts
        var r = WireReader(bytes, range: contents.lowerBound..<entriesEnd, context: "\(file): \(what)")
        var out: [Entry] = []
        var key: [UInt8] = []
        while !r.atEnd {
            let shared = try r.count("shared key length")
            let nonShared = try r.count("key length")
            let valueLength = try r.count("value length")
            guard shared <= key.count else {
                throw SRError(.format, "\(file): \(what) entry \(out.count) shares \(shared) bytes of a \(key.count)-byte key")
            }
            let suffix = try r.take(nonShared, "key")
            key = Array(key[0..<shared]) + bytes[suffix]
            out.append(Entry(key: key, value: try r.take(valueLength, "value")))
        }
        return out
    }
}

/// `v` as 8 lowercase hex digits with a `0x` prefix, for checksum messages.
func hex32(_ v: UInt32) -> String {
    let h = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - h.count) + h
}
