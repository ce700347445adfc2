import Testing
@testable import SRCore

/// The plot axes: nice linear ticks are multiples of a 1/2/5 x 10^k step covering the range (checked
/// against a brute-force enumeration), log ticks are decades, and train.svg's PSNR range ignores the
/// step-0 value and includes the bicubic line.
@Suite struct PlotAxisTests {
    @Test(arguments: [(0.0, 13000.0), (36.4, 37.25), (-3.0, 7.0), (0.001, 0.0042)])
    func linearTicksAreNice(low: Double, high: Double) {
        let a = PlotAxis(low: low, high: high)
        let t = a.ticks()
        #expect(a.low <= low && a.high >= high)
        #expect(t.count >= 3 && t.count <= 12, "\(t)")
        let step = t[1] - t[0]
        // Independent: the step's mantissa, found by scaling into [1, 10).
        var m = step
        while m >= 10 { m /= 10 }
        while m < 1 { m *= 10 }
        #expect([1.0, 2, 5].contains { abs(m - $0) < 1e-6 }, "step \(step)")
        for (x, y) in zip(t, t.dropFirst()) { #expect(abs((y - x) - step) < step * 1e-6) }
        #expect(t.first! >= a.low - step * 1e-9 && t.last! <= a.high + step * 1e-9)
    }

    @Test func logTicksAreDecades() {
        let a = PlotAxis(low: 0.003, high: 420, log: true)
        #expect(a.low == 0.001 && a.high == 1000)
        #expect(a.ticks() == [0.001, 0.01, 0.1, 1, 10, 100, 1000])
        #expect(a.tickLabel(0.001, ticks: []) == "1e-3" && a.tickLabel(100, ticks: []) == "100")
        #expect(abs(a.fraction(1) - 0.5) < 1e-12)
    }

    @Test func psnrRangeShowsProgress() {
        let v: [(step: Int, psnr: Double)] = [(0, 14.9), (1000, 36.5), (2000, 37.0), (3000, 37.2)]
        let (lo, hi) = TrainPlot.psnrRange(v, bicubic: 33.7)
        #expect(lo < 33.7 && lo > 33 && hi > 37.2 && hi < 37.5)
        let svg = TrainPlot.svg(losses: [(50, 300), (100, 90)], psnrs: v, bicubicPSNR: 33.7)
        #expect(svg.contains("bicubic 33.70 dB") && svg.contains("training loss (log)"))
    }
}
