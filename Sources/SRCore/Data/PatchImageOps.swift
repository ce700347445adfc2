import SRSupport
import SRImage
import SRFormats
/// The image operations srprep needs, delegated to SRCore/Image (the imaging code).
enum PatchImageOps {
    /// `(height, width)` (upright: EXIF orientation applied) from the header only (PNG, JPEG); an image over `maxPixels` (0 = none) is refused.
    static func size(path: String, maxPixels: Int) throws -> (height: Int, width: Int) {
        let h = try ImageReaders.orientedHeader(path: path, maxPixels: maxPixels)
        return (h.height, h.width)
    }

    /// Decodes `path` and returns its luma on the 0...255 scale (docs/reference.md §6: BT.601 studio swing in
    /// double rounded to float32; gray images as they are; alpha ignored).
    static func luma(path: String, maxPixels: Int) throws -> Image {
        YCbCr.luma(try ImageReaders.read(path: path, maxPixels: maxPixels).image)
    }

    /// Dihedral transform `id` (docs/reference.md §8.1).
    static func transform(_ img: Image, _ id: Int) -> Image {
        id == 0 ? img : Dihedral.apply(id, to: img)
    }

    /// Downscales the whole image by `scale` with `method` (the image is a multiple of `scale`).
    static func downscale(_ img: Image, by scale: Int, method: DownsampleMethod) -> Image {
        Resize.bicubic(img, width: img.width / scale, height: img.height / scale,
                       kernel: method == .pillow ? .pillow : .matlab)
    }
}
