import ArgumentParser
import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// The exit statuses of `sr` and `srprep` (the BSD sysexits.h values), one table for both tools.
///
/// Every `SRError` maps to one of them through its stable `code`, so a script can tell a typo in
/// the command line from a corrupt input file, an existing output or a full disk without parsing
/// the message. Argument errors found by the parser or a command's `validate()` are 64 as well
/// (swift-argument-parser's `ExitCode.validationFailure`).
public enum ExitStatus: Int32, CaseIterable, Sendable {
    /// Everything worked.
    case success = 0
    /// Anything else: out of memory, an internal error, several inputs that failed differently.
    case failure = 1
    /// Bad arguments (EX_USAGE).
    case usage = 64
    /// Bad input data: a corrupt, truncated or non-PNG file, not a patch set or weights file,
    /// incompatible shapes or shards, an unsupported format version (EX_DATAERR).
    case dataError = 65
    /// The output exists and --force was not given (EX_CANTCREAT).
    case outputExists = 73
    /// A file or folder could not be opened, read, written or renamed (EX_IOERR).
    case ioError = 74
    /// Interrupted by Ctrl-C (128 + SIGINT).
    case interrupted = 130

    /// The status for an error category.
    public init(_ code: SRError.Code) {
        switch code {
        case .invalidArgument: self = .usage
        case .format, .shapeMismatch, .unsupported: self = .dataError
        case .alreadyExists: self = .outputExists
        case .io: self = .ioError
        case .cancelled: self = .interrupted
        case .outOfMemory, .internal: self = .failure
        }
    }

    /// The table for a tool's `--help` discussion.
    public static let helpText = """
        Exit codes: 0 success, 64 bad arguments, 65 bad input data (corrupt, truncated or non-PNG \
        file, not a patch set or weights file, incompatible shapes or shards), 73 output exists \
        (use --force), 74 I/O error (missing file, unreadable folder, disk full), 130 interrupted \
        (Ctrl-C; 143 for SIGTERM), 1 anything else.
        """
}

/// The `main` of `sr` and `srprep`: parse, run, and turn errors into a message and an exit status.
public enum CommandLineTool {
    /// Parses the command line for `root`, runs the chosen command and exits.
    ///
    /// `SRError`s print as "`tool`: error: <description>" on stderr (with a "use --force" hint for
    /// an existing output) and exit with `ExitStatus(code)`; everything else (help, usage and
    /// validation errors, `ExitCode`) is handled by swift-argument-parser as usual.
    public static func main<Root: ParsableCommand>(_ root: Root.Type, tool: String) {
        do {
            var command = try root.parseAsRoot()
            try command.run()
        } catch {
            root.exit(withError: report(error, tool: tool))
        }
    }

    /// Prints an `SRError` and returns the `ExitCode` for it; other errors are returned unchanged.
    public static func report(_ error: Error, tool: String) -> Error {
        guard let e = error as? SRError else { return error }
        let hint = e.code == .alreadyExists ? " (use --force to replace it)" : ""
        Console.error("\(tool): error: \(e)\(hint)\n")
        return ExitCode(exitStatus(for: e))
    }

    /// The exit status for `e`: `ExitStatus(e.code)`, except that an interruption by a signal
    /// exits with 128 + that signal (130 for SIGINT, 143 for SIGTERM).
    public static func exitStatus(for e: SRError) -> Int32 {
        if e.code == .cancelled, Interrupt.receivedSignal != 0 { return 128 + Interrupt.receivedSignal }
        return ExitStatus(e.code).rawValue
    }
}
