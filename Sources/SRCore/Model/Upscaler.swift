import SRSupport
import SRImage
import SRKernels
import SRFormats
/// Options of one `Upscaler.upscaleLuma` call.
public struct UpscaleOptions: Sendable, Equatable {
    /// Self-ensemble passes, 1...8: the network runs on dihedral transforms 0..<n of the input and the
    /// inverse-transformed results are averaged in double (docs/reference.md §8.1). 8 is the reference's full ensemble.
    public var ensemble: Int
    /// Core tile size in LR pixels (each tile also reads a halo of `receptiveField` pixels).
    /// `nil` derives it from `memoryBudget`; a value >= the image size processes the image whole.
    public var tileSize: Int?
    /// Approximate bytes of scratch one tile may use (ignored when `tileSize` is set).
    public var memoryBudget: Int
    /// Worker threads for each forward pass.
    public var threads: Int

    /// Creates options (defaults: no ensemble, tile size from a 256 MiB budget, one thread).
    public init(ensemble: Int = 1, tileSize: Int? = nil, memoryBudget: Int = 256 << 20, threads: Int = 1) {
        self.ensemble = ensemble
        self.tileSize = tileSize
        self.memoryBudget = memoryBudget
        self.threads = threads
    }
}

/// Luma super-resolution on top of `DCSCN.forward`: computes the bicubic input, processes the image in
/// tiles with a halo equal to the receptive field (so the result equals whole-image inference, while
/// memory stays bounded), and optionally averages the 8-transform self-ensemble.
///
/// The bicubic input of each tile is the matching region of the full-image bicubic (computed per region
/// with `ResizePlan`, bit-identical to resizing the whole image), never a re-bicubic of the tile.
public struct Upscaler: Sendable {
    /// The network.
    public let network: DCSCN

    /// Wraps a network (shared, immutable).
    public init(network: DCSCN) {
        self.network = network
    }

    /// Upscales LR luma (one plane, 0...255) by the network's scale.
    ///
    /// - Parameters:
    ///   - lr: LR luma, one plane.
    ///   - bicubic: its Pillow-float bicubic upscale (`scale` times larger) if the caller has it already
    ///     (evaluation does); computed region by region when nil.
    ///   - options: ensemble, tiling and threads.
    ///   - progress: called after each tile with (done, total); returning false cancels with `.cancelled`.
    /// - Returns: HR luma (network output + bicubic), float, not rounded or clipped.
    public func upscaleLuma(_ lr: Image, bicubic: Image? = nil, options: UpscaleOptions = UpscaleOptions(),
                            progress: ((Int, Int) -> Bool)? = nil) throws -> Image {
        let c = network.config
        let s = c.scale
        guard lr.channels == 1, lr.width > 0, lr.height > 0 else {
            throw SRError(.invalidArgument, "upscale: LR luma must be one non-empty plane (got \(lr.width)x\(lr.height)x\(lr.channels))")
        }
        let (hrW, hrH) = lr.width.multipliedReportingOverflow(by: s).overflow || lr.height.multipliedReportingOverflow(by: s).overflow
            ? (-1, -1) : (lr.width * s, lr.height * s)
        guard hrW > 0, hrH > 0, hrW.multipliedReportingOverflow(by: hrH).overflow == false else {
            throw SRError(.invalidArgument, "upscale: \(lr.width)x\(lr.height) x\(s) overflows")
        }
        if let b = bicubic, b.width != hrW || b.height != hrH || b.channels != 1 {
            throw SRError(.shapeMismatch, "upscale: bicubic input is \(b.width)x\(b.height)x\(b.channels), expected \(hrW)x\(hrH)x1")
        }
        guard (1...8).contains(options.ensemble) else {
            throw SRError(.invalidArgument, "upscale: ensemble must be 1...8, got \(options.ensemble)")
        }
        let halo = c.receptiveField
        let tile = max(1, options.tileSize ?? Upscaler.tileSize(config: c, memoryBudget: options.memoryBudget,
                                                                 ensemble: options.ensemble))
        let plan = bicubic == nil
            ? ResizePlan(inWidth: lr.width, inHeight: lr.height, outWidth: hrW, outHeight: hrH) : nil
        var out = Image(width: hrW, height: hrH)
        let cols = TileAxis(length: lr.width, tile: tile, halo: halo)
        let rows = TileAxis(length: lr.height, tile: tile, halo: halo)
        let rowsOfTiles = rows.count, colsOfTiles = cols.count
        var done = 0
        for ty in 0..<rowsOfTiles {
            for tx in 0..<colsOfTiles {
                // Core region and the window actually run (core plus halo, every window the same
                // size so that the network's scratch of the previous tile is reused), in LR pixels.
                let (y0, y1) = rows.core(ty), (x0, x1) = cols.core(tx)
                let (ey0, ey1) = rows.window(ty), (ex0, ex1) = cols.window(tx)
                let lrTile = lr.region(x: ex0, y: ey0, width: ex1 - ex0, height: ey1 - ey0)
                let bicTile: Image
                if let b = bicubic {
                    bicTile = b.region(x: s * ex0, y: s * ey0, width: s * (ex1 - ex0), height: s * (ey1 - ey0))
                } else {
                    bicTile = plan!.apply(lr, rows: (s * ey0)..<(s * ey1), cols: (s * ex0)..<(s * ex1))
                }
                let result = try runEnsemble(lrTile, bicTile, options: options)
                out.paste(result, from: (x: s * (x0 - ex0), y: s * (y0 - ey0)),
                          size: (width: s * (x1 - x0), height: s * (y1 - y0)), at: (x: s * x0, y: s * y0))
                done += 1
                if let p = progress, !p(done, rowsOfTiles * colsOfTiles) {
                    throw SRError(.cancelled, "upscale: cancelled after \(done) of \(rowsOfTiles * colsOfTiles) tiles")
                }
            }
        }
        return out
    }

    /// One tile through the network, averaged over the first `options.ensemble` dihedral transforms
    /// (sum in double, as the reference does).
    func runEnsemble(_ lr: Image, _ bic: Image, options: UpscaleOptions) throws -> Image {
        if options.ensemble == 1 {
            return try network.forward(lr: lr, bicubic: bic, threads: options.threads)
        }
        var sum = [Double](repeating: 0, count: bic.pixels.count)
        for id in 0..<options.ensemble {
            let y = try network.forward(lr: Dihedral.apply(id, to: lr), bicubic: Dihedral.apply(id, to: bic),
                                        threads: options.threads)
            let back = Dihedral.invert(id, on: y)
            for i in 0..<sum.count { sum[i] += Double(back.pixels[i]) }
        }
        let n = Double(options.ensemble)
        return Image(width: bic.width, height: bic.height, channels: 1, pixels: sum.map { Float($0 / n) })
    }

    /// The core tile size (LR pixels) whose forward pass fits `memoryBudget` bytes: every layer's
    /// output at its resolution (and each depth_to_space result), the bicubic input, output and ensemble sums, with 2x slack.
    public static func tileSize(config: DCSCNConfig, memoryBudget: Int, ensemble: Int = 1) -> Int {
        var floats = 1 + config.reconstructionWidth // LR input, Concat2
        var area = 1
        for l in config.layers {
            floats += area * l.outChannels
            if case .upsample(_, let b) = l.role {
                area *= b * b
                floats += area * l.outChannels / (b * b) // the depth_to_space output
            }
        }
        floats += area * (ensemble > 1 ? 6 : 3) // bicubic, output, transformed copies / double sums
        let bytesPerPixel = 2 * 4 * floats
        let side = Int(Double(max(memoryBudget, 0) / bytesPerPixel).squareRoot()) - 2 * config.receptiveField
        return max(32, side)
    }
}

extension Image {
    /// A copy of the rectangle at (`x`, `y`) of size `width` x `height` (all planes); must lie inside.
    package func region(x: Int, y: Int, width w: Int, height h: Int) -> Image {
        if x == 0 && y == 0 && w == width && h == height { return self }
        var out = Image(width: w, height: h, channels: channels)
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    for r in 0..<h {
                        let s = src.baseAddress! + (c * height + y + r) * width + x
                        (dst.baseAddress! + (c * h + r) * w).update(from: s, count: w)
                    }
                }
            }
        }
        return out
    }

    /// Copies the `size` rectangle of `source` starting at `from` into this image at `at` (plane 0..<channels).
    mutating func paste(_ source: Image, from: (x: Int, y: Int), size: (width: Int, height: Int), at: (x: Int, y: Int)) {
        let w = width, h = height
        source.pixels.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for c in 0..<min(channels, source.channels) {
                    for r in 0..<size.height {
                        let s = src.baseAddress! + (c * source.height + from.y + r) * source.width + from.x
                        (dst.baseAddress! + (c * h + at.y + r) * w + at.x).update(from: s, count: size.width)
                    }
                }
            }
        }
    }
}
