import SRSupport
import SRImage

/// The contact sheet of `sr diagnose --worst N` (docs/lab.md, "Diagnose"): a gray picture on a
/// mid-gray (128) background, `columns` patches per row in rank order; each cell holds the LR
/// bicubic upscale, the network output and the HR truth of one patch side by side, `tileGap`
/// pixels apart, cells `cellGap` pixels apart and from the border. Values are clipped to 0...255
/// (NaN/Inf samples are drawn black).
public enum WorstPatchSheet {
    /// Gap between the three tiles of a cell.
    public static let tileGap = 2
    /// Gap between cells and around the sheet.
    public static let cellGap = 6

    /// Where tile `tile` (0 bicubic, 1 SR, 2 HR) of the `k`-th patch starts (x, y).
    public static func origin(patch k: Int, tile: Int, side: Int, columns: Int) -> (x: Int, y: Int) {
        let cellW = 3 * side + 2 * tileGap
        let col = k % columns, row = k / columns
        return (cellGap + col * (cellW + cellGap) + tile * (side + tileGap), cellGap + row * (side + cellGap))
    }

    /// The sheet of `patches` (each `side` x `side`), or nil when there are none.
    public static func picture(_ patches: [PatchDiagnosis], side: Int, columns: Int = 4) -> Image? {
        guard !patches.isEmpty, side >= 1, columns >= 1 else { return nil }
        let cols = Swift.min(columns, patches.count), rows = (patches.count + columns - 1) / columns
        let cellW = 3 * side + 2 * tileGap
        var sheet = Image(width: cellGap + cols * (cellW + cellGap), height: cellGap + rows * (side + cellGap),
                          channels: 1, value: 128)
        for (k, d) in patches.enumerated() {
            for (t, tile) in [d.bicubic, d.output, d.truth].enumerated() where tile.count == side * side {
                let o = origin(patch: k, tile: t, side: side, columns: columns)
                for y in 0..<side {
                    for x in 0..<side {
                        let v = tile[y * side + x]
                        sheet.pixels[(o.y + y) * sheet.width + o.x + x] = v.isFinite ? Swift.max(0, Swift.min(255, v)) : 0
                    }
                }
            }
        }
        return sheet
    }
}
