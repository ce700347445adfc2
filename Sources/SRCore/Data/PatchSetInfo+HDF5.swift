import SRSupport
import SRImage
import SRFormats
extension PatchSetInfo {
    /// Writes every attribute on the root group of `file`.
    func write(to file: HDF5File) throws {
        try file.setAttribute("format", PatchSetInfo.format)
        try file.setAttribute("format_version", PatchSetInfo.formatVersion)
        try file.setAttribute("tool_version", toolVersion)
        try file.setAttribute("count", count)
        try file.setAttribute("scale", scale)
        try file.setAttribute("lr_patch", lrPatch)
        try file.setAttribute("hr_patch", hrPatch)
        try file.setAttribute("stride", stride)
        try file.setAttribute("augment", augment)
        try file.setAttribute("transforms", transforms)
        try file.setAttribute("color", PatchSetInfo.color)
        try file.setAttribute("color_rule", PatchSetInfo.colorRule)
        try file.setAttribute("dtype", dtype.rawValue)
        try file.setAttribute("normalize", PatchSetInfo.normalize)
        try file.setAttribute("normalize_rule", PatchSetInfo.normalizeRule(dtype))
        try file.setAttribute("downsample", downsample.rawValue)
        try file.setAttribute("downsample_rule", PatchSetInfo.downsampleRule(downsample))
        try file.setAttribute("seed", seed)
        try file.setAttribute("shard", shard)
        try file.setAttribute("images", images)
        try file.setAttribute("skipped_small", skippedSmall)
        try file.setAttribute("skipped_bad", skippedBad.count)
        if !skippedBad.isEmpty { try file.setAttribute("skipped_bad_files", skippedBad) }
        try file.setAttribute("layout", "contiguous, uncompressed, rows in shuffled order")
        try file.setAttribute("origin_columns", ["source", "transform", "lr_y", "lr_x"])
    }

    /// Reads and validates the attributes of a patch set; refuses other files with a clear message.
    static func read(from file: HDF5File) throws -> PatchSetInfo {
        let p = file.path
        let format: String?
        do { format = try file.stringAttribute("format") } catch {
            throw SRError(.format, "not a patch set (its root attribute format is not a string)", path: p)
        }
        guard format == PatchSetInfo.format else {
            let found = format.map { "\"\($0)\"" } ?? "missing"
            throw SRError(.format, "\(p): not a patch set (root attribute format is \(found), expected \"\(PatchSetInfo.format)\")")
        }
        let version = try file.stringAttribute("format_version") ?? "?"
        guard version.split(separator: ".").first == "1" else {
            throw SRError(.unsupported, "\(p): patch set format_version \(version) is not supported (this srcore reads 1.x)")
        }
        func int(_ n: String) throws -> Int {
            guard let v = try file.intAttribute(n) else { throw SRError(.format, "\(p): missing attribute \(n)") }
            return v
        }
        func str(_ n: String) throws -> String {
            guard let v = try file.stringAttribute(n) else { throw SRError(.format, "\(p): missing attribute \(n)") }
            return v
        }
        let dtypeName = try str("dtype")
        guard let dtype = PatchDType(rawValue: dtypeName) else {
            throw SRError(.unsupported, "\(p): unknown dtype \"\(dtypeName)\" (float32 or uint8)")
        }
        let ds = try str("downsample")
        let info = PatchSetInfo(
            count: try int("count"), scale: try int("scale"), lrPatch: try int("lr_patch"), hrPatch: try int("hr_patch"),
            stride: try int("stride"), augment: try int("augment"),
            transforms: try file.intArrayAttribute("transforms") ?? [],
            dtype: dtype, downsample: DownsampleMethod(rawValue: ds) ?? .pillow, seed: try int("seed"),
            shard: (try file.stringAttribute("shard")) ?? "1/1", images: (try file.intAttribute("images")) ?? 0,
            skippedSmall: (try file.intAttribute("skipped_small")) ?? 0,
            skippedBad: (try file.stringArrayAttribute("skipped_bad_files")) ?? [],
            toolVersion: (try file.stringAttribute("tool_version")) ?? "?")
        guard info.scale >= 1, info.lrPatch >= 1, info.hrPatch == info.scale * info.lrPatch, info.count >= 0 else {
            throw SRError(.format, "\(p): inconsistent attributes (scale \(info.scale), lr_patch \(info.lrPatch), hr_patch \(info.hrPatch))")
        }
        let lrShape = try file.shape(of: "/lr"), hrShape = try file.shape(of: "/hr"), oShape = try file.shape(of: "/origin")
        guard lrShape == [info.count, 1, info.lrPatch, info.lrPatch] else {
            throw SRError(.shapeMismatch, "\(p): /lr has shape \(lrShape), expected \([info.count, 1, info.lrPatch, info.lrPatch])")
        }
        guard hrShape == [info.count, 1, info.hrPatch, info.hrPatch] else {
            throw SRError(.shapeMismatch, "\(p): /hr has shape \(hrShape), expected \([info.count, 1, info.hrPatch, info.hrPatch])")
        }
        guard oShape == [info.count, 4] else {
            throw SRError(.shapeMismatch, "\(p): /origin has shape \(oShape), expected \([info.count, 4])")
        }
        try checkTypes(file, dtype: dtype)
        try checkShards(file)
        return info
    }

    /// The stored HDF5 types must be what the `dtype` attribute says (a reader converts whatever
    /// is stored, so a mismatch would silently scale uint8 values as floats or the reverse).
    private static func checkTypes(_ file: HDF5File, dtype: PatchDType) throws {
        let expected: HDF5ElementType = dtype == .float32 ? .float32 : .uint8
        for ds in ["/lr", "/hr"] {
            let t = try file.elementType(of: ds)
            guard t == expected else {
                throw SRError(.format, "the dtype attribute says \(dtype.rawValue) but \(ds) is stored as \(t)", path: file.path)
            }
        }
        let o = try file.elementType(of: "/origin")
        guard o == .int32 else { throw SRError(.format, "/origin is stored as \(o), expected int32", path: file.path) }
    }

    /// A merged set's shard files must exist: HDF5 reads a missing source of a virtual dataset as
    /// zeros. Resolved as libhdf5 does: absolute names as they are, others beside the merged file,
    /// then relative to the working folder (HDF5_VDS_PREFIX is not consulted).
    private static func checkShards(_ file: HDF5File) throws {
        var seen: Set<String> = []
        for ds in ["/lr", "/hr", "/origin"] {
            for name in try file.virtualSources(of: ds) where name != "." && seen.insert(name).inserted {
                let beside = name.hasPrefix("/") ? name : FileSystem.join(FileSystem.directoryName(file.path), name)
                guard FileSystem.isRegularFile(beside) || (!name.hasPrefix("/") && FileSystem.isRegularFile(name)) else {
                    throw SRError(.io, "shard \(name) of this merged patch set is missing (looked for \(beside)); keep the shard files beside the merged file", path: file.path)
                }
            }
        }
    }
}
