import ArgumentParser
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
        discussion: """
        Exit codes: 0 success, 64 bad arguments, 65 bad input data (corrupt, truncated or \
        non-PNG file, not a patch set, incompatible shards), 73 output exists (use --force), \
        74 I/O error, 130 interrupted, 1 anything else.
        """,
        subcommands: [BuildCommand.self, InspectCommand.self, MergeCommand.self]
    )
}

/// Prints an srcore error on stderr and turns it into a meaningful exit code.
func cliError(_ error: Error) -> Error {
    guard let e = error as? SRError else { return error }
    let hint = e.code == .alreadyExists ? " (use --force to replace it)" : ""
    fputs("srprep: error: \(e)\(hint)\n", stderr)
    switch e.code {
    case .invalidArgument: return ExitCode(64)
    case .format, .shapeMismatch, .unsupported: return ExitCode(65)
    case .alreadyExists: return ExitCode(73)
    case .io: return ExitCode(74)
    case .cancelled: return ExitCode(130)
    default: return ExitCode(1)
    }
}
