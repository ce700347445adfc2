#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import SRSupport
import SRImage
import SRFormats

/// `srprep build`: PNG files to a shuffled, augmented, normalised HDF5 patch set.
///
/// How it stays fast with bounded memory: every (image, transform) pair's patch count follows
/// from the PNG headers, so the total N and each patch's generation index `i` are known before
/// any pixel is decoded. The datasets are created with their storage allocated up front and the
/// HDF5 file is closed; worker threads then decode images in parallel and `pwrite` each patch
/// straight to its final row `π(i)` (a keyed bijection, `KeyedPermutation`).
/// Peak memory is a few decoded images, independent of N; every byte is written once; the result
/// depends only on the inputs and the seed. The file is built under a temporary name in the
/// output folder and renamed at the end; on any error the temporary file is removed.
public enum PatchSetBuilder {
    /// The regular, non-hidden files of each folder, sorted by name (folders in the order given).
    public static func listFiles(in folders: [String]) throws -> [String] {
        try folders.flatMap { folder in try FileSystem.listFiles(folder).map { FileSystem.join(folder, $0) } }
    }

    /// Builds the patch set of `files` (their order defines the source indices) into `output`.
    /// - Parameter progress: called after every image (from worker threads, serialised).
    public static func build(files: [String], output: String, options: PatchBuildOptions,
                             progress: (@Sendable (PatchBuildProgress) -> Void)? = nil) throws -> PatchBuildReport {
        guard options.shardCount >= 1, (0..<options.shardCount).contains(options.shardIndex) else {
            throw SRError(.invalidArgument, "shard \(options.shardIndex + 1)/\(options.shardCount) is not valid (K must be 1...N)")
        }
        guard options.threads >= 1 else {
            throw SRError(.invalidArgument, "threads must be >= 1")
        }
        try PixelLimit.validate(options.maxPixels)
        guard !files.isEmpty else { throw SRError(.invalidArgument, "no input files") }
        let target = try AtomicFile(path: output, overwrite: options.overwrite, unique: false)
        let mine = files.indices.filter { $0 % options.shardCount == options.shardIndex }
        var bad: [(file: String, reason: String)] = []
        var sizes: [Int: (height: Int, width: Int)] = [:]
        for g in mine {
            do { sizes[g] = try PatchImageOps.size(path: files[g], maxPixels: options.maxPixels) } catch {
                guard options.skipBad else { throw error }
                bad.append((files[g], "\(error)"))
            }
        }
        let temp = target.temporaryPath
        while true {
            let plan = PatchPlan(sources: mine.filter { sizes[$0] != nil }, sizes: sizes, options: options)
            guard plan.total > 0 else {
                throw SRError(.invalidArgument, "no patches: \(plan.images.isEmpty ? "no readable image" : "every image is smaller than one \(options.grid.lrPatch)x\(options.grid.lrPatch) LR patch") (x\(options.grid.scale))")
            }
            let info = PatchSetInfo(
                count: plan.total, scale: options.grid.scale, lrPatch: options.grid.lrPatch,
                hrPatch: options.grid.hrPatch, stride: options.grid.stride, augment: options.augmentation.level,
                transforms: options.augmentation.transforms, dtype: options.dtype, downsample: options.downsample,
                seed: Int(truncatingIfNeeded: options.seed), shard: "\(options.shardIndex + 1)/\(options.shardCount)",
                images: plan.images.count, skippedSmall: plan.small.count, skippedBad: bad.map { $0.file })
            do {
                let layout = try createFile(temp, name: output, info: info, sources: files)
                let newBad = try generate(plan: plan, files: files, layout: layout, path: temp, name: output,
                                          options: options, progress: progress)
                if !newBad.isEmpty {
                    // A file whose header was fine failed to decode: rebuild without it (rows are
                    // assigned from the full plan, so its rows would otherwise stay empty).
                    unlink(temp)
                    for (g, reason) in newBad { sizes[g] = nil; bad.append((files[g], reason)) }
                    continue
                }
                try target.commit()   // fsync, rename, fsync the folder
            } catch {
                target.discard()
                throw error
            }
            return PatchBuildReport(info: info, skippedSmall: plan.small.map { files[$0] }, skippedBad: bad)
        }
    }

    /// The temporary file a build of `output` writes before renaming it into place:
    /// `<folder>/.<name>.tmp-<pid>` (a process's signal handler can remove it by this name).
    public static func temporaryPath(for output: String) -> String {
        AtomicFile.temporaryPath(for: output, unique: false)
    }

    /// Creates the file with attributes, /sources and the preallocated datasets, then closes it.
    private static func createFile(_ path: String, name: String, info: PatchSetInfo, sources: [String]) throws -> PatchLayout {
        try HDF5File.lock.withLock {
            let file = try HDF5File.createV110(path, name: name)
            defer { file.release() }
            try info.write(to: file)
            try file.write("/sources", strings: sources)
            let n = info.count, p = info.lrPatch, sp = info.hrPatch
            let type: HDF5ElementType = info.dtype == .float32 ? .float32 : .uint8
            let lr = try file.createPreallocated("/lr", type: type, shape: [n, 1, p, p])
            let hr = try file.createPreallocated("/hr", type: type, shape: [n, 1, sp, sp])
            let origin = try file.createPreallocated("/origin", type: .int32, shape: [n, 4])
            try file.close()
            return PatchLayout(lr: lr, hr: hr, origin: origin)
        }
    }

    /// Runs the workers; returns files that failed to decode (only with `skipBad`).
    private static func generate(plan: PatchPlan, files: [String], layout: PatchLayout, path: String, name: String,
                                 options: PatchBuildOptions,
                                 progress: (@Sendable (PatchBuildProgress) -> Void)?) throws -> [(Int, String)] {
        let writer = try RawRowWriter(path: path, name: name)
        try writer.preallocate(size: layout.endOfData)
        let state = PatchBuildState()
        let permutation = KeyedPermutation(count: plan.total, key: options.seed)
        let generator = PatchGenerator(options: options, layout: layout, writer: writer, permutation: permutation)
        try writeOrigins(plan: plan, grid: options.grid, transforms: options.augmentation.transforms,
                         permutation: permutation, layout: layout, writer: writer)
        let threads = min(options.threads, plan.images.count)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let j = state.next(limit: plan.images.count) {
                let g = plan.images[j]
                do {
                    let luma: Image
                    do { luma = try PatchImageOps.luma(path: files[g], maxPixels: options.maxPixels) } catch {
                        guard options.skipBad else { throw error }
                        state.markBad(g, "\(error)")
                        continue
                    }
                    let expected = plan.sizes[j]
                    guard luma.height == expected.height && luma.width == expected.width else {
                        throw SRError(.format, "\(files[g]): decoded size \(luma.width)x\(luma.height) differs from its header")
                    }
                    let written = try generator.generate(luma: luma, source: g, bases: plan.bases[j], counts: plan.counts[j])
                    if let p = state.finished(patches: written, imagesTotal: plan.images.count, patchesTotal: plan.total),
                       let progress {
                        state.report { progress(p) }
                    }
                } catch {
                    state.fail(error)
                }
            }
        }
        if let error = state.error { throw error }
        return state.badFiles
    }
}

extension PatchSetBuilder {
    /// Writes `/origin` sequentially from the plan alone (row `r` holds the origin of generation
    /// index `π⁻¹(r)`), in blocks of 16k rows: no pixels needed, one write per block.
    static func writeOrigins(plan: PatchPlan, grid: PatchGrid, transforms: [Int], permutation: KeyedPermutation,
                             layout: PatchLayout, writer: RawRowWriter) throws {
        let block = 16384
        var buf = [Int32](repeating: 0, count: 4 * block)
        var start = 0
        while start < plan.total {
            let n = min(block, plan.total - start)
            for r in 0..<n {
                let o = plan.origin(ofGeneration: permutation.inverse(start + r), grid: grid, transforms: transforms)
                buf[4 * r] = Int32(o.source); buf[4 * r + 1] = Int32(o.transform)
                buf[4 * r + 2] = Int32(o.y); buf[4 * r + 3] = Int32(o.x)
            }
            try buf.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<(16 * n)]), row: start, of: layout.origin) }
            start += n
        }
    }
}

/// The three preallocated datasets of a patch set being built.
struct PatchLayout: Sendable {
    let lr: PreallocatedDataset
    let hr: PreallocatedDataset
    let origin: PreallocatedDataset

    /// The end of the last dataset's storage in the file.
    var endOfData: Int { max(lr.end, hr.end, origin.end) }
}

/// Patch counts and generation-index bases of every (image, transform), from header sizes.
struct PatchPlan {
    /// Global source indices of images with at least one patch.
    var images: [Int] = []
    /// `(height, width)` of each entry of `images`.
    var sizes: [(height: Int, width: Int)] = []
    /// Per image, per transform of the plan: first generation index.
    var bases: [[Int]] = []
    /// Per image, per transform: patch count.
    var counts: [[Int]] = []
    /// Images with no patch (smaller than one window).
    var small: [Int] = []
    /// Total patch count N.
    var total = 0

    /// `(source index, dihedral id, LR y, LR x)` of generation index `i` (`0 <= i < total`).
    func origin(ofGeneration i: Int, grid: PatchGrid, transforms: [Int]) -> (source: Int, transform: Int, y: Int, x: Int) {
        var lo = 0, hi = images.count - 1   // last image whose first base <= i
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if bases[mid][0] <= i { lo = mid } else { hi = mid - 1 }
        }
        var t = transforms.count - 1
        while bases[lo][t] > i || counts[lo][t] == 0 { t -= 1 }
        let id = transforms[t], s = sizes[lo]
        let lrWidth = (AugmentationPlan.transposes(id) ? s.height : s.width) / grid.scale
        let o = grid.origin(i - bases[lo][t], lrWidth: lrWidth)
        return (images[lo], id, o.y, o.x)
    }

    init(sources: [Int], sizes all: [Int: (height: Int, width: Int)], options: PatchBuildOptions) {
        for g in sources {
            guard let s = all[g] else { continue }
            let c = options.augmentation.transforms.map {
                options.grid.count(height: s.height, width: s.width, transform: $0)
            }
            if c.reduce(0, +) == 0 { small.append(g); continue }
            var b: [Int] = []
            for k in c { b.append(total); total += k }
            images.append(g); sizes.append(s); bases.append(b); counts.append(c)
        }
    }
}
