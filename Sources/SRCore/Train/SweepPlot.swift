import SRSupport

/// sweep.svg (docs/lab.md): top, final validation PSNR per config as bars with ± std error bars on a
/// range around the values (not from 0); bottom, every run's validation curve coloured by config.
package enum SweepPlot {
    static let colors = ["#c0392b", "#1f5fbf", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#2c3e50"]

    package static func svg(stats: [(config: String, psnr: SweepStatistics)],
                            curves: [(config: String, points: [(step: Int, psnr: Double)])]) -> String {
        let W = 760.0, left = 80.0, right = 30.0, panelH = 200.0
        var doc = SVGDocument(width: W, height: 2 * panelH + 160)
        let lows = stats.map { $0.psnr.mean - $0.psnr.std }.filter(\.isFinite)
        let highs = stats.map { $0.psnr.mean + $0.psnr.std }.filter(\.isFinite)
        let lo = lows.min() ?? 0, hi = highs.max() ?? 1, pad = max(0.05, (hi - lo) * 0.15)
        var bars = SVGPlot(x: left, y: 30, width: W - left - right, height: panelH,
                           xAxis: PlotAxis(low: -0.5, high: Double(stats.count) - 0.5, roundOut: false),
                           yAxis: PlotAxis(low: lo - pad, high: hi + pad, label: "final PSNR (dB)"),
                           title: "final validation PSNR, mean ± std over seeds")
        bars.bars(stats.map { ($0.config, $0.psnr.mean, $0.psnr.std) }, color: "#1f5fbf")
        doc.parts.append(bars.render(xTicks: false))
        let later = curves.flatMap { $0.points.filter { $0.step > 0 } }
        let maxStep = Double(later.map(\.step).max() ?? 1)
        let vals = later.map(\.psnr).filter(\.isFinite)
        let vhi = vals.max() ?? 1, vlo = max(vals.min() ?? 0, vhi - 6)
        var lines = SVGPlot(x: left, y: panelH + 110, width: W - left - right, height: panelH,
                            xAxis: PlotAxis(low: 0, high: maxStep, label: "step"),
                            yAxis: PlotAxis(low: vlo, high: vhi + 0.05, label: "validation PSNR (dB)", roundOut: false),
                            title: "validation curves (each seed)")
        let names = stats.map(\.config)
        var labelled = Set<String>()
        for c in curves {
            let color = colors[(names.firstIndex(of: c.config) ?? 0) % colors.count]
            let label = labelled.insert(c.config).inserted ? c.config : nil
            lines.line(c.points.filter { $0.step > 0 }.map { (Double($0.step), max($0.psnr, vlo)) }, color: color, width: 1.2, label: label)
        }
        doc.parts.append(lines.render())
        return doc.render()
    }
}
