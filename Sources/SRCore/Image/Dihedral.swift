import SRSupport
/// The eight flips and 90° rotations of docs/reference.md §8.1 (the reference's self-ensemble / augmentation ids):
/// 0 identity, 1 flip up-down, 2 flip left-right, 3 both, 4 rot90 counter-clockwise,
/// 5 rot90 clockwise, 6 flipud(rot90 CCW) (= transpose), 7 flipud(rot90 CW) (= anti-transpose).
public enum Dihedral {
    /// All ids, 0...7.
    public static let all = Array(0..<8)

    /// (transpose first, then flip up-down, then flip left-right) for each id.
    static let parts: [(transpose: Bool, flipUD: Bool, flipLR: Bool)] = [
        (false, false, false), (false, true, false), (false, false, true), (false, true, true),
        (true, true, false), (true, false, true), (true, false, false), (true, true, true),
    ]

    /// The id that undoes `id`.
    public static func inverse(_ id: Int) -> Int {
        precondition((0..<8).contains(id), "dihedral id must be 0...7")
        return [0, 1, 2, 3, 5, 4, 6, 7][id]
    }

    /// Whether `id` swaps width and height.
    public static func swapsAxes(_ id: Int) -> Bool { id >= 4 }

    /// The id of "apply `second` after `first`".
    public static func compose(_ second: Int, after first: Int) -> Int {
        let probe = Image(width: 3, height: 2, channels: 1, pixels: [0, 1, 2, 3, 4, 5])
        let target = apply(second, to: apply(first, to: probe))
        return all.first { apply($0, to: probe) == target }!
    }

    /// Applies transform `id` to every plane of `image`.
    public static func apply(_ id: Int, to image: Image) -> Image {
        precondition((0..<8).contains(id), "dihedral id must be 0...7")
        if id == 0 { return image }
        let p = parts[id]
        let w = image.width, h = image.height
        let ow = p.transpose ? h : w, oh = p.transpose ? w : h
        var out = Image(width: ow, height: oh, channels: image.channels)
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for c in 0..<image.channels {
                    let s = src.baseAddress! + c * w * h
                    let d = dst.baseAddress! + c * ow * oh
                    for oy in 0..<oh {
                        let ty = p.flipUD ? oh - 1 - oy : oy
                        let row = d + oy * ow
                        if p.transpose {
                            // source (sy, sx) = (tx, ty)
                            for ox in 0..<ow {
                                let tx = p.flipLR ? ow - 1 - ox : ox
                                row[ox] = s[tx * w + ty]
                            }
                        } else {
                            let srow = s + ty * w
                            if p.flipLR {
                                for ox in 0..<ow { row[ox] = srow[w - 1 - ox] }
                            } else {
                                row.update(from: srow, count: w)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Undoes `apply(id, to:)`.
    public static func invert(_ id: Int, on image: Image) -> Image {
        apply(inverse(id), to: image)
    }
}
