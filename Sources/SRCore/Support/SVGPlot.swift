/// A small standalone-SVG plot panel (docs/lab.md "Plots"): a frame with grid lines and labelled ticks on
/// both axes, axis titles, a title and a legend, and lines, markers, horizontal reference lines and bars
/// with error bars drawn in data coordinates. Several panels go into one `SVGDocument`.
package struct SVGPlot: Sendable {
    /// Position and size of the plotting area inside the document, in pixels.
    package var x: Double, y: Double, width: Double, height: Double
    /// The axes.
    package var xAxis: PlotAxis, yAxis: PlotAxis
    /// The panel title.
    package var title: String
    private var body = ""
    private var legend: [(String, String, Bool)] = []   // label, colour, dashed

    /// A panel whose plotting area is `width` x `height` at (`x`, `y`).
    package init(x: Double, y: Double, width: Double, height: Double, xAxis: PlotAxis, yAxis: PlotAxis, title: String) {
        self.x = x; self.y = y; self.width = width; self.height = height
        self.xAxis = xAxis; self.yAxis = yAxis; self.title = title
    }

    /// Pixel coordinates of a data point.
    package func point(_ vx: Double, _ vy: Double) -> (Double, Double) {
        (x + width * xAxis.fraction(vx), y + height * (1 - yAxis.fraction(vy)))
    }

    static func f(_ v: Double) -> String { DecimalFormat.fixed(v, 1) }

    /// Escapes text for SVG.
    package static func escape(_ s: String) -> String {
        var o = ""
        for c in s {
            switch c { case "&": o += "&amp;"; case "<": o += "&lt;"; case ">": o += "&gt;"; case "\"": o += "&quot;"; default: o.append(c) }
        }
        return o
    }

    private mutating func addLegend(_ label: String?, _ color: String, dashed: Bool) {
        if let label, !label.isEmpty { legend.append((label, color, dashed)) }
    }

    /// A polyline through `points` (data coordinates), optionally with dot markers.
    package mutating func line(_ points: [(Double, Double)], color: String, width w: Double = 1.5, dashed: Bool = false,
                               markers: Bool = false, label: String? = nil) {
        let pts = points.filter { $0.0.isFinite && $0.1.isFinite }
        guard !pts.isEmpty else { return }
        let coords = pts.map { p -> String in let (px, py) = point(p.0, p.1); return "\(Self.f(px)),\(Self.f(py))" }
        body += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(w)\"\(dashed ? " stroke-dasharray=\"5,4\"" : "") points=\"\(coords.joined(separator: " "))\"/>\n"
        if markers {
            for c in coords {
                let xy = c.split(separator: ",")
                body += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2.2\" fill=\"\(color)\"/>\n"
            }
        }
        addLegend(label, color, dashed: dashed)
    }

    /// A horizontal reference line at `value` across the panel.
    package mutating func horizontal(_ value: Double, color: String, label: String? = nil) {
        guard value.isFinite else { return }
        let (_, py) = point(xAxis.low, value)
        body += "<line x1=\"\(Self.f(x))\" y1=\"\(Self.f(py))\" x2=\"\(Self.f(x + width))\" y2=\"\(Self.f(py))\" stroke=\"\(color)\" stroke-width=\"1.2\" stroke-dasharray=\"6,4\"/>\n"
        addLegend(label, color, dashed: true)
    }

    /// Bars at x = 0, 1, 2 ... (`xAxis` from -0.5 to count - 0.5) with symmetric error bars and category names below.
    package mutating func bars(_ values: [(name: String, value: Double, error: Double)], color: String) {
        let n = Double(max(values.count, 1))
        let bw = width / n * 0.6
        for (i, b) in values.enumerated() {
            let (cx, top) = point(Double(i), b.value)
            let (_, base) = point(Double(i), max(yAxis.low, min(0, yAxis.high)))
            if b.value.isFinite {
                body += "<rect x=\"\(Self.f(cx - bw / 2))\" y=\"\(Self.f(min(top, base)))\" width=\"\(Self.f(bw))\" height=\"\(Self.f(abs(base - top)))\" fill=\"\(color)\" fill-opacity=\"0.75\"/>\n"
            }
            if b.error.isFinite && b.error > 0 {
                let (_, hi) = point(Double(i), b.value + b.error), (_, lo) = point(Double(i), b.value - b.error)
                body += "<line x1=\"\(Self.f(cx))\" y1=\"\(Self.f(hi))\" x2=\"\(Self.f(cx))\" y2=\"\(Self.f(lo))\" stroke=\"#222\" stroke-width=\"1.3\"/>\n"
                for yy in [hi, lo] {
                    body += "<line x1=\"\(Self.f(cx - bw / 6))\" y1=\"\(Self.f(yy))\" x2=\"\(Self.f(cx + bw / 6))\" y2=\"\(Self.f(yy))\" stroke=\"#222\" stroke-width=\"1.3\"/>\n"
                }
            }
            body += "<text x=\"\(Self.f(cx))\" y=\"\(Self.f(y + height + 14))\" text-anchor=\"middle\">\(Self.escape(b.name))</text>\n"
        }
    }

    /// The panel as SVG elements; `xTicks: false` leaves the x tick labels out (bar charts name their categories).
    package func render(xTicks: Bool = true) -> String {
        var s = "<g>\n<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" fill=\"white\" stroke=\"#888\"/>\n"
        let yt = yAxis.ticks(target: 6)
        for t in yt {
            let (_, py) = point(xAxis.low, t)
            s += "<line x1=\"\(Self.f(x))\" y1=\"\(Self.f(py))\" x2=\"\(Self.f(x + width))\" y2=\"\(Self.f(py))\" stroke=\"#e4e4e4\"/>\n"
            s += "<text x=\"\(Self.f(x - 5))\" y=\"\(Self.f(py + 4))\" text-anchor=\"end\">\(yAxis.tickLabel(t, ticks: yt))</text>\n"
        }
        if xTicks {
            let xt = xAxis.ticks(target: 7)
            for t in xt {
                let (px, _) = point(t, yAxis.low)
                s += "<line x1=\"\(Self.f(px))\" y1=\"\(Self.f(y))\" x2=\"\(Self.f(px))\" y2=\"\(Self.f(y + height))\" stroke=\"#e4e4e4\"/>\n"
                s += "<text x=\"\(Self.f(px))\" y=\"\(Self.f(y + height + 14))\" text-anchor=\"middle\">\(xAxis.tickLabel(t, ticks: xt))</text>\n"
            }
        }
        s += "<text x=\"\(Self.f(x))\" y=\"\(Self.f(y - 8))\" font-weight=\"bold\">\(Self.escape(title))</text>\n"
        s += "<text x=\"\(Self.f(x + width / 2))\" y=\"\(Self.f(y + height + 30))\" text-anchor=\"middle\">\(Self.escape(xAxis.label))</text>\n"
        let my = y + height / 2
        s += "<text x=\"\(Self.f(x - 48))\" y=\"\(Self.f(my))\" text-anchor=\"middle\" transform=\"rotate(-90 \(Self.f(x - 48)) \(Self.f(my)))\">\(Self.escape(yAxis.label))</text>\n"
        s += body
        var ly = y + 14
        for (label, color, dashed) in legend {
            let lx = x + width - 150
            s += "<line x1=\"\(Self.f(lx))\" y1=\"\(Self.f(ly - 4))\" x2=\"\(Self.f(lx + 22))\" y2=\"\(Self.f(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"5,4\"" : "")/>\n"
            s += "<text x=\"\(Self.f(lx + 27))\" y=\"\(Self.f(ly))\">\(Self.escape(label))</text>\n"
            ly += 15
        }
        return s + "</g>\n"
    }
}

/// A standalone SVG document of panels.
package struct SVGDocument: Sendable {
    /// Size in pixels.
    package var width: Double, height: Double
    /// The rendered panels, in drawing order.
    package var parts: [String] = []

    /// An empty white document.
    package init(width: Double, height: Double) { self.width = width; self.height = height }

    /// The SVG text.
    package func render() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + parts.joined() + "</svg>\n"
    }
}
