/// Plans the files of an `sr upscale IN -o OUT` run: IN and OUT are files or folders.
///
/// Planning only reads the file system; creating the output folder is left to the caller (and
/// only worth doing when there is something to write).
public struct UpscaleJobs: Equatable, Sendable {
    /// One input/output pair.
    public struct Job: Equatable, Sendable {
        /// Input image path.
        public var input: String
        /// Output image path.
        public var output: String
        /// True when the output exists and `skipExisting` was asked for.
        public var skip: Bool

        /// Creates a job.
        public init(input: String, output: String, skip: Bool) {
            self.input = input; self.output = output; self.skip = skip
        }
    }

    /// The jobs, in order.
    public var jobs: [Job]
    /// The output folder that must be created before the jobs run, if it does not exist yet.
    public var folderToCreate: String?

    /// Lists the jobs.
    ///
    /// - A file IN writes OUT, or `OUT/<name>` when OUT is an existing folder (or ends with "/").
    /// - A folder IN upscales every file with one of `suffixes` in it (not recursive), in sorted
    ///   byte order, into the folder OUT (to be created if missing: `folderToCreate`), keeping names.
    /// - An existing output is an error (`.alreadyExists`) unless `force` (overwrite) or
    ///   `skipExisting` (job marked `skip`).
    /// - `outputExtension` (e.g. "jpg"), when given, replaces the extension of names made here
    ///   (folder inputs and `OUT/<name>`).
    public init(input: String, output: String, skipExisting: Bool, force: Bool,
                suffixes: [String] = [".png"], outputExtension: String? = nil) throws {
        jobs = []
        folderToCreate = nil
        if FileSystem.isDirectory(input) {
            if FileSystem.exists(output) && !FileSystem.isDirectory(output) {
                throw SRError(.invalidArgument, "the input is a folder, so the output must be a folder", path: output)
            }
            let names = try FileSystem.listFiles(input, suffixes: suffixes)
            if names.isEmpty {
                throw SRError(.invalidArgument, "no \(suffixes.joined(separator: "/")) files in this folder", path: input)
            }
            if !FileSystem.exists(output) { folderToCreate = output }
            jobs = names.map {
                Job(input: FileSystem.join(input, $0), output: FileSystem.join(output, renamed($0, outputExtension)),
                    skip: false)
            }
        } else {
            guard FileSystem.exists(input) else { throw SRError(.io, "no such file or folder", path: input) }
            let out = FileSystem.isDirectory(output) || output.hasSuffix("/")
                ? FileSystem.join(output, renamed(FileSystem.baseName(input), outputExtension)) : output
            jobs = [Job(input: input, output: out, skip: false)]
        }
        for i in jobs.indices where FileSystem.exists(jobs[i].output) {
            if jobs[i].input == jobs[i].output
                || FileSystem.realPath(jobs[i].input) == FileSystem.realPath(jobs[i].output) {
                throw SRError(.invalidArgument, "output would overwrite its own input", path: jobs[i].output)
            }
            if skipExisting { jobs[i].skip = true } else if !force {
                throw SRError(.alreadyExists, "exists", path: jobs[i].output)
            }
        }
    }
}

/// `name` with its extension replaced by `ext` (nil: unchanged).
private func renamed(_ name: String, _ ext: String?) -> String {
    guard let ext else { return name }
    let stem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
    return stem + "." + ext
}
