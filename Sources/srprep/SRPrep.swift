import ArgumentParser
import SRCLI
import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// `srprep`: image folders to augmented, normalised, shuffled HDF5 patch sets.
@main
struct SRPrep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "srprep",
        abstract: "Prepare DCSCN training data: PNG folders to HDF5 patch sets.",
        discussion: ExitStatus.helpText + """


            Ctrl-C removes the temporary file of a build or merge (.NAME.tmp-PID beside the output) \
            and leaves the output as it was.
            """,
        subcommands: [BuildCommand.self, InspectCommand.self, MergeCommand.self]
    )

    /// Errors print as "srprep: error: ..." and exit with the status of their code (ExitStatus).
    static func main() {
        CommandLineTool.main(SRPrep.self, tool: "srprep")
    }
}
