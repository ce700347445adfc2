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
    private(set) var bicubicPSNR: Double? = nil
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
        bicubicPSNR = valRows.last.flatMap { $0.count >= 4 ? Double($0[3]) : nil }
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
        bicubicPSNR = v.bicubicPSNR
        try FileSystem.append(to: folder + "/validation.csv", text:
                           "\(step),\(DecimalFormat.fixed(v.psnr, 4)),\(DecimalFormat.fixed(v.ssim, 5)),\(DecimalFormat.fixed(v.bicubicPSNR, 4)),\(DecimalFormat.fixed(v.bicubicSSIM, 5)),\(DecimalFormat.fixed(wall, 1))\n")
        try writePlot()
    }

    func finish() throws { try writePlot() }

    /// train.svg: training loss (log scale, left) and validation PSNR (right) against steps.
    func writePlot() throws {
        try AtomicFile.write(folder + "/train.svg", text: TrainPlot.svg(losses: losses, psnrs: psnrs, bicubicPSNR: bicubicPSNR))
    }
}

extension String {
    func trimmingNewline() -> String {
        var s = self
        while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
        return s
    }
}
