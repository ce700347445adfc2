/// The tiles of one image axis for `Upscaler`: `count` cores of (nearly) equal length that cover
/// `0..<length`, each run inside a window of one common length that holds the core plus `halo`
/// pixels of context on each side wherever the image has them.
///
/// Balanced cores and one window length mean every tile of an image runs the network at the same
/// size, so `DCSCN`'s cached scratch serves every tile (no buffer is allocated or page-faulted again
/// per tile). A window starts at `core - halo`, moved inwards at the image borders: it then holds
/// more context than needed on the inner side, which does not change the core's pixels (each
/// output pixel depends only on inputs within `halo` of it, and zero padding only at the image
/// border), so results stay bit-identical to whole-image inference.
package struct TileAxis: Equatable {
    /// Number of tiles.
    package let count: Int
    /// Core length of every tile but possibly the last (shorter).
    package let core: Int
    /// Window length (the same for every tile).
    package let window: Int
    package let length: Int, halo: Int

    /// Splits `length` (> 0) into cores of at most `tile` (>= 1) pixels with `halo` (>= 0) context.
    package init(length: Int, tile: Int, halo: Int) {
        let t = max(1, min(tile, length))
        count = (length + t - 1) / t
        core = (length + count - 1) / count
        window = min(length, core + 2 * halo)
        self.length = length
        self.halo = halo
    }

    /// The core `i` as `(start, end)`.
    package func core(_ i: Int) -> (Int, Int) {
        let start = i * core
        return (start, min(length, start + core))
    }

    /// The window of tile `i` as `(start, end)`: `window` long, inside the image, containing the core
    /// widened by `halo` (clipped to the image).
    package func window(_ i: Int) -> (Int, Int) {
        let start = min(max(0, i * core - halo), length - window)
        return (start, start + window)
    }
}
