import SRSupport

/// One JSON value, as parsed by `StrictJSON` (docs/weights.md, "The safetensors container").
package enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's text, already checked against the RFC 8259 grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in file order; keys are unique (duplicates are refused while parsing).
    case object([JSONMember])

    /// The value of a non-negative integer literal (no sign, fraction or exponent) that fits in `Int`.
    package var nonNegativeInteger: Int? {
        guard case .number(let text) = self, !text.isEmpty else { return nil }
        var v = 0
        for c in text.utf8 {
            guard c >= 0x30, c <= 0x39 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(c - 0x30))
            guard !o1, !o2 else { return nil }
            v = s
        }
        return v
    }

    /// The string, or nil for any other kind of value.
    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A short name of the value's kind, for messages.
    package var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A key and its value inside a JSON object.
package struct JSONMember: Equatable, Sendable {
    package var key: String
    package var value: JSONValue
}

/// A small, strict JSON parser for headers of untrusted files (RFC 8259, no extensions).
///
/// Refused, each with a `.format` error about `path` that names `context` and the byte offset: any byte outside
/// the grammar (comments, trailing commas, single quotes, `NaN`, leading zeros, leading `+`), control
/// characters and invalid escapes in strings, lone UTF-16 surrogates, invalid UTF-8, duplicate object
/// keys, nesting deeper than `maxDepth`, and anything but whitespace after the value. The work and
/// memory are proportional to the input's length; nothing is sized from a number in the input.
package struct StrictJSON {
    private let bytes: UnsafeRawBufferPointer
    private let context: String
    private let path: String?
    private let maxDepth: Int
    private var pos = 0
    private var depth = 0

    private init(_ bytes: UnsafeRawBufferPointer, context: String, path: String?, maxDepth: Int) {
        self.bytes = bytes
        self.context = context
        self.path = path
        self.maxDepth = maxDepth
    }

    /// Parses `bytes` as exactly one JSON value surrounded by optional whitespace.
    package static func parse(_ bytes: UnsafeRawBufferPointer, context: String, path: String? = nil,
                              maxDepth: Int = 32) throws -> JSONValue {
        var p = StrictJSON(bytes, context: context, path: path, maxDepth: maxDepth)
        p.skipWhitespace()
        let v = try p.value()
        p.skipWhitespace()
        guard p.pos == bytes.count else { throw p.fail("unexpected \(p.describe(p.pos)) after the JSON value") }
        return v
    }

    /// Parses the UTF-8 of `text` (metadata values that hold JSON, e.g. `"[32, 26]"`).
    package static func parse(_ text: String, context: String, path: String? = nil, maxDepth: Int = 32) throws -> JSONValue {
        var t = text
        return try t.withUTF8 { try parse(UnsafeRawBufferPointer($0), context: context, path: path, maxDepth: maxDepth) }
    }

    private func fail(_ what: String) -> SRError {
        let message = "\(context): \(what) at byte \(pos)"
        return path.map { SRError(.format, message, path: $0) } ?? SRError(.format, message)
    }

    private func describe(_ i: Int) -> String {
        guard i < bytes.count else { return "end of input" }
        let c = bytes[i]
        return c >= 0x21 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
    }

    private var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func skipWhitespace() {
        while let c = peek, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { pos += 1 }
    }

    private mutating func value() throws -> JSONValue {
        guard let c = peek else { throw fail("expected a value, found the end of input") }
        switch c {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("expected a value, found \(describe(pos))")
        }
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
    }

    private mutating func object() throws -> JSONValue {
        try enter()
        pos += 1
        var members: [JSONMember] = []
        var seen = Set<String>()
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key, found \(describe(pos))") }
            let keyStart = pos
            let key = try string()
            guard seen.insert(key).inserted else {
                pos = keyStart
                throw fail("duplicate key \"\(key)\"")
            }
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after key \"\(key)\", found \(describe(pos))") }
            pos += 1
            skipWhitespace()
            members.append(JSONMember(key: key, value: try value()))
            skipWhitespace()
            if peek == UInt8(ascii: ",") { pos += 1; continue }
            guard peek == UInt8(ascii: "}") else { throw fail("expected ',' or '}' in an object, found \(describe(pos))") }
            pos += 1
            depth -= 1
            return .object(members)
        }
    }

    private mutating func array() throws -> JSONValue {
        try enter()
        pos += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try value())
            skipWhitespace()
            if peek == UInt8(ascii: ",") { pos += 1; continue }
            guard peek == UInt8(ascii: "]") else { throw fail("expected ',' or ']' in an array, found \(describe(pos))") }
            pos += 1
            depth -= 1
            return .array(items)
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard n <= bytes.count - pos else { throw fail("invalid literal (expected \(word))") }
        for i in 0..<n where bytes[pos + i] != word.utf8Start[i] { throw fail("invalid literal (expected \(word))") }
        pos += n
    }

    private func isDigit(_ c: UInt8?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() throws -> JSONValue {
        let start = pos
        if peek == UInt8(ascii: "-") { pos += 1 }
        guard isDigit(peek) else { throw fail("invalid number (a digit must follow '-')") }
        if peek == UInt8(ascii: "0") {
            pos += 1
            if isDigit(peek) { throw fail("invalid number (leading zero)") }
        } else {
            while isDigit(peek) { pos += 1 }
        }
        if peek == UInt8(ascii: ".") {
            pos += 1
            guard isDigit(peek) else { throw fail("invalid number (a digit must follow '.')") }
            while isDigit(peek) { pos += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            pos += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { pos += 1 }
            guard isDigit(peek) else { throw fail("invalid number (a digit must follow the exponent)") }
            while isDigit(peek) { pos += 1 }
        }
        return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self))
    }

    private mutating func hex4() throws -> UInt32 {
        guard bytes.count - pos >= 4 else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[pos]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: throw fail("invalid hex digit \(describe(pos)) in a \\u escape")
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    private mutating func string() throws -> String {
        pos += 1 // the opening quote
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated string") }
            if c == UInt8(ascii: "\"") { pos += 1; break }
            guard c >= 0x20 else { throw fail("control character 0x\(String(c, radix: 16)) in a string (must be escaped)") }
            guard c == UInt8(ascii: "\\") else { out.append(c); pos += 1; continue }
            pos += 1
            guard let e = peek else { throw fail("unterminated escape") }
            pos += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xDC00...0xDFFF).contains(scalar) { throw fail("lone low surrogate in a \\u escape") }
                if (0xD800...0xDBFF).contains(scalar) {
                    guard bytes.count - pos >= 2, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                        throw fail("high surrogate without a following \\u low surrogate")
                    }
                    pos += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("high surrogate followed by \\u\(String(low, radix: 16))") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
                UTF8.encode(u) { out.append($0) }
            default:
                pos -= 1
                throw fail("invalid escape \\\(describe(pos))")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
        return s
    }
}
