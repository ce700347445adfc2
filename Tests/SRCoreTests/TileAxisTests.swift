import Testing
@testable import SRCore

/// `TileAxis` (the Upscaler's tile layout) against its definition, checked exhaustively on small
/// sizes: the cores partition the axis, every window has the same length, lies inside the image
/// and holds its core plus `halo` pixels of context wherever the image has them.
struct TileAxisTests {
    @Test func coresPartitionAndWindowsHoldTheirContext() {
        for length in 1...70 {
            for tile in [1, 2, 3, 5, 8, 13, 31, 64, 100] {
                for halo in [0, 1, 4, 9] {
                    let a = TileAxis(length: length, tile: tile, halo: halo)
                    var next = 0
                    for i in 0..<a.count {
                        let (c0, c1) = a.core(i), (w0, w1) = a.window(i)
                        #expect(c0 == next && c1 > c0 && c1 - c0 <= tile, "L\(length) t\(tile) core \(i)")
                        next = c1
                        #expect(w1 - w0 == a.window && w0 >= 0 && w1 <= length)
                        #expect(w0 <= max(0, c0 - halo) && w1 >= min(length, c1 + halo), "L\(length) t\(tile) h\(halo) window \(i)")
                    }
                    #expect(next == length)
                    #expect(a.count == (length + min(tile, length) - 1) / min(tile, length))
                }
            }
        }
    }
}
