import ArgumentParser
import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// The temporary output path, for the SIGINT/SIGTERM handler (which may only call unlink and _exit).
nonisolated(unsafe) private var temporaryForSignal: UnsafeMutablePointer<CChar>? = nil

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a shuffled, augmented, normalised patch set from PNG folders.",
        discussion: """
        Every regular, non-hidden file of each --input folder (sorted by name) is read as a PNG. \
        Its luma (BT.601 studio swing, float; gray images as they are; alpha ignored) is augmented \
        with the dihedral transforms, cropped bottom/right to a multiple of --scale, downscaled as \
        a whole (Pillow bicubic, float), and cut on a regular grid of LR --patch squares at LR \
        --stride. Patches are stored float32 luma/255 (or uint8 with --dtype uint8), shuffled by \
        --seed, in /lr (N,1,P,P), /hr (N,1,sP,sP), /origin (N,4) = (source, transform, LR y, LR x) \
        and /sources. Same inputs and seed give byte-identical datasets.

        Example: srprep build --scale 2 --input data/yang91 --input data/bsd200 --output train.h5
        """)

    @Option(help: "Upscaling factor (2, 3, 4 ...).") var scale: Int
    @Option(name: .long, help: "A folder of PNG images (repeatable).") var input: [String]
    @Option(name: [.short, .long], help: "The patch set to write (.h5).") var output: String
    @Option(help: "LR patch side in pixels (HR patch = scale x this).") var patch: Int = 32
    @Option(help: "LR stride of the patch grid (default: patch/2).") var stride: Int?
    @Option(help: "Augmentation: 1 (none), 2 (+flip up-down), 4 (+flips), 8 (all dihedral transforms).") var augment: Int = 8
    @Option(help: "Stored sample type: float32 (luma/255) or uint8 (rounded, clipped luma).") var dtype: String = "float32"
    @Option(help: "Downscaling: pillow (the reference's, default) or matlab (imresize bicubic).") var downsample: String = "pillow"
    @Option(help: "Shuffle seed.") var seed: UInt64 = 1
    @Option(help: "Build shard K of N (K = 1...N): every N-th image of the sorted list, starting at the K-th.") var shard: String = "1/1"
    @Flag(help: "Skip corrupt, truncated or non-PNG files (reported) instead of stopping.") var skipBad = false
    @Flag(help: "Replace an existing output file.") var force = false
    @Flag(help: "No progress line.") var quiet = false
    @Option(help: "Worker threads (default: the number of CPUs).") var threads: Int?

    func run() throws {
        let start = Clock.monotonic()
        do {
            var options = PatchBuildOptions(grid: try PatchGrid(scale: scale, lrPatch: patch, stride: stride),
                                            augmentation: try AugmentationPlan(level: augment))
            guard let dt = PatchDType(rawValue: dtype) else {
                throw SRError(.invalidArgument, "--dtype must be float32 or uint8 (got \(dtype))")
            }
            guard let ds = DownsampleMethod(rawValue: downsample) else {
                throw SRError(.invalidArgument, "--downsample must be pillow or matlab (got \(downsample))")
            }
            let parts = shard.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else {
                throw SRError(.invalidArgument, "--shard must be K/N with 1 <= K <= N (got \(shard))")
            }
            options.dtype = dt
            options.downsample = ds
            options.seed = seed
            options.shardIndex = parts[0] - 1
            options.shardCount = parts[1]
            options.skipBad = skipBad
            options.overwrite = force
            options.threads = max(1, threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
            let files = try PatchSetBuilder.listFiles(in: input)
            installSignalCleanup(PatchSetBuilder.temporaryPath(for: output))
            let progressLine = ProgressLine(quiet: quiet, start: start)
            let report = try PatchSetBuilder.build(files: files, output: output, options: options) { progressLine.show($0) }
            progressLine.finish()
            for (file, reason) in report.skippedBad { fputs("srprep: skipped \(reason.contains(file) ? reason : file + ": " + reason)\n", stderr) }
            let i = report.info
            print("wrote \(output): \(i.count) patches \(i.lrPatch)x\(i.lrPatch) -> \(i.hrPatch)x\(i.hrPatch) (x\(i.scale), \(i.dtype.rawValue)) " +
                  "from \(i.images) images x \(i.transforms.count) transforms; \(report.skippedSmall.count) smaller than a patch, " +
                  "\(report.skippedBad.count) unreadable skipped; \(DecimalFormat.fixed(Clock.monotonic() - start, 1)) s")
        } catch {
            throw cliError(error)
        }
    }

    private func installSignalCleanup(_ temp: String) {
        temporaryForSignal = strdup(temp)
        let handler: @convention(c) (Int32) -> Void = { sig in
            if let p = temporaryForSignal { unlink(p) }
            _exit(128 + sig)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}

/// One self-overwriting progress line on stderr: images, patches, elapsed, ETA.
final class ProgressLine: @unchecked Sendable {
    private let quiet: Bool
    private let start: Double
    private var last = 0.0
    private var shown = false

    init(quiet: Bool, start: Double) {
        self.quiet = quiet
        self.start = start
    }

    /// Called serialised by the builder after each image.
    func show(_ p: PatchBuildProgress) {
        guard !quiet else { return }
        let now = Clock.monotonic()
        guard now - last >= 0.2 || p.imagesDone == p.imagesTotal else { return }
        last = now
        let elapsed = now - start
        let frac = p.patchesTotal > 0 ? Double(p.patchesDone) / Double(p.patchesTotal) : 0
        let eta = frac > 0 ? elapsed * (1 - frac) / frac : 0
        fputs("\rimages \(p.imagesDone)/\(p.imagesTotal)  patches \(p.patchesDone)/\(p.patchesTotal)  elapsed \(DecimalFormat.fixed(elapsed, 1)) s  ETA \(DecimalFormat.fixed(eta, 1)) s ", stderr)
        shown = true
    }

    func finish() { if shown { fputs("\n", stderr) } }
}
