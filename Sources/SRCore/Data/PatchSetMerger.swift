#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRFormats

/// `srprep merge`: joins shards of one build into one patch set with HDF5 virtual datasets (no copy).
///
/// The shards must come from the same build settings and the same sorted input list (`/sources`
/// identical, so `/origin`'s source indices stay valid), with distinct `K` of the same `N`.
/// Rows are interleaved (row `j*S + s` is row `j` of shard `s` for the first `min count` rows of
/// every shard, then the remainders one after another), so a minibatch slice of the merged set
/// mixes patches of all shards. The merged file refers to the shard files by name: keep them beside
/// it (same folder: stored by file name; elsewhere: by absolute path).
public enum PatchSetMerger {
    /// Merges `inputs` into `output`; returns the merged attributes.
    public static func merge(inputs: [String], output: String, overwrite: Bool = false) throws -> PatchSetInfo {
        guard inputs.count >= 1 else { throw SRError(.invalidArgument, "merge needs at least one shard") }
        let target = try AtomicFile(path: output, overwrite: overwrite, unique: false)
        var infos: [PatchSetInfo] = []
        var sources: [String] = []
        for (k, path) in inputs.enumerated() {
            let r = try PatchSetReader(path: path)
            let s = try r.sources()
            if k == 0 { sources = s } else {
                try compatible(infos[0], inputs[0], r.info, path)
                guard s == sources else {
                    throw SRError(.format, "\(path): built from a different file list than \(inputs[0]) (/sources differ); merge joins the shards of one build (the same input folders, shards K of one N)")
                }
            }
            infos.append(r.info)
        }
        let shardNames = infos.map { $0.shard }
        if let dup = shardNames.first(where: { n in shardNames.filter { $0 == n }.count > 1 }), dup != "merged" {
            throw SRError(.format, "shard \(dup) is given twice")
        }
        var merged = infos[0]
        merged.count = infos.reduce(0) { $0 + $1.count }
        merged.images = infos.reduce(0) { $0 + $1.images }
        merged.skippedSmall = infos.reduce(0) { $0 + $1.skippedSmall }
        merged.skippedBad = infos.flatMap { $0.skippedBad }
        merged.shard = "merged " + shardNames.joined(separator: "+")
        // Built in memory and written in one checked write (HDF5File.write(into:)).
        try HDF5File.write(into: target) { file in
            try merged.write(to: file)
            try file.setAttribute("merged_from", inputs.map { sourceName($0, relativeTo: output) })
            try file.write("/sources", strings: sources)
            let names = inputs.map { sourceName($0, relativeTo: output) }
            let counts = infos.map { $0.count }
            let type: HDF5ElementType = merged.dtype == .float32 ? .float32 : .uint8
            try file.createVirtual("/lr", type: type, rowShape: [1, merged.lrPatch, merged.lrPatch], sources: names, counts: counts)
            try file.createVirtual("/hr", type: type, rowShape: [1, merged.hrPatch, merged.hrPatch], sources: names, counts: counts)
            try file.createVirtual("/origin", type: .int32, rowShape: [4], sources: names, counts: counts)
        }
        return merged
    }

    private static func compatible(_ a: PatchSetInfo, _ pa: String, _ b: PatchSetInfo, _ pb: String) throws {
        let fields: [(String, String, String)] = [
            ("scale", "\(a.scale)", "\(b.scale)"), ("lr_patch", "\(a.lrPatch)", "\(b.lrPatch)"),
            ("stride", "\(a.stride)", "\(b.stride)"), ("augment", "\(a.transforms)", "\(b.transforms)"),
            ("dtype", a.dtype.rawValue, b.dtype.rawValue), ("downsample", a.downsample.rawValue, b.downsample.rawValue),
            ("seed", "\(a.seed)", "\(b.seed)"),
            ("shard count", String(a.shard.split(separator: "/").last ?? ""), String(b.shard.split(separator: "/").last ?? "")),
        ]
        for (name, x, y) in fields where x != y {
            throw SRError(.format, "\(pb): \(name) is \(y) but \(pa) has \(x); shards must share every build setting")
        }
    }

    /// How the merged file names a shard: its file name when in the same folder, else an absolute path.
    static func sourceName(_ path: String, relativeTo output: String) -> String {
        func dir(_ p: String) -> String { p.lastIndex(of: "/").map { String(p[..<$0]) } ?? "." }
        if dir(path) == dir(output) { return String(path.split(separator: "/").last ?? "") }
        guard let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }
}
