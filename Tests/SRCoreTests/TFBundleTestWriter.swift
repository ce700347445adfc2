@testable import SRCore
import SRTestSupport

/// Writes small TensorFlow tensor bundles for tests (the format of CHECKPOINTS.md: one uncompressed
/// SSTable data block without prefix sharing, masked CRC32C trailers, protobuf entries), with knobs to
/// produce the variants the reader must refuse.
struct TFBundleTestWriter {
    struct Tensor {
        var name: String
        var shape: [Int]
        var values: [Float]
        var dtype = 1
        var sliced = false
        /// Stored instead of the real offset (for corrupt-index tests).
        var offset: Int? = nil
    }
    var tensors: [Tensor] = []
    var bigEndian = false
    var blockType: UInt8 = 0

    static func varint(_ v: UInt64) -> [UInt8] {
        var v = v, out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        return out + [UInt8(v)]
    }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func field(_ n: Int, varint v: Int) -> [UInt8] { varint(UInt64(n << 3)) + varint(UInt64(v)) }
    static func field(_ n: Int, bytes b: [UInt8]) -> [UInt8] { varint(UInt64(n << 3 | 2)) + varint(UInt64(b.count)) + b }

    /// Writes `<prefix>.index` and `<prefix>.data-00000-of-00001`.
    func write(prefix: String) {
        var data: [UInt8] = []
        var entries: [(key: [UInt8], value: [UInt8])] = []
        var header = Self.field(1, varint: 1) + Self.field(3, bytes: Self.field(1, varint: 1))
        if bigEndian { header += Self.field(2, varint: 1) }
        entries.append(([], header))
        for t in tensors.sorted(by: { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }) {
            let raw = t.values.flatMap { Self.le32($0.bitPattern) }
            var shape: [UInt8] = []
            for d in t.shape { shape += Self.field(2, bytes: Self.field(1, varint: d)) }
            var e = Self.field(1, varint: t.dtype) + Self.field(2, bytes: shape)
            if let o = t.offset { e += Self.field(4, varint: o) } else if !data.isEmpty { e += Self.field(4, varint: data.count) }
            e += Self.field(5, varint: raw.count)
            e += [0x35] + Self.le32(CRC32C.masked(CRC32C.checksum(raw)))
            if t.sliced { e += Self.field(7, bytes: Self.field(1, bytes: [])) }
            entries.append((Array(t.name.utf8), e))
            data += raw
        }
        var file: [UInt8] = []
        func block(_ contents: [UInt8], type: UInt8 = 0) -> [UInt8] { // returns the handle
            let offset = file.count
            file += contents + [type]
            file += Self.le32(CRC32C.masked(CRC32C.checksum(contents + [type])))
            return Self.varint(UInt64(offset)) + Self.varint(UInt64(contents.count))
        }
        func contents(_ es: [(key: [UInt8], value: [UInt8])]) -> [UInt8] {
            var c: [UInt8] = []
            for e in es { c += Self.varint(0) + Self.varint(UInt64(e.key.count)) + Self.varint(UInt64(e.value.count)) + e.key + e.value }
            return c + Self.le32(0) + Self.le32(1)
        }
        let dataHandle = block(contents(entries), type: blockType)
        let metaHandle = block(contents([]))
        let indexHandle = block(contents([(entries.last!.key + [0xFF], dataHandle)]))
        var footer = metaHandle + indexHandle
        footer += [UInt8](repeating: 0, count: 40 - footer.count)
        footer += Self.le32(0x8B80_FB57) + Self.le32(0xDB47_7524)
        FormatsTestSupport.writeBytes(file + footer, to: prefix + ".index")
        FormatsTestSupport.writeBytes(data, to: prefix + ".data-00000-of-00001")
    }

    /// The bundle the reference would save for `p` (TF variable names, plus Adam slots and beta powers).
    static func bundle(for p: DCSCNParameters) -> TFBundleTestWriter {
        var w = TFBundleTestWriter()
        for (s, l) in zip(p.config.layers, p.layers) {
            let n = TFBundle.variableNames(of: s)
            var ts = [Tensor(name: n.kernel, shape: [s.kernel, s.kernel, s.inChannels, s.outChannels], values: l.kernel)]
            if let b = n.bias { ts.append(Tensor(name: b, shape: [s.outChannels], values: l.bias)) }
            if let a = n.alpha { ts.append(Tensor(name: a, shape: [s.outChannels], values: l.alpha)) }
            for t in ts {
                w.tensors += [t, Tensor(name: t.name + "/Adam", shape: t.shape, values: t.values),
                              Tensor(name: t.name + "/Adam_1", shape: t.shape, values: t.values)]
            }
        }
        w.tensors += [Tensor(name: "beta1_power", shape: [], values: [0]), Tensor(name: "beta2_power", shape: [], values: [0])]
        return w
    }
}
