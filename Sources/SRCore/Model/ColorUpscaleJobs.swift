#if canImport(Glibc)
import Glibc
#endif

/// Plans the files of an `sr upscale IN -o OUT` run: IN and OUT are files or folders.
public enum ColorUpscaleJobs {
    /// One input/output pair.
    public struct Job: Equatable, Sendable {
        /// Input PNG path.
        public var input: String
        /// Output PNG path.
        public var output: String
        /// True when the output exists and `skipExisting` was asked for.
        public var skip: Bool
    }

    /// Lists the jobs.
    ///
    /// - A file IN writes OUT, or `OUT/<name>` when OUT is an existing folder (or ends with "/").
    /// - A folder IN upscales every `*.png` in it (not recursive), in sorted byte order, into the
    ///   folder OUT (created if missing), keeping file names.
    /// - An existing output is an error unless `force` (overwrite) or `skipExisting` (job marked `skip`).
    public static func plan(input: String, output: String, skipExisting: Bool, force: Bool) throws -> [Job] {
        var jobs: [Job] = []
        if isDirectory(input) {
            if exists(output) && !isDirectory(output) {
                throw SRError(.invalidArgument, "\(output): the input is a folder, so the output must be a folder")
            }
            if !exists(output) && mkdir(output, 0o755) != 0 {
                throw SRError(.io, "\(output): cannot create folder: \(String(cString: strerror(errno)))")
            }
            let names = try listPNGs(input)
            if names.isEmpty { throw SRError(.invalidArgument, "\(input): no .png files in this folder") }
            jobs = names.map { Job(input: join(input, $0), output: join(output, $0), skip: false) }
        } else {
            guard exists(input) else { throw SRError(.io, "\(input): no such file or folder") }
            let out = isDirectory(output) || output.hasSuffix("/") ? join(output, baseName(input)) : output
            jobs = [Job(input: input, output: out, skip: false)]
        }
        for i in jobs.indices where exists(jobs[i].output) {
            if jobs[i].input == jobs[i].output || realPath(jobs[i].input) == realPath(jobs[i].output) {
                throw SRError(.invalidArgument, "\(jobs[i].output): output would overwrite its own input")
            }
            if skipExisting { jobs[i].skip = true } else if !force {
                throw SRError(.invalidArgument, "\(jobs[i].output): exists (use --force to overwrite or --skip-existing)")
            }
        }
        return jobs
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
    }

    /// `*.png` (any case) regular files of a folder, sorted by byte order.
    static func listPNGs(_ dir: String) throws -> [String] {
        guard let d = opendir(dir) else {
            throw SRError(.io, "\(dir): cannot open folder: \(String(cString: strerror(errno)))")
        }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name.hasPrefix(".") || !name.lowercased().hasSuffix(".png") { continue }
            if isDirectory(join(dir, name)) { continue }
            names.append(name)
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}
