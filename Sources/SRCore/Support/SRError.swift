#if canImport(Glibc)
import Glibc
#endif

/// The one error type of srcore.
///
/// `code` is stable: its raw values are the `sr_status` numbers of the C API and are only ever
/// added to. `message` says what was wrong; `path` and `errno` carry the cause where there is one,
/// so callers can act on them (an exit code, a retry) without reading the text.
public struct SRError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Stable error categories (`sr_status` values in include/srcore.h).
    public enum Code: Int32, Sendable, CaseIterable {
        /// An argument is invalid (NULL, zero or overflowing size, bad stride, wrong scale ...).
        case invalidArgument = 1
        /// A file could not be opened, read, written or renamed.
        case io = 2
        /// A file's contents are corrupt, truncated or not what they claim to be.
        case format = 3
        /// Valid input that srcore does not support (an unknown pixel format, a format version).
        case unsupported = 4
        /// A tensor or image has the wrong shape.
        case shapeMismatch = 5
        /// An allocation failed or a size would exceed the memory budget.
        case outOfMemory = 6
        /// The caller's progress callback asked to stop.
        case cancelled = 7
        /// A bug in srcore: an internal invariant did not hold.
        case `internal` = 8
        /// The destination already exists and replacing it was not asked for.
        case alreadyExists = 9
    }

    /// The error category.
    public let code: Code
    /// What was wrong, without the path and errno text (see `description` for the whole line).
    public let message: String
    /// The file or folder involved, if any.
    public let path: String?
    /// The `errno` of the failed system call, if any.
    public let errno: Int32?

    /// Creates an error whose message already names what it concerns.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        self.path = nil
        self.errno = nil
    }

    /// Creates an error about `path`, optionally caused by a system call that set `errno`.
    public init(_ code: Code, _ message: String, path: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.errno = errno
    }

    /// "path: message (strerror)" — the text printed to users.
    public var description: String {
        var s = path.map { "\($0): \(message)" } ?? message
        if let e = errno { s += " (\(String(cString: strerror(e))))" }
        return s
    }
}
