#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval

/// The run folder's human-readable record: `train.csv` (one row per log interval),
/// `validation.csv` (one row per validation) and `train.svg` (loss and validation PSNR vs steps).
/// A resumed run keeps the rows up to its checkpoint step and appends.
struct TrainLog {
    let folder: String
    private(set) var losses: [(step: Int, loss: Double)] = []
    private(set) var psnrs: [(step: Int, psnr: Double)] = []
    static let trainHeader = "step,epoch,learning_rate,loss,l2,grad_norm,patches_per_s,wall_s"
    static let valHeader = "step,psnr,ssim,bicubic_psnr,bicubic_ssim,wall_s"
    private let t0 = Clock.monotonic()
    private var wallOffset = 0.0

    init(folder: String, resumeStep: Int) throws {
        self.folder = folder
        let trainRows = Self.rows(folder + "/train.csv").filter { (Int($0[0]) ?? Int.max) <= resumeStep }
        let valRows = Self.rows(folder + "/validation.csv").filter { (Int($0[0]) ?? Int.max) <= resumeStep }
        for r in trainRows where r.count >= 4 { if let s = Int(r[0]), let l = Double(r[3]) { losses.append((s, l)) } }
        for r in valRows where r.count >= 2 { if let s = Int(r[0]), let p = Double(r[1]) { psnrs.append((s, p)) } }
        wallOffset = trainRows.last.flatMap { $0.count >= 8 ? Double($0[7]) : nil } ?? 0
        try AtomicFile.write(folder + "/train.csv", text: ([Self.trainHeader] + trainRows.map { $0.joined(separator: ",") }).joined(separator: "\n") + "\n")
        try AtomicFile.write(folder + "/validation.csv", text: ([Self.valHeader] + valRows.map { $0.joined(separator: ",") }).joined(separator: "\n") + "\n")
    }

    /// Data rows of a CSV file (header dropped), or none.
    static func rows(_ path: String) -> [[String]] {
        guard let f = fopen(path, "r") else { return [] }
        defer { fclose(f) }
        var out: [[String]] = []
        var line: UnsafeMutablePointer<CChar>? = nil
        var cap = 0
        var first = true
        while getline(&line, &cap, f) > 0 {
            let s = String(cString: line!).trimmingNewline()
            if first { first = false; continue }
            if !s.isEmpty { out.append(s.split(separator: ",", omittingEmptySubsequences: false).map(String.init)) }
        }
        free(line)
        return out
    }

    var wall: Double { wallOffset + Clock.monotonic() - t0 }

    mutating func step(step: Int, epoch: Double, lr: Double, loss: Double, l2: Double, gradNorm: Double,
                       patchesPerSecond: Double) throws {
        losses.append((step, loss))
        try FileSystem.append(to: folder + "/train.csv", text:
                           "\(step),\(DecimalFormat.fixed(epoch, 4)),\(lr),\(loss),\(l2),\(gradNorm),\(DecimalFormat.fixed(patchesPerSecond, 2)),\(DecimalFormat.fixed(wall, 1))\n")
        if losses.count % 10 == 0 { try writePlot() }
    }

    mutating func validation(step: Int, _ v: TrainValidation) throws {
        psnrs.append((step, v.psnr))
        try FileSystem.append(to: folder + "/validation.csv", text:
                           "\(step),\(DecimalFormat.fixed(v.psnr, 4)),\(DecimalFormat.fixed(v.ssim, 5)),\(DecimalFormat.fixed(v.bicubicPSNR, 4)),\(DecimalFormat.fixed(v.bicubicSSIM, 5)),\(DecimalFormat.fixed(wall, 1))\n")
        try writePlot()
    }

    func finish() throws { try writePlot() }

    /// train.svg: training loss (log scale, left) and validation PSNR (right) against steps.
    func writePlot() throws {
        try AtomicFile.write(folder + "/train.svg", text: TrainPlot.svg(losses: losses, psnrs: psnrs))
    }
}

extension String {
    func trimmingNewline() -> String {
        var s = self
        while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
        return s
    }
}

/// Renders the training curve as a small standalone SVG.
enum TrainPlot {
    static func svg(losses: [(step: Int, loss: Double)], psnrs: [(step: Int, psnr: Double)]) -> String {
        let W = 760.0, H = 300.0, left = 70.0, right = 70.0, top = 30.0, bottom = 40.0
        let pw = W - left - right, ph = H - top - bottom
        let maxStep = Double(max(losses.last?.step ?? 1, psnrs.last?.step ?? 1, 1))
        let ls = losses.filter { $0.loss > 0 && $0.loss.isFinite }
        let lmin = log10(ls.map(\.loss).min() ?? 1), lmax = log10(ls.map(\.loss).max() ?? 10)
        let lspan = max(lmax - lmin, 1e-6)
        let ps = psnrs.filter { $0.psnr.isFinite && $0.psnr > 0 }
        let pvals = ps.map(\.psnr).sorted()
        // PSNR axis: ignore the initial far-off values so the interesting range is visible.
        let pmax = pvals.last ?? 1, pminRaw = pvals.first ?? 0
        let pmin = max(pminRaw, pmax - 6)
        let pspan = max(pmax - pmin, 1e-6)
        func x(_ s: Int) -> Double { left + pw * Double(s) / maxStep }
        func yl(_ l: Double) -> Double { top + ph * (1 - (log10(l) - lmin) / lspan) }
        func yp(_ p: Double) -> Double { top + ph * (1 - (max(p, pmin) - pmin) / pspan) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(W))\" height=\"\(Int(H))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(pw)\" height=\"\(ph)\" fill=\"none\" stroke=\"#888\"/>\n"
        s += "<text x=\"\(left)\" y=\"18\">training loss (log, blue) and set validation PSNR dB (red) vs step</text>\n"
        if !ls.isEmpty {
            s += "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"1.2\" points=\""
            s += ls.map { "\(DecimalFormat.fixed(x($0.step), 1)),\(DecimalFormat.fixed(yl($0.loss), 1))" }.joined(separator: " ")
            s += "\"/>\n"
            s += "<text x=\"4\" y=\"\(top + 10)\" fill=\"#1f5fbf\">\(DecimalFormat.fixed(pow(10, lmax), 2))</text>\n"
            s += "<text x=\"4\" y=\"\(top + ph)\" fill=\"#1f5fbf\">\(DecimalFormat.fixed(pow(10, lmin), 2))</text>\n"
        }
        if !ps.isEmpty {
            s += "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" points=\""
            s += ps.map { "\(DecimalFormat.fixed(x($0.step), 1)),\(DecimalFormat.fixed(yp($0.psnr), 1))" }.joined(separator: " ")
            s += "\"/>\n"
            for p in ps { s += "<circle cx=\"\(DecimalFormat.fixed(x(p.step), 1))\" cy=\"\(DecimalFormat.fixed(yp(p.psnr), 1))\" r=\"2\" fill=\"#c0392b\"/>\n" }
            s += "<text x=\"\(left + pw + 4)\" y=\"\(top + 10)\" fill=\"#c0392b\">\(DecimalFormat.fixed(pmax, 3))</text>\n"
            s += "<text x=\"\(left + pw + 4)\" y=\"\(top + ph)\" fill=\"#c0392b\">\(DecimalFormat.fixed(pmin, 3))</text>\n"
        }
        s += "<text x=\"\(left)\" y=\"\(H - 12)\">0</text>\n"
        s += "<text x=\"\(left + pw - 40)\" y=\"\(H - 12)\">\(Int(maxStep)) steps</text>\n"
        s += "</svg>\n"
        return s
    }
}
