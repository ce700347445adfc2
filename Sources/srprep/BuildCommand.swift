import ArgumentParser
import SRCLI
import SRCore
import SRMPI
#if canImport(Glibc)
import Glibc
#endif

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

        The file is built as .NAME.tmp-PID beside --output and renamed at the end; an error or \
        Ctrl-C removes it (exit 130) and leaves --output as it was.

        Example: srprep build --scale 2 --input data/yang91 --input data/bsd200 --output train.h5
        """)

    @Option(parsing: .unconditional, help: "Upscaling factor, 2...8.") var scale: Int
    @Option(name: .long, help: "A folder of PNG images (repeatable; each folder once).") var input: [String]
    @Option(name: [.short, .long], help: "The patch set to write (.h5).") var output: String
    @Option(parsing: .unconditional, help: "LR patch side in pixels, 2...4096 (HR patch = scale x this).") var patch: Int = 32
    @Option(parsing: .unconditional, help: "LR stride of the patch grid, 1...4096 (default: patch/2).") var stride: Int?
    @Option(help: "Augmentation: 1 (none), 2 (+flip up-down), 4 (+flips), 8 (all dihedral transforms).")
    var augment: AugmentLevel = .dihedral
    @Option(help: "Stored sample type: float32 (luma/255) or uint8 (rounded, clipped luma).") var dtype: PatchDType = .float32
    @Option(help: "Downscaling: pillow (the reference's) or matlab (imresize bicubic).") var downsample: DownsampleMethod = .pillow
    @Option(parsing: .unconditional, help: "Shuffle seed (0...18446744073709551615).") var seed: UInt64 = 1
    @Option(help: "Build shard K of N (K = 1...N): every N-th image of the sorted list, starting at the K-th.")
    var shard = ShardOption(index: 1, count: 1)
    @Flag(help: "Skip corrupt, truncated or non-PNG files (reported) instead of stopping.") var skipBad = false
    @Flag(help: "Replace an existing output file.") var force = false
    @Flag(help: "No progress line.") var quiet = false
    @Option(parsing: .unconditional, help: "Worker threads, 1...256 (default: the number of CPUs).") var threads: Int?
    @Option(parsing: .unconditional, help: "Largest image accepted, in pixels (width x height), checked from the image headers; 0 = no limit.")
    var maxPixels: Int = PixelLimit.defaultMaxPixels

    func validate() throws {
        guard !input.isEmpty else { throw ValidationError("at least one --input folder is needed") }
        try OptionCheck.distinct("--input", input)
        try OptionCheck.require("--scale", scale, in: 2...8)
        try OptionCheck.require("--patch", patch, in: 2...4096)
        try OptionCheck.require("--stride", stride, in: 1...4096)
        try OptionCheck.require("--threads", threads, in: 1...256)
        try OptionCheck.require("--max-pixels", maxPixels, in: 0...Int.max)
    }

    func run() throws {
        if Communicator.world.size > 1 && !Self.buildingRankShard { return try buildOnRanks(Communicator.world) }
        // Building cannot stop between images, so the handler itself removes the temporary file
        // and exits 130: the output is only ever renamed into place whole.
        Interrupt.install(.immediate, tool: "srprep")
        Interrupt.removeOnSignal(PatchSetBuilder.temporaryPath(for: output))
        let start = Clock.monotonic()
        var options = PatchBuildOptions(grid: try PatchGrid(scale: scale, lrPatch: patch, stride: stride),
                                        augmentation: try AugmentationPlan(level: augment.rawValue))
        options.dtype = dtype
        options.downsample = downsample
        options.seed = seed
        options.shardIndex = shard.index - 1
        options.shardCount = shard.count
        options.skipBad = skipBad
        options.overwrite = force
        options.threads = threads ?? max(1, min(256, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        options.maxPixels = maxPixels
        let files = try PatchSetBuilder.listFiles(in: input)
        if let jpeg = files.first(where: { (try? ImageFormat.detect(path: $0)) == .jpeg }) {
            Console.error("srprep: warning: \(jpeg) (and maybe others) is a JPEG: its compression artefacts become "
                          + "part of the training truth (docs/image-formats.md)\n")
        }
        if let webp = files.first(where: { (try? ImageFormat.detect(path: $0)) == .webp
                                          && (try? WebPReader(path: $0, maxPixels: 0))?.lossy == true }) {
            Console.error("srprep: warning: \(webp) (and maybe others) is a lossy WebP: its compression artefacts become "
                          + "part of the training truth (docs/image-formats.md)\n")
        }
        let progressLine = ProgressLine(quiet: quiet, start: start)
        let report = try PatchSetBuilder.build(files: files, output: output, options: options) { progressLine.show($0) }
        progressLine.finish()
        for (file, reason) in report.skippedBad { Console.error("srprep: skipped \(reason.contains(file) ? reason : file + ": " + reason)\n") }
        let i = report.info
        print("wrote \(output): \(i.count) patches \(i.lrPatch)x\(i.lrPatch) -> \(i.hrPatch)x\(i.hrPatch) (x\(i.scale), \(i.dtype.rawValue)) " +
              "from \(i.images) images x \(i.transforms.count) transforms; \(report.skippedSmall.count) smaller than a patch, " +
              "\(report.skippedBad.count) unreadable skipped; \(DecimalFormat.fixed(Clock.monotonic() - start, 1)) s")
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
        Console.error("\rimages \(p.imagesDone)/\(p.imagesTotal)  patches \(p.patchesDone)/\(p.patchesTotal)  elapsed \(DecimalFormat.fixed(elapsed, 1)) s  ETA \(DecimalFormat.fixed(eta, 1)) s ")
        shown = true
    }

    func finish() { if shown { Console.error("\n") } }
}
