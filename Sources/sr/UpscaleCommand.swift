import ArgumentParser
import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// `sr upscale`: super-resolve PNG files or folders with a DCSCN model.
struct UpscaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upscale",
        abstract: "Upscale PNG images (a file or a folder) with a DCSCN model.",
        discussion: """
            Luma goes through the network; colour (Cb/Cr) and alpha are upscaled with the same bicubic
            and the result is rounded and clipped. Gray stays gray, 16-bit stays 16-bit. Large images are
            processed in strips and tiles (halo = receptive field), so the result equals whole-image
            inference while memory stays bounded. Outputs are written to a temporary file and renamed.

            Examples:
              sr upscale photo.png -o photo-x2.png
              sr upscale photos/ -o photos-x2/ --model my-x3.safetensors --ensemble 8
            Without --model, the shipped model for --scale is used (Models/dcscn-x<scale>.safetensors).
            Exit status: 0 if every file succeeded, 1 if any failed.
            """)

    @Argument(help: "Input PNG file or folder of PNGs.")
    var input: String

    @Option(name: .shortAndLong, help: "Output PNG file, or folder (created if missing) for a folder input.")
    var output: String

    @Option(help: "Weights file (srcore HDF5). Default: the shipped model for --scale.")
    var model: String?

    @Option(help: "Scale of the shipped model to use when --model is absent (2, 3 or 4).")
    var scale: Int = 2

    @Option(help: "Self-ensemble passes 1...8 (8 = all flips/rotations averaged; 8x slower, slightly better).")
    var ensemble: Int = 1

    @Option(help: "Tile size in LR pixels (default: from a 256 MiB budget).")
    var tile: Int?

    @Option(help: "Worker threads (default: all CPUs).")
    var threads: Int?

    @Option(help: "Output bit depth, 8 or 16 (default: the input's).")
    var bitDepth: Int?

    @Option(help: "PNG compression level 0...9 (higher: smaller files, slower; 9 is several times slower than 3).")
    var compression: Int = 3

    @Flag(help: "Skip inputs whose output already exists.")
    var skipExisting = false

    @Flag(help: "Overwrite existing outputs.")
    var force = false

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        if !(1...8).contains(ensemble) { throw ValidationError("--ensemble must be in 1...8, got \(ensemble)") }
        if let t = tile, t < 1 { throw ValidationError("--tile must be positive, got \(t)") }
        if let t = threads, !(1...256).contains(t) { throw ValidationError("--threads must be in 1...256, got \(t)") }
        if let b = bitDepth, b != 8 && b != 16 { throw ValidationError("--bit-depth must be 8 or 16, got \(b)") }
        if model == nil && ![2, 3, 4].contains(scale) { throw ValidationError("--scale must be 2, 3 or 4, got \(scale)") }
        if !(0...9).contains(compression) { throw ValidationError("--compression must be in 0...9, got \(compression)") }
        if skipExisting && force { throw ValidationError("--skip-existing and --force exclude each other") }
    }

    func run() throws {
        let modelPath = try model ?? ShippedModel.path(scale: scale)
        let network = try DCSCN(parameters: WeightsFile.read(path: modelPath))
        let options = UpscaleOptions(ensemble: ensemble, tileSize: tile,
                                     threads: threads ?? max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let upscaler = ColorUpscaler(upscaler: Upscaler(network: network), options: options)
        let plan = try UpscaleJobs(input: input, output: output, skipExisting: skipExisting, force: force)
        if let folder = plan.folderToCreate { try FileSystem.makeDirectory(folder) }
        let jobs = plan.jobs
        let progress = ProgressLine(total: jobs.count, enabled: !quiet)
        var failed = 0, skipped = 0
        for (i, job) in jobs.enumerated() {
            if job.skip {
                skipped += 1
                progress.update(current: i + 1, progress: Double(i + 1), name: job.input)
                continue
            }
            progress.update(current: i + 1, progress: Double(i), name: job.input)
            do {
                try upscaler.upscaleFile(input: job.input, output: job.output, bitDepth: bitDepth,
                                           compressionLevel: compression) { done, total in
                    progress.update(current: i + 1, progress: Double(i) + Double(done) / Double(total), name: job.input)
                    return true
                }
            } catch {
                failed += 1
                progress.clear()
                fputs("error: \(error)\n", stderr)
            }
        }
        progress.finish()
        if jobs.count > 1 || failed > 0 || skipped > 0 {
            fputs("\(jobs.count - failed - skipped) upscaled, \(skipped) skipped, \(failed) failed\n", stderr)
        }
        if failed > 0 { throw ExitCode(1) }
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
    let start = ProgressLine.now()
    var lastDraw = -1.0e9
    var width = 0

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func format(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(t % 3600 / 60)m" : t >= 60 ? "\(t / 60)m\(t % 60)s" : "\(t)s"
    }

    /// Shows file `current` (1-based) of `total`, with `progress` files' worth of work done.
    func update(current: Int, progress: Double, name: String) {
        guard enabled else { return }
        let t = ProgressLine.now()
        if t - lastDraw < 0.25 && progress < Double(total) { return }
        lastDraw = t
        let elapsed = t - start
        let eta = progress > 0 ? elapsed / progress * (Double(total) - progress) : 0
        let base = name.split(separator: "/").last.map(String.init) ?? name
        let line = "\(current)/\(total) \(base)  elapsed \(ProgressLine.format(elapsed))"
            + (progress > 0 ? "  ETA \(ProgressLine.format(eta))" : "")
        let pad = max(0, width - line.count)
        fputs("\r" + line + String(repeating: " ", count: pad), stderr)
        width = line.count
    }

    func clear() {
        guard enabled, width > 0 else { return }
        fputs("\r" + String(repeating: " ", count: width) + "\r", stderr)
        width = 0
    }

    func finish() {
        guard enabled, width > 0 else { return }
        fputs("\n", stderr)
        width = 0
    }
}
