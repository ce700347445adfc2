import SRSupport

/// One finished sweep run as a row of results.csv.
package struct SweepResult: Equatable, Sendable {
    package var config: String
    package var seed: Int
    package var steps: Int
    package var seconds: Double
    package var parameters: Int
    package var macsPerPixel: Int
    package var finalPSNR: Double
    package var finalSSIM: Double
    package var bestPSNR: Double
    package var bestSSIM: Double

    package static let header = "config,seed,steps,time_s,parameters,macs_per_pixel,final_psnr,final_ssim,best_psnr,best_ssim"

    /// The CSV row (the config name quoted, as it may contain commas).
    package var csv: String {
        "\"\(config)\",\(seed),\(steps),\(DecimalFormat.fixed(seconds, 1)),\(parameters),\(macsPerPixel),"
            + "\(DecimalFormat.fixed(finalPSNR, 4)),\(DecimalFormat.fixed(finalSSIM, 5)),\(DecimalFormat.fixed(bestPSNR, 4)),\(DecimalFormat.fixed(bestSSIM, 5))"
    }

    /// Reads a run folder's validation.csv (step,psnr,ssim,...) and train.csv (wall_s last column).
    /// - Returns: nil when the run has no validation rows.
    package static func read(runDir: String, config: String, seed: Int, parameters: Int, macsPerPixel: Int) -> SweepResult? {
        let val = TrainLog.rows(runDir + "/validation.csv").compactMap { r -> (Int, Double, Double)? in
            guard r.count >= 3, let s = Int(r[0]), let p = Double(r[1]), let q = Double(r[2]) else { return nil }
            return (s, p, q)
        }
        guard let last = val.last else { return nil }
        let best = val.max { $0.1 < $1.1 }!
        let train = TrainLog.rows(runDir + "/train.csv")
        let steps = train.last.flatMap { Int($0[0]) } ?? last.0
        let wall = train.last.flatMap { $0.count >= 8 ? Double($0[7]) : nil } ?? 0
        return SweepResult(config: config, seed: seed, steps: max(steps, last.0), seconds: wall, parameters: parameters,
                           macsPerPixel: macsPerPixel, finalPSNR: last.1, finalSSIM: last.2, bestPSNR: best.1, bestSSIM: best.2)
    }
}

/// Mean, sample standard deviation and the difference to a baseline with Welch's standard error.
package struct SweepStatistics: Equatable, Sendable {
    package var count: Int
    package var mean: Double
    /// Sample standard deviation (n − 1); 0 for a single value.
    package var std: Double

    package init(_ xs: [Double]) {
        count = xs.count
        mean = xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count)
        if xs.count < 2 { std = 0; return }
        let m = mean
        std = (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot()
    }

    /// `self.mean − base.mean` and its standard error sqrt(s²/n + s_b²/n_b) (Welch).
    package func difference(to base: SweepStatistics) -> (diff: Double, standardError: Double) {
        (mean - base.mean, (std * std / Double(count) + base.std * base.std / Double(base.count)).squareRoot())
    }
}

/// results.csv and summary.md of a sweep.
package enum SweepReport {
    package static func csv(_ rows: [SweepResult]) -> String {
        ([SweepResult.header] + rows.map(\.csv)).joined(separator: "\n") + "\n"
    }

    /// Per config in plan order: the final-PSNR statistics.
    package static func statistics(_ rows: [SweepResult], configs: [String]) -> [(config: String, psnr: SweepStatistics, ssim: SweepStatistics)] {
        configs.compactMap { c in
            let r = rows.filter { $0.config == c }
            return r.isEmpty ? nil : (c, SweepStatistics(r.map(\.finalPSNR)), SweepStatistics(r.map(\.finalSSIM)))
        }
    }

    /// The markdown table: mean ± std of final PSNR and SSIM per config, and the PSNR difference to the
    /// baseline (the first config) ± its Welch standard error; `*` marks differences over twice their error.
    package static func markdown(_ rows: [SweepResult], configs: [String]) -> String {
        let stats = statistics(rows, configs: configs)
        var out = "# Sweep summary\n\nFinal validation PSNR/SSIM, mean ± sample std over seeds; Δ to the baseline ± Welch standard error"
            + " (`*`: |Δ| > 2 SE).\n\n| config | runs | PSNR (dB) | SSIM | best PSNR (dB) | Δ PSNR (dB) |\n|---|---|---|---|---|---|\n"
        let base = stats.first
        for s in stats {
            let best = SweepStatistics(rows.filter { $0.config == s.config }.map(\.bestPSNR))
            var delta = "—"
            if let base, base.config != s.config {
                let d = s.psnr.difference(to: base.psnr)
                delta = "\(signed(d.diff, 3)) ± \(DecimalFormat.fixed(d.standardError, 3))" + (abs(d.diff) > 2 * d.standardError ? " *" : "")
            }
            out += "| \(s.config) | \(s.psnr.count) | \(DecimalFormat.fixed(s.psnr.mean, 3)) ± \(DecimalFormat.fixed(s.psnr.std, 3)) | "
                + "\(DecimalFormat.fixed(s.ssim.mean, 4)) ± \(DecimalFormat.fixed(s.ssim.std, 4)) | "
                + "\(DecimalFormat.fixed(best.mean, 3)) ± \(DecimalFormat.fixed(best.std, 3)) | \(delta) |\n"
        }
        return out
    }

    private static func signed(_ x: Double, _ digits: Int) -> String { (x >= 0 ? "+" : "") + DecimalFormat.fixed(x, digits) }
}

extension SweepResult {
    /// A run's validation curve (step, PSNR) from its validation.csv.
    package static func curve(runDir: String) -> [(step: Int, psnr: Double)] {
        TrainLog.rows(runDir + "/validation.csv").compactMap { r in
            guard r.count >= 2, let s = Int(r[0]), let p = Double(r[1]) else { return nil }
            return (s, p)
        }
    }
}
