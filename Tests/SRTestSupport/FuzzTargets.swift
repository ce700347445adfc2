import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// The bodies of the fuzz harnesses (docs/fuzzing.md). The libFuzzer binaries built by
/// Tests/fuzz/build.sh call them from `LLVMFuzzerTestOneInput`; the tests replay the seed corpora
/// and every regression input through the very same functions.
///
/// Contract checked on every input: the parsers either succeed with a consistent result or throw an
/// `SRError`; any other error, a trap, a sanitizer report, an allocation above libFuzzer's
/// `-malloc_limit_mb` or a hang is a bug.
package enum FuzzTargets {
    /// The harnesses, by the name of their folder under Tests/fuzz.
    package static var all: [(name: String, run: (UnsafeRawBufferPointer) -> Void)] {
        [("png", png), ("jpeg", jpeg), ("webp", webp), ("exif", exif), ("weights", weights), ("weights-hdf5", weightsHDF5), ("tfbundle", tfBundle), ("json", json)]
    }

    /// The pixel limit the PNG harness decodes with: 4 Mpx (64 MiB of RGBA float planes), so every
    /// allocation a valid header can cause stays far below the fuzzer's malloc limit; a larger
    /// allocation means the limit was not applied before allocating.
    package static let maxPixels = 1 << 22

    /// The weights loader under test, from memory: what `sr_model_load_memory` calls (safetensors;
    /// it refuses HDF5 without calling libhdf5). Pointing the harness at another loader is this line
    /// and the one in `loadWeightsFile`.
    package static func loadWeights(_ bytes: UnsafeRawBufferPointer, name: String) throws -> DCSCNParameters {
        try WeightsFile.readSafeTensors(bytes: bytes, name: name)
    }

    /// The same loader from a file (`sr_model_load`).
    package static func loadWeightsFile(_ path: String) throws -> DCSCNParameters {
        try WeightsFile.readSafeTensors(path: path)
    }

    // MARK: - PNG

    /// PNG: `PNGCodec.decode(bytes:)`, the streaming reader as `ColorUpscaler.upscaleFile` runs it
    /// (chunks of 1...5 rows straight into LR planes), the file reader (`PNGCodec.read(path:)`, which
    /// must agree with the memory decode) and, for small images, the colour upscale, a re-encode and a
    /// re-encode of the input's metadata (docs/image-formats.md).
    package static func png(_ data: UnsafeRawBufferPointer) {
        let bytes = Array(data)
        let name = "fuzz.png"
        var decoded: PNGImage?
        let memoryError = refuses(name) { decoded = try PNGCodec.decode(bytes: bytes, name: name, maxPixels: maxPixels) }
        if let img = decoded { checkDecoded(img) }

        _ = refuses(name) {
            try bytes.withUnsafeBytes { raw in
                let reader = try PNGReader(bytes: raw, name: name, maxPixels: maxPixels)
                let h = reader.header
                let colour = ColorUpscaler(scale: 2, halo: 1, maxPixels: maxPixels) { _, bicubic in bicubic }
                let planes = try colour.readPlanes(reader, name: name, chunkRows: 1 + bytes.count % 5)
                precondition(planes.width == h.width && planes.height == h.height && planes.channels == h.channels)
                if let img = decoded, img.channels <= 2 {
                    precondition(planes.luma.pixels == img.image.plane(0).pixels, "streamed gray differs from decoded")
                }
                // The metadata (iCCP, eXIf, text, sRGB/gAMA) written back to a PNG must read again; what
                // libpng refuses to write (a bad profile, an unusable keyword) may be left out.
                if h.width * h.height <= 4096 {
                    let m = reader.metadata.uprighted
                    let out = scratchFile("png-meta.png")
                    defer { unlink(out) }
                    let w = try PNGRowWriter(path: out, width: h.width, height: h.height, channels: h.channels, metadata: m)
                    try w.append(Image(width: h.width, height: h.height, channels: h.channels))
                    try w.finish()
                    let back = try PNGReader(path: out, maxPixels: maxPixels)
                    precondition(back.header.width == h.width && back.metadata.pngText.count <= m.pngText.count,
                                 "PNG metadata re-encode changed the image or invented text")
                    precondition(back.metadata.orientation == 1, "eXIf is not written to PNG outputs")
                }
            }
        }

        let path = scratchFile("png")
        if write(bytes, to: path) {
            defer { unlink(path) }
            var fromFile: PNGImage?
            let fileError = refuses(path) { fromFile = try PNGCodec.read(path: path, maxPixels: maxPixels) }
            precondition(fromFile == decoded && (fileError == nil) == (memoryError == nil),
                         "file and memory decodes disagree: \(String(describing: fileError)) / \(String(describing: memoryError))")
        }

        if let img = decoded, img.width * img.height <= 4096 {
            _ = refuses(name) {
                let up = try ColorUpscaler(scale: 2, halo: 2) { _, bicubic in bicubic }.upscale(img)
                precondition(up.width == 2 * img.width && up.height == 2 * img.height && up.channels == img.channels)
                let again = try PNGCodec.decode(bytes: try PNGCodec.encode(up), name: "re-encoded")
                precondition(again.width == up.width && again.channels == up.channels && again.bitDepth == up.bitDepth)
            }
        }
    }

    /// A decoded image is consistent: 1...4 planes of the declared size, samples on 0...255.
    static func checkDecoded(_ img: PNGImage) {
        precondition((1...4).contains(img.channels) && (img.bitDepth == 8 || img.bitDepth == 16))
        precondition(img.width > 0 && img.height > 0 && img.width * img.height <= maxPixels)
        precondition(img.image.pixels.count == img.width * img.height * img.channels)
        precondition(img.image.pixels.allSatisfy { $0 >= 0 && $0 <= 255 }, "sample outside 0...255")
    }

    // MARK: - weights

    /// Weights (safetensors): the loader from memory and from a file (both must agree); a loaded
    /// model is built and run on a 4 x 4 input.
    package static func weights(_ data: UnsafeRawBufferPointer) {
        weights(data, tag: "weights", memory: loadWeights, file: loadWeightsFile)
    }

    /// The legacy HDF5 weights loader (`sr upscale --model old.h5` still reads it through libhdf5,
    /// which is not hardened: docs/fuzzing.md reports what fuzzing finds in it).
    package static func weightsHDF5(_ data: UnsafeRawBufferPointer) {
        // libhdf5's file and in-memory drivers check a file's end differently, so one may open a
        // damaged file the other refuses; only results that both give must agree.
        weights(data, tag: "weights-hdf5", memory: { try WeightsFile.readHDF5(bytes: $0, name: $1) },
                file: { try WeightsFile.readHDF5(path: $0) }, sameOutcome: false)
    }

    static func weights(_ data: UnsafeRawBufferPointer, tag: String,
                        memory: (UnsafeRawBufferPointer, String) throws -> DCSCNParameters,
                        file: (String) throws -> DCSCNParameters, sameOutcome: Bool = true) {
        var loaded: DCSCNParameters?
        let memoryError = refuses(nil) { loaded = try memory(data, "fuzz.weights") }
        let path = scratchFile(tag)
        if write(Array(data), to: path) {
            defer { unlink(path) }
            var fromFile: DCSCNParameters?
            let fileError = refuses(nil) { fromFile = try file(path) }
            let agree = sameOutcome ? fromFile == loaded && (fileError == nil) == (memoryError == nil)
                                    : fromFile == nil || loaded == nil || fromFile == loaded
            precondition(agree,
                         "file and memory loads disagree: \(String(describing: fileError)) / \(String(describing: memoryError))")
        }
        if let p = loaded { runTiny(p) }
    }

    /// Builds the network and upscales a 4 x 4 gradient (it must have the scaled size).
    static func runTiny(_ p: DCSCNParameters) {
        _ = refuses(nil) {
            let net = try DCSCN(parameters: p)
            let lr = Image(width: 4, height: 4, channels: 1, pixels: (0..<16).map { Float($0 * 16) })
            let out = try Upscaler(network: net).upscaleLuma(lr)
            precondition(out.width == 4 * net.config.scale && out.height == 4 * net.config.scale)
        }
    }

    // MARK: - TF tensor bundle

    /// TF bundle: the input is `[index length, 2 bytes LE][index][data shard 0]` (`tfBundleInput`);
    /// the index is parsed, every tensor read (CRC-checked), then the DCSCN import mapping runs.
    package static func tfBundle(_ data: UnsafeRawBufferPointer) {
        let bytes = Array(data)
        let split = bytes.count >= 2 ? min(Int(bytes[0]) | Int(bytes[1]) << 8, bytes.count - 2) : 0
        let index = bytes.count >= 2 ? Array(bytes[2..<(2 + split)]) : bytes
        let shard = bytes.count >= 2 ? Array(bytes[(2 + split)...]) : []
        var bundle: TFBundle?
        _ = refuses(nil) { bundle = try TFBundle(prefix: "fuzz.ckpt", index: index, shards: [shard]) }
        guard let b = bundle else { return }
        for name in b.names {
            _ = refuses(nil) {
                let t = try b.tensor(name)
                precondition(t.values.count == t.shape.reduce(1, *))
            }
        }
        var imported: DCSCNParameters?
        _ = refuses(nil) { imported = try TFBundle.importDCSCN(bundle: b) }
        if let p = imported { runTiny(p) }
    }

    /// The harness input for a bundle: index length (2 bytes LE), index, data shard.
    package static func tfBundleInput(index: [UInt8], data: [UInt8]) -> [UInt8] {
        precondition(index.count < 1 << 16)
        return [UInt8(index.count & 0xFF), UInt8(index.count >> 8)] + index + data
    }

    // MARK: - JSON / safetensors header

    /// JSON: `StrictJSON.parse` on the bytes, then the same bytes as the header of a safetensors file
    /// without data (`SafeTensors(bytes:)`: header rules, metadata) and, when that parses, the
    /// weights decoding of its metadata.
    package static func json(_ data: UnsafeRawBufferPointer) {
        _ = refuses(nil) { _ = try StrictJSON.parse(data, context: "fuzz.json", maxDepth: 16) }
        let n = UInt64(data.count)
        let file = (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + Array(data)
        var st: SafeTensors?
        _ = refuses(nil) { st = try SafeTensors(bytes: file, name: "fuzz.safetensors", limits: WeightsFile.safeTensorsLimits) }
        guard let st else { return }
        for t in st.tensors {
            precondition(st.rawBytes(of: t).count == t.elementCount * t.dtype.size)
            _ = refuses(nil) { _ = try st.floats(t) }
        }
        var p: DCSCNParameters?
        _ = refuses(nil) { p = try WeightsFile.decodeSafeTensors(st) }
        if let p { runTiny(p) }
    }

    // MARK: - JPEG and EXIF (docs/image-formats.md)

    /// JPEG: the streaming reader as `ColorUpscaler.upscaleFile` runs it (chunks of 1...5 rows into LR
    /// planes, then the EXIF orientation), the whole-image read of a file (`ImageReaders.read`, which
    /// must agree in size), and for small images a JPEG re-encode that must decode again.
    package static func jpeg(_ data: UnsafeRawBufferPointer) {
        let bytes = Array(data)
        let name = "fuzz.jpg"
        var size: (Int, Int, Int)?
        _ = refuses(name) {
            let reader = try JPEGReader(bytes: bytes, name: name, maxPixels: maxPixels)
            let h = reader.header
            precondition(h.channels == 1 || h.channels == 3, "JPEG reader gave \(h.channels) channels")
            let colour = ColorUpscaler(scale: 2, halo: 1, maxPixels: maxPixels) { _, bicubic in bicubic }
            var planes = try colour.readPlanes(reader, name: name, chunkRows: 1 + bytes.count % 5)
            planes.orient(ExifOrientation.dihedral(reader.metadata.orientation))
            size = (planes.width, planes.height, planes.channels)
            if h.width * h.height <= 4096 {
                let out = scratchFile("jpeg-out.jpg")
                defer { unlink(out) }
                let w = try JPEGRowWriter(path: out, width: h.width, height: h.height, channels: h.channels,
                                          quality: 50, metadata: reader.metadata)
                try w.append(Image(width: h.width, height: h.height, channels: h.channels))
                try w.finish()
                let back = try ImageReaders.read(path: out, maxPixels: maxPixels)
                precondition(back.width * back.height == h.width * h.height, "re-encoded JPEG changed size")
            }
        }
        let path = scratchFile("jpeg-in")
        guard write(bytes, to: path) else { return }
        defer { unlink(path) }
        _ = refuses(path) {
            let img = try ImageReaders.read(path: path, maxPixels: maxPixels)
            if let size {
                precondition(img.width == size.0 && img.height == size.1 && img.channels == size.2,
                             "file and memory JPEG decodes differ")
            }
        }
    }

    /// WebP: the reader as `ColorUpscaler.upscaleFile` runs it (header and chunks first, the pixel limit
    /// before decoding, rows in chunks of 1...5 into LR planes, then the EXIF orientation), the file
    /// read (`ImageReaders.read`, which must agree in size), and for small images lossy and lossless
    /// re-encodes with the input's metadata that must decode again to the same size and metadata.
    package static func webp(_ data: UnsafeRawBufferPointer) {
        let bytes = Array(data)
        let name = "fuzz.webp"
        var size: (Int, Int, Int)?
        _ = refuses(name) {
            let reader = try WebPReader(bytes: bytes, name: name, maxPixels: maxPixels)
            let h = reader.header
            precondition(h.channels == 3 || h.channels == 4, "WebP reader gave \(h.channels) channels")
            let colour = ColorUpscaler(scale: 2, halo: 1, maxPixels: maxPixels) { _, bicubic in bicubic }
            var planes = try colour.readPlanes(reader, name: name, chunkRows: 1 + bytes.count % 5)
            planes.orient(ExifOrientation.dihedral(reader.metadata.orientation))
            size = (planes.width, planes.height, planes.channels)
            if h.width * h.height <= 4096 {
                for lossless in [false, true] {
                    let out = scratchFile("webp-out.webp")
                    defer { unlink(out) }
                    let w = try WebPRowWriter(path: out, width: h.width, height: h.height, channels: h.channels,
                                              quality: 50, lossless: lossless, metadata: reader.metadata)
                    try w.append(Image(width: h.width, height: h.height, channels: h.channels))
                    try w.finish()
                    let back = try WebPReader(path: out, maxPixels: maxPixels)
                    precondition(back.width == h.width && back.height == h.height, "re-encoded WebP changed size")
                    precondition(back.metadata == reader.metadata.uprighted, "re-encoded WebP changed its metadata")
                }
            }
        }
        let path = scratchFile("webp-in")
        guard write(bytes, to: path) else { return }
        defer { unlink(path) }
        _ = refuses(path) {
            let img = try ImageReaders.read(path: path, maxPixels: maxPixels)
            if let size {
                precondition(img.width == size.0 && img.height == size.1 && img.channels == size.2,
                             "file and memory WebP decodes differ")
            }
        }
    }

    /// EXIF: the orientation parser never traps, reads 1...8, and resetting it yields orientation 1
    /// without changing the block's length.
    package static func exif(_ data: UnsafeRawBufferPointer) {
        let bytes = Array(data)
        let o = ExifOrientation.read(bytes)
        precondition((1...8).contains(o), "orientation \(o) out of range")
        let reset = ExifOrientation.reset(bytes)
        precondition(reset.count == bytes.count && ExifOrientation.read(reset) == 1, "reset orientation is not 1")
        precondition((0..<8).contains(ExifOrientation.dihedral(o)))
    }

    // MARK: - helpers

    /// Runs `body`: nil when it succeeds, the error when it throws an `SRError` (whose message must
    /// start with `name` when given); any other error is a bug.
    static func refuses(_ name: String?, _ body: () throws -> Void) -> SRError? {
        do {
            try body()
            return nil
        } catch let e as SRError {
            if let name { precondition(e.description.hasPrefix(name + ": "), "message does not name \(name): \(e)") }
            return e
        } catch {
            preconditionFailure("not an SRError: \(error)")
        }
    }

    /// A scratch file of this process and thread (the tests replay inputs in parallel), in /dev/shm
    /// when it exists (no disk I/O per input); removed after each input.
    static func scratchFile(_ tag: String) -> String {
        let tmp = getenv("TMPDIR").map { String(cString: $0) } ?? ""
        let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : tmp.isEmpty ? "/tmp" : tmp
        return "\(dir)/srcore-fuzz-\(getpid())-\(UInt(bitPattern: Int(bitPattern: pthread_self())))-\(tag)"
    }

    /// Writes `bytes` to `path` (replacing it); false when that fails (the file variant is skipped).
    static func write(_ bytes: [UInt8], to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        return n == bytes.count
    }
}
