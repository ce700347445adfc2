/// Minimal JSON text building (no Foundation).
package enum JSONText {
    /// A JSON string literal with the required escapes.
    package static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A JSON number (shortest round-trip form), or `null` when not finite.
    package static func number(_ v: Double) -> String {
        v.isFinite ? "\(v)" : "null"
    }
}
