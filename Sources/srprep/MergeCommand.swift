import ArgumentParser
import SRCore

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join shards (srprep build --shard K/N) into one patch set with HDF5 virtual datasets (no copy).",
        discussion: """
        The shards must share every build setting and the input list. The merged file refers to the \
        shard files (by name when they are in its folder, else by absolute path): keep them.

        Example: srprep merge s1.h5 s2.h5 -o all.h5
        """)

    @Argument(help: "Shard files.") var shards: [String]
    @Option(name: [.short, .long], help: "The merged patch set to write.") var output: String
    @Flag(help: "Replace an existing output file.") var force = false

    func run() throws {
        do {
            let info = try PatchSetMerger.merge(inputs: shards, output: output, overwrite: force)
            print("wrote \(output): \(info.count) patches from \(shards.count) shards (virtual datasets)")
        } catch {
            throw cliError(error)
        }
    }
}
