import Testing
@testable import SRCore
import SRTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The safetensors container (docs/weights.md): exact round trips, and every malformed-header class
/// refused with `.format` and a message that says what is wrong (generated here, no fixture files).
@Suite struct SafeTensorsTests {
    /// A file from a header text and a data area (the length field is the header's byte count).
    static func file(_ header: String, data: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { out += $0 }
        return out + h + data
    }

    static func floatBytes(_ v: [Float]) -> [UInt8] {
        v.flatMap { x in withUnsafeBytes(of: x.bitPattern.littleEndian) { Array($0) } }
    }

    /// The `.format` error of parsing `bytes` (nil when it parses).
    static func formatError(_ bytes: [UInt8], limits: SafeTensors.Limits = .init()) -> SRError? {
        do { _ = try SafeTensors(bytes: bytes, name: "t.safetensors", limits: limits) } catch let e as SRError { return e } catch { return nil }
        return nil
    }

    static func expectRefused(_ bytes: [UInt8], _ text: String, code: SRError.Code = .format,
                              limits: SafeTensors.Limits = .init(), sourceLocation: SourceLocation = #_sourceLocation) {
        let e = formatError(bytes, limits: limits)
        #expect(e?.code == code && e?.message.contains(text) == true && e?.path == "t.safetensors",
                "expected \(code) containing \"\(text)\", got \(e.map(\.description) ?? "success")", sourceLocation: sourceLocation)
    }

    @Test func roundTripIsExact() throws {
        let weird: [Float] = [0, -0.0, 1, -1.5, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .pi, 1e-30, .nan, .infinity]
        let entries = [SafeTensors.Entry(name: "a/kernel", shape: [2, 5], values: weird),
                       SafeTensors.Entry(name: "scalar", shape: [], values: [42]),
                       SafeTensors.Entry(name: "empty", shape: [0, 3], values: []),
                       SafeTensors.Entry(name: "quote\"back\\slash\ncontrol\u{1}é😀", shape: [1], values: [7])]
        let meta = ["format": "x", "text": "line\nbreak \"q\" \u{7f}"]
        let bytes = try SafeTensors.encode(entries, metadata: meta)
        #expect(bytes.count % 4 == 0 && (bytes.count - 4 * 12) % 8 == 0) // data area 8-aligned
        let st = try SafeTensors(bytes: bytes, name: "mem")
        #expect(st.metadata == meta && st.hasMetadata && st.tensors.count == 4)
        for e in entries {
            let t = try #require(st.tensor(named: e.name))
            #expect(t.shape == e.shape && t.dtype == .f32)
            #expect(try st.floats(t).map(\.bitPattern) == e.values.map(\.bitPattern))
        }
        #expect(try SafeTensors.encode(entries, metadata: meta) == bytes) // deterministic
        let dir = TempDir.make("st")
        defer { TempDir.remove(dir) }
        try SafeTensors.write(entries, metadata: meta, to: dir + "/t.safetensors")
        let f = try SafeTensors(path: dir + "/t.safetensors")
        #expect(f.tensors == st.tensors && f.metadata == meta)
        #expect(TempDir.names(dir) == ["t.safetensors"])
    }

    @Test func acceptsWhatTheFormatAllows() throws {
        #expect(Self.formatError(Self.file("{}")) == nil)                                  // no tensors
        #expect(Self.formatError(Self.file("{\"__metadata__\":null}    ")) == nil)          // padding, null metadata
        let st = try SafeTensors(bytes: Self.file(#"{"b\u00e9\ud83d\ude00":{"data_offsets":[0,8],"shape":[2],"dtype":"F32"}, "z":{"dtype":"I8","shape":[0],"data_offsets":[8,8]}}"#,
                                                  data: Self.floatBytes([1, 2])), name: "x")
        #expect(st.tensors.map(\.name) == ["bé😀", "z"])
        #expect(try st.floats(st.tensors[0]) == [1, 2])
        #expect(throws: SRError.self) { try st.floats(st.tensors[1]) }                    // I8: not a float
        // F16 (exact: normal, subnormal, inf), BF16 and F64 are widened or rounded to Float.
        let half: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x7BFF, 0x7C00]
        let bf: [UInt16] = [0x3F80, 0xC040]
        var data = half.flatMap { h in withUnsafeBytes(of: h.littleEndian) { Array($0) } }
        data += bf.flatMap { h in withUnsafeBytes(of: h.littleEndian) { Array($0) } }
        data += withUnsafeBytes(of: (0.1 as Double).bitPattern.littleEndian) { Array($0) }
        let mixed = try SafeTensors(bytes: Self.file(#"{"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[10,14]},"d":{"dtype":"F64","shape":[1],"data_offsets":[14,22]}}"#, data: data), name: "x")
        #expect(try mixed.floats(mixed.tensor(named: "h")!) == [1, -2, 0x1p-24, 65504, .infinity])
        #expect(try mixed.floats(mixed.tensor(named: "b")!) == [1, -3])
        #expect(try mixed.floats(mixed.tensor(named: "d")!) == [Float(0.1)])
    }

    @Test func refusesBadLengths() {
        Self.expectRefused([1, 0, 0, 0, 0], "too short")                                   // truncated length field
        Self.expectRefused(Self.file("{}").dropLast(1).map { $0 }, "after the length field") // length > file
        var huge = Self.file("{}")
        for i in 0..<8 { huge[i] = 0xFF }
        Self.expectRefused(huge, "limit")                                                   // 2^64-1
        huge[7] = 0x7F
        Self.expectRefused(huge, "limit")
        Self.expectRefused(Self.file("{}    "), "limit", limits: .init(maxHeaderBytes: 4))
        Self.expectRefused(Self.file("{}"), "limit", code: .outOfMemory, limits: .init(maxTotalBytes: 9))
        Self.expectRefused(Self.file(" {}"), "does not start with '{'")
        Self.expectRefused(Self.file("[]"), "does not start with '{'")
        Self.expectRefused(Self.file(""), "does not start with '{'")
    }

    @Test(arguments: [
        (#"{"a":1,}"#, "expected a string key"), (#"{'a':1}"#, "expected a string key"), (#"{"a" 1}"#, "expected ':'"),
        (#"{"a":01}"#, "leading zero"), (#"{"a":1.}"#, "digit must follow '.'"), (#"{"a":-}"#, "digit must follow '-'"),
        (#"{"a":1e}"#, "exponent"), (#"{"a":+1}"#, "expected a value"), (#"{"a":NaN}"#, "expected a value"),
        (#"{"a":tru}"#, "invalid literal"), (#"{"a":1} x"#, "after the JSON value"), (#"{"a":1}{}"#, "after the JSON value"),
        (#"{"a":"\q"}"#, "invalid escape"), (#"{"a":"\u12"}"#, "hex digit"), (#"{"a":"\ud800"}"#, "high surrogate"),
        (#"{"a":"\udc00"}"#, "lone low surrogate"), (#"{"a":"x"#, "unterminated string"), ("{\"a\":\"\t\"}", "control character"),
        (#"{"a":[1 2]}"#, "expected ',' or ']'"), (#"{"a":1 "b":2}"#, "expected ',' or '}'"), ("{/*c*/}", "expected a string key"),
        (#"{"a":1"#, "expected ',' or '}'"),
    ])
    func refusesBadJSON(header: String, message: String) {
        Self.expectRefused(Self.file(header), message)
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        var bytes = Self.file(#"{"__metadata__":{"k":"ab"}}"#)
        bytes[8 + 22] = 0xFF // inside "ab"
        Self.expectRefused(bytes, "invalid UTF-8")
        bytes[8 + 22] = 0xC0 // overlong encoding start
        Self.expectRefused(bytes, "invalid UTF-8")
        let deep = "{\"__metadata__\":" + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}"
        Self.expectRefused(Self.file(deep), "nesting deeper than 16")
        Self.expectRefused(Self.file(#"{"__metadata__":{"k":{"x":"y"}}}"#), "not a string")
        Self.expectRefused(Self.file(#"{"__metadata__":["k"]}"#), "not an object")
    }

    static let one = #"{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#

    @Test func refusesBadTensorEntries() {
        let four = Self.floatBytes([1])
        Self.expectRefused(Self.file("{\"a\":\(Self.one),\"a\":\(Self.one)}", data: four), "duplicate key \"a\"")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, data: four), "unknown dtype \"F33\"")
        Self.expectRefused(Self.file(#"{"a":{"dtype":7,"shape":[1],"data_offsets":[0,4]}}"#, data: four), "dtype is a number")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: four), "needs 8 bytes")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: four), "not a non-negative integer")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, data: four), "not a non-negative integer")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}"#, data: four), "not a non-negative integer")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: four), "overflows")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,4]}}"#, data: four), "more than Int.max")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}"#, data: four), "unknown field \"x\"")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, data: four), "has no shape")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[1]}}"#, data: four), "has no data_offsets")
        Self.expectRefused(Self.file(#"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: four), "has no dtype")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, data: four), "not 2")
        Self.expectRefused(Self.file(#"{"a":[1]}"#, data: four), "not an object")
    }

    @Test func refusesBadOffsets() {
        let twelve = Self.floatBytes([1, 2, 3])
        func two(_ a: String, _ b: String) -> String {
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[\(a == "[4,4]" ? 0 : 2)],\"data_offsets\":\(a)},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":\(b)}}"
        }
        Self.expectRefused(Self.file(two("[0,8]", "[4,12]"), data: twelve), "overlap")                  // overlapping
        Self.expectRefused(Self.file(two("[0,8]", "[0,8]"), data: twelve), "overlap")                   // the same bytes twice
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: Self.floatBytes([1, 2])), "gap before tensor a")
        Self.expectRefused(Self.file(two("[0,8]", "[12,20]"), data: twelve + twelve), "gap before tensor b")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[100],"data_offsets":[0,400]}}"#, data: twelve), "out of range")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551615]}}"#, data: twelve), "not a non-negative integer")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, data: twelve), "end before they begin")
        Self.expectRefused(Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: twelve), "4 bytes unaccounted")
        Self.expectRefused(Self.file("{}", data: [0]), "1 bytes unaccounted")
        #expect(Self.formatError(Self.file(two("[4,4]", "[0,8]"), data: Self.floatBytes([1, 2]))) != nil) // empty tensor inside b
    }

    @Test func refusesFilesThatAreNotRegularOrTooLarge() throws {
        let dir = TempDir.make("stio")
        defer { TempDir.remove(dir) }
        let fifo = dir + "/fifo.safetensors"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect { try SafeTensors(path: fifo) } throws: { ($0 as? SRError)?.code == .io } // no hang waiting for a writer
        #expect { try SafeTensors(path: dir) } throws: { ($0 as? SRError)?.code == .io }
        #expect { try SafeTensors(path: dir + "/missing") } throws: { ($0 as? SRError)?.errno == ENOENT }
        try SafeTensors.write([], to: dir + "/e.safetensors")
        #expect { try SafeTensors(path: dir + "/e.safetensors", limits: .init(maxTotalBytes: 8)) } throws: {
            ($0 as? SRError)?.code == .outOfMemory
        }
        #expect(throws: SRError.self) { try SafeTensors.encode([.init(name: "a", shape: [2], values: [1])]) }
        #expect(throws: SRError.self) { try SafeTensors.encode([.init(name: "__metadata__", shape: [], values: [1])]) }
    }
}
