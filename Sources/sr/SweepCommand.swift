#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SRCLI
import SRCore

/// `sr sweep` (docs/lab.md): every config × seed of a plan as a child `sr train` in its own run folder;
/// a run with a `done` marker is never redone, an unfinished one resumes from its checkpoint.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train every combination of knob values with N seeds; write results.csv, summary.md, sweep.svg.",
        discussion: "Example: sr sweep --out sw --vary lr=0.002,0.001 --seeds 3 --steps 500 -- --data p.h5 --val val/")

    @Option(help: "Sweep folder (created; one run folder per config and seed, plus the reports).") var out: String
    @Option(help: "A varied train flag: NAME=V1,V2,... (repeatable; first value is the baseline; on/off for bare flags).")
    var vary: [String] = []
    @Option(parsing: .unconditional, help: "Seeds per config (1...N), 1...1000.") var seeds: Int = 3
    @Option(parsing: .unconditional, help: "Training steps of every run.") var steps: Int?
    @Option(help: "JSON plan file {seeds, steps, vary, train} instead of --vary/--seeds/--steps and the base args.") var plan: String?
    @Option(parsing: .unconditional, help: "Runs at a time, 1...64.") var jobs: Int = 1
    @Option(help: "grid: every combination of the values; one-at-a-time: the baseline, then each other value of each knob alone.")
    var design: SweepDesignChoice = .grid
    @Argument(parsing: .postTerminator, help: "Base `sr train` arguments (after --).") var train: [String] = []

    func validate() throws {
        try OptionCheck.require("--jobs", jobs, in: 1...64)
        if plan != nil && (!vary.isEmpty || steps != nil || !train.isEmpty || design != .grid) {
            throw ValidationError("--plan replaces --vary, --steps, --design and the base train arguments")
        }
        if plan == nil && steps == nil { throw ValidationError("give --steps (or a --plan file)") }
    }

    func makePlan() throws -> SweepPlan {
        if let plan {
            guard let f = fopen(plan, "r") else { throw SRError(.io, "cannot open the sweep plan", path: plan, errno: errno) }
            defer { fclose(f) }
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = fread(&buf, 1, buf.count, f)
                if n <= 0 { break }
                bytes += buf[0..<n]
                if bytes.count > 1 << 20 { throw SRError(.format, "sweep plan over 1 MiB", path: plan) }
            }
            return try SweepPlan.parseJSON(String(decoding: bytes, as: UTF8.self), path: plan)
        }
        var p = try SweepPlan(knobs: try vary.map(SweepPlan.parseVary), seeds: seeds, steps: steps ?? 1, baseArgs: train)
        p.design = design.design
        return p
    }

    /// Every config × seed of the plan, in the plan's order.
    func allRuns(_ plan: SweepPlan) -> [SweepRun] {
        plan.configs.flatMap { c in (1...plan.seeds).map { s in SweepRun(config: c, seed: s, dir: "\(out)/\(c.folder)/seed-\(s)") } }
    }

    /// Trains `runs` as child `sr train` processes, `jobs` at a time, with `environment` (nil: this
    /// process's); returns how many failed. A run that cannot start counts as failed, so that the
    /// caller always gets here (under mpirun the ranks then meet at a collective).
    func train(_ runs: [SweepRun], plan: SweepPlan, environment: [String]? = nil, rank: Int? = nil) -> Int {
        let exe = SweepCommand.selfPath()
        let on = rank.map { " on rank \($0)" } ?? ""
        var running: [pid_t: SweepRun] = [:]
        var failures = 0
        var next = 0
        while next < runs.count || !running.isEmpty {
            while running.count < jobs && next < runs.count {
                let job = runs[next]; next += 1
                var args = plan.trainArgs(job.config, seed: job.seed, runDir: job.dir)
                if access(job.dir + "/checkpoint.h5", F_OK) == 0 { args.append("--resume") }
                print("sweep: start \(job.config.name) seed \(job.seed)\(on): sr train \(args.joined(separator: " "))")
                Console.flushOutput()
                do {
                    try FileSystem.makeDirectories(job.dir)
                    let pid = try SweepCommand.spawn(exe, ["train"] + args, log: job.dir + "/train.log", environment: environment)
                    running[pid] = job
                } catch {
                    failures += 1
                    Console.error("sweep: \(job.config.name) seed \(job.seed) failed: \(error)\n")
                }
            }
            if running.isEmpty { continue }
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid < 0 { if errno == EINTR { continue }; failures += running.count; break }
            guard let job = running.removeValue(forKey: pid) else { continue }
            let exited = (status & 0x7f) == 0, code = (status >> 8) & 0xff
            if exited && code == 0 && access(job.dir + "/model.safetensors", F_OK) == 0,
               (try? AtomicFile.write(job.dir + "/done", text: "ok\n")) != nil {
                print("sweep: done \(job.config.name) seed \(job.seed)")
            } else {
                failures += 1
                Console.error("sweep: \(job.config.name) seed \(job.seed) failed (status \(status)); see \(job.dir)/train.log\n")
            }
        }
        Console.flushOutput()
        return failures
    }

    /// results.csv, summary.md and sweep.svg from every finished run folder.
    func writeReports(plan: SweepPlan, configs: [SweepConfig]) throws {
        var rows: [SweepResult] = []
        var curves: [(config: String, points: [(step: Int, psnr: Double)])] = []
        for c in configs {
            for s in 1...plan.seeds {
                let dir = "\(out)/\(c.folder)/seed-\(s)"
                guard access(dir + "/done", F_OK) == 0 else { continue }
                let model = try WeightsFile.read(path: dir + "/model.safetensors")
                if let r = SweepResult.read(runDir: dir, config: c.name, seed: s, parameters: model.config.parameterCount,
                                            macsPerPixel: model.config.macsPerLRPixel) { rows.append(r) }
                curves.append((c.name, SweepResult.curve(runDir: dir)))
            }
        }
        let names = configs.map(\.name)
        try AtomicFile.write(out + "/results.csv", text: SweepReport.csv(rows))
        try AtomicFile.write(out + "/summary.md", text: SweepReport.markdown(rows, configs: names))
        let stats = SweepReport.statistics(rows, configs: names).map { ($0.config, $0.psnr) }
        try AtomicFile.write(out + "/sweep.svg", text: SweepPlot.svg(stats: stats, curves: curves))
        print("sweep: \(rows.count) runs in \(out)/results.csv, summary.md, sweep.svg")
    }

    static func selfPath() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        return n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }

    /// Starts `exe args` with stdout and stderr appended to `log`, in `environment` (nil: this process's).
    static func spawn(_ exe: String, _ args: [String], log: String, environment: [String]? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([exe] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup($0) } + [nil] }
        defer { envp?.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = envp.map { posix_spawn(&pid, exe, &actions, nil, argv, $0) } ?? posix_spawn(&pid, exe, &actions, nil, argv, environ)
        guard rc == 0 else { throw SRError(.io, "cannot start sr train", path: exe, errno: rc) }
        return pid
    }
}

/// One run of a sweep: a config, a seed and its run folder.
struct SweepRun {
    let config: SweepConfig
    let seed: Int
    let dir: String
}
