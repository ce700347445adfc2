import SRSupport

/// train.svg (docs/lab.md "Plots"): two panels against steps, each with ticks and a grid.
/// Top: validation PSNR on a range that shows progress — the step-0 value (the untrained network,
/// often 15 dB below the rest) is left out of the range, as are values more than `spanLimit` dB below
/// the best; points below the range sit on its bottom edge — with bicubic's PSNR as a dashed line.
/// Bottom: the training loss on a labelled log axis.
package enum TrainPlot {
    /// How far below the best PSNR the axis reaches at most.
    static let spanLimit = 6.0

    /// The PSNR axis range for these validations and baseline.
    package static func psnrRange(_ psnrs: [(step: Int, psnr: Double)], bicubic: Double?) -> (Double, Double) {
        let later = psnrs.filter { $0.step > 0 && $0.psnr.isFinite }.map(\.psnr)
        let values = later.isEmpty ? psnrs.map(\.psnr).filter(\.isFinite) : later
        guard let best = values.max() else { return (0, 1) }
        var lo = values.min()!, hi = best
        if let b = bicubic, b.isFinite { lo = min(lo, b); hi = max(hi, b) }
        lo = max(lo, best - spanLimit)
        let pad = max((hi - lo) * 0.05, 0.02)
        return (lo - pad, hi + pad)
    }

    package static func svg(losses: [(step: Int, loss: Double)], psnrs: [(step: Int, psnr: Double)], bicubicPSNR: Double?) -> String {
        let W = 760.0, left = 80.0, right = 30.0, panelH = 200.0
        var doc = SVGDocument(width: W, height: 2 * panelH + 140)
        let maxStep = Double(max(losses.last?.step ?? 1, psnrs.last?.step ?? 1, 1))
        let xAxis = PlotAxis(low: 0, high: maxStep, label: "step")
        let (plo, phi) = psnrRange(psnrs, bicubic: bicubicPSNR)
        var top = SVGPlot(x: left, y: 30, width: W - left - right, height: panelH, xAxis: xAxis,
                          yAxis: PlotAxis(low: plo, high: phi, label: "validation PSNR (dB)", roundOut: false),
                          title: "validation PSNR" + (psnrs.last.map { " (last \(DecimalFormat.fixed($0.psnr, 3)) dB at step \($0.step))" } ?? ""))
        if let b = bicubicPSNR { top.horizontal(b, color: "#7f8c8d", label: "bicubic \(DecimalFormat.fixed(b, 2)) dB") }
        top.line(psnrs.map { (Double($0.step), $0.psnr) }, color: "#c0392b", markers: true, label: "network")
        doc.parts.append(top.render())
        let ls = losses.filter { $0.loss > 0 && $0.loss.isFinite }
        let lmin = ls.map(\.loss).min() ?? 1, lmax = ls.map(\.loss).max() ?? 10
        var bottom = SVGPlot(x: left, y: panelH + 100, width: W - left - right, height: panelH, xAxis: xAxis,
                             yAxis: PlotAxis(low: lmin, high: lmax, log: true, label: "training loss (log)"),
                             title: "training loss (mean of each log interval)")
        bottom.line(ls.map { (Double($0.step), $0.loss) }, color: "#1f5fbf", width: 1.2, label: "loss")
        doc.parts.append(bottom.render())
        return doc.render()
    }
}
