#if canImport(Glibc)
import Glibc
#endif

/// One axis of an SVG plot (docs/lab.md "Plots"): a value range, linear or log10, with "nice" ticks
/// (1, 2, 5 x 10^k steps on a linear axis; decades, plus 2 and 5 when few decades show, on a log axis).
package struct PlotAxis: Sendable, Equatable {
    /// The range shown.
    package var low: Double, high: Double
    /// Logarithmic (base 10); `low` must then be > 0.
    package var log: Bool
    /// The axis title.
    package var label: String

    /// An axis over `low...high`. A linear axis is widened to the enclosing nice ticks; a log axis to whole
    /// decades when it spans more than one. Empty or degenerate ranges get a unit-wide range.
    package init(low: Double, high: Double, log: Bool = false, label: String = "", roundOut: Bool = true) {
        var lo = low, hi = high
        if !lo.isFinite || !hi.isFinite { lo = log ? 1 : 0; hi = log ? 10 : 1 }
        if log { lo = max(lo, 1e-300); hi = max(hi, lo) }
        if hi <= lo { if log { lo /= 2; hi *= 2 } else { lo -= 0.5; hi += 0.5 } }
        self.low = lo; self.high = hi; self.log = log; self.label = label
        if roundOut {
            if log {
                let a = Glibc.log10(lo).rounded(.down), b = Glibc.log10(hi).rounded(.up)
                if b - a > 1 { self.low = pow(10, a); self.high = pow(10, b) }
            } else {
                let step = PlotAxis.niceStep((hi - lo) / 5)
                self.low = (lo / step).rounded(.down) * step
                self.high = (hi / step).rounded(.up) * step
            }
        }
    }

    /// The 1, 2 or 5 x 10^k at or above `raw`.
    package static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let e = Glibc.log10(raw).rounded(.down)
        let base = pow(10, e), f = raw / base
        let m: Double = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
        return m * base
    }

    /// Where `v` sits in [0, 1] along the axis (values outside clamp to the ends).
    package func fraction(_ v: Double) -> Double {
        let f = log ? (Glibc.log10(max(v, 1e-300)) - Glibc.log10(low)) / (Glibc.log10(high) - Glibc.log10(low))
                    : (v - low) / (high - low)
        return f.isFinite ? min(max(f, 0), 1) : 0
    }

    /// Tick values inside the range (about `target` of them on a linear axis).
    package func ticks(target: Int = 6) -> [Double] {
        if log {
            let a = Int(Glibc.log10(low).rounded(.down)), b = Int(Glibc.log10(high).rounded(.up))
            let few = b - a <= 2
            var t: [Double] = []
            for e in a...b {
                for m in few ? [1.0, 2, 5] : [1.0] {
                    let v = m * pow(10, Double(e))
                    if v >= low * (1 - 1e-9) && v <= high * (1 + 1e-9) { t.append(v) }
                }
            }
            return t.isEmpty ? [low, high] : t
        }
        func ticks(step: Double) -> [Double] {
            var v = (low / step).rounded(.up) * step
            var t: [Double] = []
            while v <= high + step * 1e-9, t.count < 100 { t.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
            return t
        }
        let span = high - low, n = Double(max(target - 1, 1))
        let t = ticks(step: Self.niceStep(span / n))
        // A widened range can make the first nice step too coarse (-4...8 by 5): take the next finer one.
        return t.count >= 4 ? t : ticks(step: Self.niceStep(span / (2 * n)))
    }

    /// A tick's label: as many decimals as the tick step needs; log axes print 1e-3 style below 0.01 or from 1e5.
    package func tickLabel(_ v: Double, ticks: [Double]) -> String {
        if log {
            let e = Glibc.log10(v)
            if v < 0.01 || v >= 1e5 {
                let er = e.rounded()
                if abs(e - er) < 1e-9 { return "1e" + String(Int(er)) }
                return DecimalFormat.scientific(v)
            }
            return Self.trimmed(DecimalFormat.fixed(v, max(0, Int((-e).rounded(.up)) + 1)))
        }
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : max(abs(v), 1)
        let digits = max(0, Int((-Glibc.log10(step)).rounded(.up)))
        return DecimalFormat.fixed(v, min(digits, 8))
    }

    static func trimmed(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }
}
