import SRSupport
import SRImage
import SRFormats
/// Statistics and a contact sheet of a patch set (`srprep inspect`).
public enum PatchSetInspector {
    /// What `srprep inspect` prints.
    public struct Summary: Sendable {
        /// Validated attributes.
        public var info: PatchSetInfo
        /// Every root attribute as `(name, value as text)`, in name order.
        public var attributes: [(name: String, value: String)]
        /// `/sources`.
        public var sources: [String]
        /// min, max, mean of the LR values (0...1 scale).
        public var lr: (min: Float, max: Float, mean: Double)
        /// min, max, mean of the HR values (0...1 scale).
        public var hr: (min: Float, max: Float, mean: Double)
        /// Patches per dihedral id.
        public var perTransform: [Int: Int]
        /// Number of distinct sources referenced by `/origin`.
        public var sourcesUsed: Int
    }

    /// Reads the whole set in slices of `slice` patches (bounded memory) and summarises it.
    public static func summarize(path: String, slice: Int = 1024) throws -> Summary {
        let reader = try PatchSetReader(path: path)
        let attributes: [(name: String, value: String)] = try HDF5File.lock.withLock {
            let f = try HDF5File.open(path)
            defer { f.release() }
            return try f.attributeNames().sorted().map { name in (name, try f.attributeText(name) ?? "?") }
        }
        let p2 = reader.lrPatch * reader.lrPatch, s2 = reader.hrPatch * reader.hrPatch
        var lr = [Float](repeating: 0, count: slice * p2), hr = [Float](repeating: 0, count: slice * s2)
        var lrMin = Float.infinity, lrMax = -Float.infinity, hrMin = Float.infinity, hrMax = -Float.infinity
        var lrSum = 0.0, hrSum = 0.0
        var perTransform: [Int: Int] = [:]
        var used = Set<Int32>()
        var start = 0
        while start < reader.count {
            let n = min(slice, reader.count - start)
            try lr.withUnsafeMutableBufferPointer { l in
                try hr.withUnsafeMutableBufferPointer { h in try reader.read(start: start, count: n, lr: l, hr: h) }
            }
            for v in lr[0..<(n * p2)] { lrMin = min(lrMin, v); lrMax = max(lrMax, v); lrSum += Double(v) }
            for v in hr[0..<(n * s2)] { hrMin = min(hrMin, v); hrMax = max(hrMax, v); hrSum += Double(v) }
            let o = try reader.origins(start: start, count: n)
            for i in 0..<n {
                perTransform[Int(o[4 * i + 1]), default: 0] += 1
                used.insert(o[4 * i])
            }
            start += n
        }
        let count = Double(max(reader.count, 1))
        return Summary(info: reader.info, attributes: attributes, sources: try reader.sources(),
                       lr: (lrMin, lrMax, lrSum / (count * Double(p2))), hr: (hrMin, hrMax, hrSum / (count * Double(s2))),
                       perTransform: perTransform, sourcesUsed: used.count)
    }

    /// A gray contact sheet (0...255 scale) of `pairs` patches spread evenly over the set: each cell
    /// shows the LR patch enlarged by pixel replication, 2 pixels left of its HR patch; `columns` cells
    /// a row, 4-pixel gaps of mid gray.
    public static func contactSheet(path: String, pairs: Int = 16, columns: Int = 4) throws -> Image {
        let reader = try PatchSetReader(path: path)
        let n = max(1, min(pairs, reader.count)), cols = max(1, min(columns, n)), rows = (n + cols - 1) / cols
        let sp = reader.hrPatch, p = reader.lrPatch, s = reader.scale, gap = 4
        let cellW = 2 * sp + 2 + gap
        var sheet = Image(width: cols * cellW + gap, height: rows * (sp + gap) + gap, channels: 1, value: 128)
        var lr = [Float](repeating: 0, count: p * p), hr = [Float](repeating: 0, count: sp * sp)
        for k in 0..<n {
            let index = reader.count <= 1 ? 0 : k * (reader.count - 1) / max(n - 1, 1)
            try lr.withUnsafeMutableBufferPointer { l in
                try hr.withUnsafeMutableBufferPointer { h in try reader.read(start: index, count: 1, lr: l, hr: h) }
            }
            let x0 = gap + (k % cols) * cellW, y0 = gap + (k / cols) * (sp + gap)
            for y in 0..<sp {
                for x in 0..<sp {
                    sheet[0, y0 + y, x0 + x] = max(0, min(255, lr[(y / s) * p + x / s] * 255))
                    sheet[0, y0 + y, x0 + sp + 2 + x] = max(0, min(255, hr[y * sp + x] * 255))
                }
            }
        }
        return sheet
    }
}
