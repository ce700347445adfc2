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

            Without --model, the shipped model for --scale is used (Models/dcscn-x<scale>.safetensors). \
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

    @Option(help: "Weights file (srcore HDF5). Default: the shipped model for --scale.")
    var model: String?

    @Option(help: "Scale of the shipped model to use when --model is absent.")
    var scale: ShippedScale = .x2

    @Option(parsing: .unconditional, help: "Self-ensemble passes 1...8 (8 = all flips/rotations averaged; 8x slower, slightly better).")
    var ensemble: Int = 1

    @Option(parsing: .unconditional, help: "Tile size in LR pixels, 1...65536 (default: from a 256 MiB budget).")
    var tile: Int?

    @Option(parsing: .unconditional, help: "Worker threads, 1...256 (default: all CPUs).")
    var threads: Int?

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
        try OptionCheck.require("--compression", compression, in: 0...9)
        try OptionCheck.require("--quality", quality, in: 1...100)
        try OptionCheck.require("--max-pixels", maxPixels, in: 0...Int.max)
        if skipExisting && force { throw ValidationError("--skip-existing and --force exclude each other") }
    }

    func run() throws {
        // Ctrl-C sets a flag: the strip loop stops, the writer removes its temporary file.
        Interrupt.install(.deferred, tool: "sr")
        let modelPath = try model ?? ShippedModel.path(scale: scale.rawValue)
        let network = try DCSCN(parameters: WeightsFile.read(path: modelPath))
        let cpus = max(1, min(256, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let options = UpscaleOptions(ensemble: ensemble, tileSize: tile, threads: threads ?? cpus)
        let upscaler = ColorUpscaler(upscaler: Upscaler(network: network), options: options, maxPixels: maxPixels)
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
        let progress = ProgressLine(total: jobs.count, enabled: !quiet && world.rank == 0)
        var written = 0, skipped = 0
        var failures: [ExitStatus] = []
        for (i, job) in jobs.enumerated() {
            if Interrupt.requested { break }
            if job.skip {
                skipped += 1
                progress.update(current: i + 1, progress: Double(i + 1), name: job.input)
                continue
            }
            progress.update(current: i + 1, progress: Double(i), name: job.input)
            do {
                try upscaler.upscaleFile(input: job.input, output: job.output, format: format?.imageFormat,
                                         bitDepth: bitDepth?.rawValue, compressionLevel: compression,
                                         quality: quality, lossless: lossless, stripMetadata: stripMetadata,
                                         warn: { progress.clear(); Console.error("sr: warning: \($0)\n") }) { done, total in
                    progress.update(current: i + 1, progress: Double(i) + Double(done) / Double(total), name: job.input)
                    return !Interrupt.requested
                }
                written += 1
            } catch let e as SRError where e.code == .cancelled && Interrupt.requested {
                break // the writer has removed its temporary file; job.output is untouched
            } catch {
                failures.append((error as? SRError).map { ExitStatus($0.code) } ?? .failure)
                progress.clear()
                Console.error("sr: error: \(error)\n")
            }
        }
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

/// Finds the models shipped in the package's Models/ folder.
enum ShippedModel {
    static func path(scale: Int) throws -> String {
        let name = "dcscn-x\(scale).safetensors"
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

/// One progress line on stderr: "N/M  name  elapsed  ETA".
final class ProgressLine {
    let total: Int
    let enabled: Bool
    let start = Clock.monotonic()
    var lastDraw = -1.0e9
    var width = 0

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }


    /// Shows file `current` (1-based) of `total`, with `progress` files' worth of work done.
    func update(current: Int, progress: Double, name: String) {
        guard enabled else { return }
        let t = Clock.monotonic()
        if t - lastDraw < 0.25 && progress < Double(total) { return }
        lastDraw = t
        let elapsed = t - start
        let eta = progress > 0 ? elapsed / progress * (Double(total) - progress) : 0
        let base = name.split(separator: "/").last.map(String.init) ?? name
        let line = "\(current)/\(total) \(base)  elapsed \(DecimalFormat.duration(elapsed))"
            + (progress > 0 ? "  ETA \(DecimalFormat.duration(eta))" : "")
        let pad = max(0, width - line.count)
        Console.error("\r" + line + String(repeating: " ", count: pad))
        width = line.count
    }

    func clear() {
        guard enabled, width > 0 else { return }
        Console.error("\r" + String(repeating: " ", count: width) + "\r")
        width = 0
    }

    func finish() {
        guard enabled, width > 0 else { return }
        Console.error("\n")
        width = 0
    }
}
