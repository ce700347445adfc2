/// Fixed-point and scientific number formatting without Foundation.
package enum DecimalFormat {
    /// `v` with exactly `digits` decimals, rounded half away from zero ("-1.50", "37.1481").
    /// Non-finite values print as "nan", "inf" and "-inf".
    package static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v < 0 ? "-inf" : "inf") }
        let digits = max(0, min(digits, 17))
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (abs(v) * scale).rounded()
        guard r < 9.0e18 else { return String(v) }
        let n = UInt64(r)
        let p = UInt64(scale)
        let sign = v < 0 && n != 0 ? "-" : ""
        if digits == 0 { return sign + String(n) }
        var frac = String(n % p)
        while frac.count < digits { frac = "0" + frac }
        return sign + String(n / p) + "." + frac
    }

    /// `v` with a two-decimal mantissa and a plain exponent ("3.00e-3", "1.25e2"), for learning
    /// rates and losses; zero and non-finite values print as Swift does ("0.0", "nan").
    package static func scientific(_ v: Double) -> String {
        guard v.isFinite, v != 0 else { return "\(v)" }
        var e = 0
        var m = abs(v)
        while m >= 10 { m /= 10; e += 1 }
        while m < 1 { m *= 10; e -= 1 }
        if (m * 100).rounded() >= 1000 { m /= 10; e += 1 }  // 9.996 rounds to 10.00: 1.00e(e+1)
        return (v < 0 ? "-" : "") + fixed(m, 2) + "e" + String(e)
    }

    /// A duration as "1h02m03s", "4m05s" or "6s" (ETAs, progress lines).
    package static func duration(_ seconds: Double) -> String {
        let t = seconds.isFinite ? max(0, Int(seconds.rounded())) : 0
        let h = t / 3600, m = (t / 60) % 60, s = t % 60
        func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
        if h > 0 { return "\(h)h\(two(m))m\(two(s))s" }
        if m > 0 { return "\(m)m\(two(s))s" }
        return "\(s)s"
    }
}
