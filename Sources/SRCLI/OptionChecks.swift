import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Range checks for `validate()`: each throws a `ValidationError` (exit status 64) that names the
/// option, the accepted range and the value given, before any work or allocation is done.
public enum OptionCheck {
    /// `value` must lie in `range`.
    public static func require<T: Comparable>(_ name: String, _ value: T, in range: ClosedRange<T>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(name) must be in \(range.lowerBound)...\(range.upperBound) (got \(value))")
        }
    }

    /// `value`, when given, must lie in `range`.
    public static func require<T: Comparable>(_ name: String, _ value: T?, in range: ClosedRange<T>) throws {
        if let value { try require(name, value, in: range) }
    }

    /// A finite number above `low` (or at least `low` with `inclusive`) and at most `high`.
    public static func require(_ name: String, _ value: Double, above low: Double, inclusive: Bool = false,
                               atMost high: Double) throws {
        let lowOK = inclusive ? value >= low : value > low
        guard value.isFinite, lowOK, value <= high else {
            let lower = inclusive ? "at least \(short(low))" : (low == 0 ? "positive" : "above \(short(low))")
            throw ValidationError("\(name) must be a finite number, \(lower) and at most \(short(high)) (got \(short(value)))")
        }
    }

    /// `1000000` rather than `1000000.0`.
    static func short(_ v: Double) -> String {
        v.isFinite && v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    /// No folder or file may be named twice (compared after resolving links, "./" and trailing slashes).
    public static func distinct(_ name: String, _ paths: [String]) throws {
        var seen: [String: String] = [:]
        for p in paths {
            let key = canonical(p)
            if let first = seen[key] {
                throw ValidationError("\(name) names the same path twice: '\(first)' and '\(p)'")
            }
            seen[key] = p
        }
    }

    /// Whether `a` and `b` name the same existing file (same device and inode: links count).
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// The real path, or the path without trailing slashes when it cannot be resolved.
    static func canonical(_ path: String) -> String {
        if let r = realpath(path, nil) {
            defer { free(r) }
            return String(cString: r)
        }
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }
}
