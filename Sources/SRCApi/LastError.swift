import CModels
import SRCore

/// Replaces the calling thread's last-error message (kept per thread by CModels/last_error.c).
func setLastError(_ message: String) {
    srm_set_last_error(message)
}

/// Runs the body of one C entry point: SRError becomes its status code and the thread's message,
/// any other error becomes SR_ERROR_INTERNAL. Never throws, never traps by itself.
func boundary(_ function: StaticString, _ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return 0
    } catch let e as SRError {
        setLastError("\(function): \(e.description)")
        return e.code.rawValue
    } catch {
        setLastError("\(function): internal error: \(error)")
        return SRError.Code.internal.rawValue
    }
}

/// An `invalidArgument` error.
func invalid(_ message: String) -> SRError { SRError(.invalidArgument, message) }

/// The message of the most recent failing call on this thread, or "".
@_cdecl("sr_last_error")
public func sr_last_error() -> UnsafePointer<CChar> {
    srm_last_error()
}
