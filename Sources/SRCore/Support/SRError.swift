/// The one error type of srcore.
///
/// `code` is stable: its raw values are the `sr_status` numbers of the C API and are only ever
/// added to. `message` says what was wrong and with which file, layer or shape.
public struct SRError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Stable error categories (`sr_status` values in include/srcore.h).
    public enum Code: Int32, Sendable {
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
    }

    /// The error category.
    public let code: Code
    /// A human-readable explanation naming the file, layer or shape involved.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
