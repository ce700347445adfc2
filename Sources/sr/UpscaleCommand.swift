import ArgumentParser
import SRCLI
import SRCore
import SRMPI
#if canImport(Glibc)
import Glibc
#endif

/// `sr upscale`: super-resolve PNG files or folders with a DCSCN model.
struct UpscaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upscale",
        abstract: "Upscale PNG and JPEG images (a file or a folder) with a DCSCN model.",
        discussion: """
            Luma goes through the network; colour (Cb/Cr) and alpha are upscaled with the same bicubic \
            and the result is rounded and clipped. Gray stays gray, 16-bit stays 16-bit. Large images are \
            processed in strips and tiles (halo = receptive field), so the result equals whole-image \
            inference while memory stays bounded. Outputs are written to a temporary file and renamed.

            Examples:
              sr upscale photo.png -o photo-x2.png
              sr upscale photos/ -o photos-x2/ --model my-x3.safetensors --ensemble 8

            Without --model, the shipped compact model for --scale is used (Models/dcscn-x<scale>.safetensors); \
            --model best uses the mid-size one (Models/dcscn-best-x<scale>.safetensors; x2 in this release). \
            An output folder is only created when there is a file to write, and removed again when \
            no file could be written.

            Exit status: 0 if every file succeeded; if any failed, the status of their errors when \
            they agree (65 bad PNG, 74 I/O ...), else 1; 130 on Ctrl-C (the file being written is \
            removed, the ones already finished stay).
            """)

    @Argument(help: "Input image (PNG or JPEG, recognised by its bytes) or folder of them.")
    var input: String

    @Option(name: .shortAndLong, help: "Output image file, or folder (created if missing) for a folder input.")
    var output: String

    @Option(help: "Weights file (safetensors or legacy HDF5), or a shipped model: compact (the default) or best (the mid-size model, x2). ./best names a file called best.")
    var model: String?

    @Option(help: "Scale of the shipped model to use when --model is absent.")
    var scale: ShippedScale = .x2

    @Option(parsing: .unconditional, help: "Self-ensemble passes 1...8 (8 = all flips/rotations averaged; 8x slower, slightly better).")
    var ensemble: Int = 1

    @Option(parsing: .unconditional, help: "Tile size in LR pixels, 1...65536 (default: from a 256 MiB budget).")
    var tile: Int?

    @Option(parsing: .unconditional, help: "Worker threads, 1...256 (default: all CPUs).")
    var threads: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Files of a folder upscaled at once, 1...64, sharing --threads (default: 2 when there are 2 or more files and threads).",
        discussion: "While one file is decoded, resized or encoded (single-threaded work) the other keeps the cores busy; each file in flight holds its own scratch, so peak memory grows with it."))
    var jobs: Int?

    @Option(help: "Output bit depth (default: the input's).")
    var bitDepth: OutputBitDepth?

    @Option(parsing: .unconditional, help: "PNG compression level 0...9 (higher: smaller files, slower; 9 is several times slower than 3).")
    var compression: Int = 3

    @Option(help: "Output format png|jpg|webp (default: from the output name's extension, else png).")
    var format: OutputFormatChoice?

    @Option(parsing: .unconditional, help: "JPEG and lossy WebP quality 1...100.")
    var quality: Int = 92

    @Flag(help: "Write lossless WebP (WebP outputs only; --quality then sets the effort).")
    var lossless = false

    @Flag(help: "Write no metadata (EXIF, ICC profile) to the output.")
    var stripMetadata = false

    @Option(parsing: .unconditional, help: "Largest input accepted, in pixels (width x height), checked from the image header; 0 = no limit.")
    var maxPixels: Int = PixelLimit.defaultMaxPixels

    @Flag(help: "Skip inputs whose output already exists.")
    var skipExisting = false

    @Flag(help: "Overwrite existing outputs.")
    var force = false

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        try OptionCheck.require("--ensemble", ensemble, in: 1...8)
        try OptionCheck.require("--tile", tile, in: 1...65536)
        try OptionCheck.require("--threads", threads, in: 1...256)
        try OptionCheck.require("--jobs", jobs, in: 1...64)
        try OptionCheck.require("--compression", compression, in: 0...9)
        try OptionCheck.require("--quality", quality, in: 1...100)
        try OptionCheck.require("--max-pixels", maxPixels, in: 0...Int.max)
        if skipExisting && force { throw ValidationError("--skip-existing and --force exclude each other") }
    }

    func run() throws {
        // Ctrl-C sets a flag: the strip loop stops, the writer removes its temporary file.
        Interrupt.install(.deferred, tool: "sr")
        let modelPath = try ShippedModel.resolve(model, scale: scale.rawValue)
        let parameters = try WeightsFile.read(path: modelPath)
        let plan = try UpscaleJobs(input: input, output: output, skipExisting: skipExisting, force: force,
                                    suffixes: ImageFormat.allSuffixes, outputExtension: format?.rawValue)
        try Interrupt.check("nothing was written")
        // Under mpirun every rank plans the same jobs, rank 0 creates the folder, each rank takes
        // every size-th file (UpscaleCommand+MPI.swift); alone, `world` is one rank.
        let world = Communicator.world
        try world.barrier()
        let createdFolder = plan.folderToCreate
        if let folder = createdFolder, world.rank == 0 { try FileSystem.makeDirectory(folder) }
        try world.barrier()
        let jobs = world.share(plan.jobs)
        let cpus = max(1, min(256, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let totalThreads = threads ?? cpus
        let pending = jobs.filter { !$0.skip }.count
        let inFlight = max(1, min(self.jobs ?? min(2, totalThreads), pending))
        // One network (and so one scratch cache) per file in flight; the threads are shared out.
        let upscalers = try (0..<inFlight).map { k in
            let options = UpscaleOptions(ensemble: ensemble, tileSize: tile,
                                         threads: max(1, totalThreads / inFlight + (k < totalThreads % inFlight ? 1 : 0)))
            return ColorUpscaler(upscaler: Upscaler(network: try DCSCN(parameters: parameters)), options: options,
                                 maxPixels: maxPixels)
        }
        let progress = ProgressLine(total: jobs.count, enabled: !quiet && world.rank == 0)
        let outcome = FileJobs(jobs: jobs, progress: progress).run(workers: upscalers.count) { worker, job, fraction in
            try upscalers[worker].upscaleFile(input: job.input, output: job.output, format: format?.imageFormat,
                                              bitDepth: bitDepth?.rawValue, compressionLevel: compression,
                                              quality: quality, lossless: lossless, stripMetadata: stripMetadata,
                                              warn: { progress.warning($0) }) { done, total in
                fraction(Double(done) / Double(total))
                return !Interrupt.requested
            }
        }
        let written = outcome.written, skipped = outcome.skipped, failures = outcome.failures
        progress.finish()
        let totals = try world.sum([written, skipped, failures.count])
        if totals[0] == 0, world.rank == 0, let folder = createdFolder { rmdir(folder) } // only if still empty
        if Interrupt.requested {
            throw SRError(.cancelled, "interrupted after \(written) of \(jobs.count) files; "
                          + "the unfinished output was removed")
        }
        if world.rank == 0 && (plan.jobs.count > 1 || totals[2] > 0 || totals[1] > 0) {
            Console.error("\(totals[0]) upscaled, \(totals[1]) skipped, \(totals[2]) failed\n")
        }
        if let first = failures.first {
            throw ExitCode(failures.allSatisfy { $0 == first } ? first.rawValue : ExitStatus.failure.rawValue)
        }
    }
}

/// Finds the models shipped in the package's Models/ folder: the compact ones
/// (dcscn-x<scale>.safetensors) and the mid-size "best" ones (dcscn-best-x<scale>.safetensors).
enum ShippedModel {
    /// The names `--model` takes for shipped models (anything else is a file path).
    static let names = ["compact", "best"]

    /// The weights file for a `--model` value: nil or "compact" → the compact model of `scale`,
    /// "best" → the mid-size one, anything else → that path.
    static func resolve(_ model: String?, scale: Int) throws -> String {
        switch model {
        case nil, "compact": return try path(scale: scale)
        case "best": return try path(scale: scale, family: "dcscn-best-x")
        case let file?: return file
        }
    }

    static func path(scale: Int, family: String = "dcscn-x") throws -> String {
        let name = "\(family)\(scale).safetensors"
        var candidates: [String] = []
        if let exe = executableDirectory() {
            // .build/<triple>/<config>/sr, .build/<config>/sr, or an installed bin/ beside share/.
            candidates += [exe + "/Models/", exe + "/../../../Models/", exe + "/../../Models/",
                           exe + "/../share/srcore/models/", exe + "/../Models/"]
        }
        candidates.append("Models/")
        for dir in candidates where access(dir + name, R_OK) == 0 { return dir + name }
        throw SRError(.io, "\(name): shipped model not found (looked beside the executable, in the package's Models/ "
                      + "and ./Models/); pass --model FILE")
    }

    static func executableDirectory() -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let path = String(cString: buf)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }
}
