import SRSupport
import SRImage
import SRModel
import SRData

/// One patch of a patch set with the network's loss on it, traced back to its source.
public struct PatchDiagnosis: Sendable {
    /// Row of the patch in the set.
    public var index: Int
    /// Mean squared (or absolute, `l1`) error of the network's output against the HR patch,
    /// on the 0...255 scale (the training loss of `sr train` per patch).
    public var loss: Double
    /// `/origin`: source index, dihedral id, LR y, LR x (of the transformed, cropped source image).
    public var source: Int, transform: Int, lrY: Int, lrX: Int
    /// The source's file name from `/sources` ("?" when the index is outside the list).
    public var file: String
    /// LR bicubic upscale, network output, HR truth (hrPatch² values each, 0...255 scale).
    public var bicubic: [Float], output: [Float], truth: [Float]

    /// Memberwise (package: the tests build sheets from handmade patches).
    package init(index: Int, loss: Double, source: Int, transform: Int, lrY: Int, lrX: Int, file: String,
                 bicubic: [Float], output: [Float], truth: [Float]) {
        self.index = index
        self.loss = loss
        self.source = source
        self.transform = transform
        self.lrY = lrY
        self.lrX = lrX
        self.file = file
        self.bicubic = bicubic
        self.output = output
        self.truth = truth
    }
}

/// The `--worst N` part of `sr diagnose` (docs/lab.md, "Diagnose"): the loss of every patch of
/// a set under a network, and the N largest traced through `/origin` and `/sources`.
public enum WorstPatches {
    /// Names of the dihedral ids (docs/reference.md §8.1).
    public static let transformNames = ["identity", "flip-ud", "flip-lr", "flip-ud+lr", "rot90-ccw", "rot90-cw",
                                        "transpose", "anti-transpose"]

    /// Scores every patch of `reader` and returns the `count` with the largest loss, largest first
    /// (equal losses: lower row first; a patch with a non-finite loss counts as +infinity).
    /// - Throws: `.shapeMismatch` when the set's scale is not the network's; read errors naming the file.
    public static func find(network: DCSCN, reader: PatchSetReader, count: Int, l1: Bool = false,
                            threads: Int = 1) throws -> [PatchDiagnosis] {
        let s = network.config.scale
        guard reader.scale == s else {
            throw SRError(.shapeMismatch, "\(reader.path): patch set is x\(reader.scale), the model is x\(s)")
        }
        let p = reader.lrPatch, hp = reader.hrPatch
        let plan = ResizePlan(inWidth: p, inHeight: p, outWidth: hp, outHeight: hp)
        func run(_ lr: [Float]) throws -> (bic: Image, out: Image) {
            let img = Image(width: p, height: p, pixels: lr.map { $0 * 255 })
            let bic = plan.apply(img)
            return (bic, try network.forward(lr: img, bicubic: bic, threads: threads))
        }
        var losses = [Double](repeating: 0, count: reader.count)
        let chunk = 256
        var start = 0
        while start < reader.count {
            let n = Swift.min(chunk, reader.count - start)
            let (lr, hr) = try read(reader, start: start, count: n)
            for j in 0..<n {
                let r = try run(Array(lr[(j * p * p)..<((j + 1) * p * p)]))
                var total = 0.0
                for k in 0..<(hp * hp) {
                    let d = Double(r.out.pixels[k] - hr[j * hp * hp + k] * 255)
                    total += l1 ? abs(d) : d * d
                }
                // A NaN/Inf sample (which `sr train` refuses) ranks as the worst patch, not as an unordered value.
                losses[start + j] = total.isFinite ? total / Double(hp * hp) : .infinity
            }
            start += n
        }
        let worst = losses.indices.sorted { losses[$0] != losses[$1] ? losses[$0] > losses[$1] : $0 < $1 }.prefix(count)
        let names = try reader.sources()
        return try worst.map { i in
            let (lr, hr) = try read(reader, start: i, count: 1)
            let o = try reader.origins(start: i, count: 1).map(Int.init)
            let r = try run(lr)
            return PatchDiagnosis(index: i, loss: losses[i], source: o[0], transform: o[1], lrY: o[2], lrX: o[3],
                                  file: names.indices.contains(o[0]) ? names[o[0]] : "?",
                                  bicubic: r.bic.pixels, output: r.out.pixels, truth: hr.map { $0 * 255 })
        }
    }

    private static func read(_ reader: PatchSetReader, start: Int, count: Int) throws -> ([Float], [Float]) {
        var lr = [Float](repeating: 0, count: count * reader.lrPatch * reader.lrPatch)
        var hr = [Float](repeating: 0, count: count * reader.hrPatch * reader.hrPatch)
        try lr.withUnsafeMutableBufferPointer { l in
            try hr.withUnsafeMutableBufferPointer { h in try reader.read(start: start, count: count, lr: l, hr: h) }
        }
        return (lr, hr)
    }

    /// The name of a dihedral id, or its number when outside 0...7.
    public static func transformName(_ id: Int) -> String {
        transformNames.indices.contains(id) ? transformNames[id] : "\(id)"
    }

    /// A fixed-width table: rank, row, loss, file, transform, LR y, LR x (HR position = scale x LR).
    public static func table(_ patches: [PatchDiagnosis], scale: Int) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        var out = pad("rank", 6) + pad("patch", 9) + pad("loss", 12) + pad("file", 24) + pad("transform", 16)
            + pad("lr_y", 7) + pad("lr_x", 7) + "hr_y,hr_x\n"
        for (k, d) in patches.enumerated() {
            out += pad("\(k + 1)", 6) + pad("\(d.index)", 9) + pad(DecimalFormat.fixed(d.loss, 3), 12) + pad(d.file, 24)
                + pad("\(d.transform) \(transformName(d.transform))", 16) + pad("\(d.lrY)", 7) + pad("\(d.lrX)", 7)
                + "\(d.lrY * scale),\(d.lrX * scale)\n"
        }
        return out
    }
}
