import ArgumentParser
import SRCLI
import SRCore

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join shards (srprep build --shard K/N) into one patch set with HDF5 virtual datasets (no copy).",
        discussion: """
        The shards must share every build setting and the input list. The merged file refers to the \
        shard files (by name when they are in its folder, else by absolute path): keep them. \
        It is written as .NAME.tmp-PID and renamed; Ctrl-C removes the temporary file (exit 130).

        Example: srprep merge s1.h5 s2.h5 -o all.h5
        """)

    @Argument(help: "Shard files (each once).") var shards: [String] = []
    @Option(name: [.short, .long], help: "The merged patch set to write.") var output: String
    @Flag(help: "Replace an existing output file.") var force = false

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("no shard files given") }
        try OptionCheck.distinct("the shard list", shards)
        if shards.contains(where: { OptionCheck.sameFile($0, output) }) {
            throw ValidationError("--output \(output) is one of the shards; the merged file must be a new file")
        }
    }

    func run() throws {
        Interrupt.install(.immediate, tool: "srprep")
        Interrupt.removeOnSignal(PatchSetBuilder.temporaryPath(for: output))
        let info = try PatchSetMerger.merge(inputs: shards, output: output, overwrite: force)
        print("wrote \(output): \(info.count) patches from \(shards.count) shards (virtual datasets)")
    }
}
