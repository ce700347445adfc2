import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// The per-thread last-error message behind `sr_last_error`: a malloc'd C string per thread,
/// freed by the thread-specific-data destructor when the thread exits.
private let lastErrorKey: pthread_key_t = {
    var key = pthread_key_t()
    _ = pthread_key_create(&key) { free($0) }
    return key
}()

private let emptyMessage: StaticString = ""

/// Replaces the calling thread's last-error message.
func setLastError(_ message: String) {
    let old = pthread_getspecific(lastErrorKey)
    // strdup may fail under memory pressure; the slot then holds NULL and reads as "".
    let copy = strdup(message)
    _ = pthread_setspecific(lastErrorKey, copy)
    free(old)
}

/// Runs the body of one C entry point: SRError becomes its status code and the thread's message,
/// any other error becomes SR_ERROR_INTERNAL. Never throws, never traps by itself.
func boundary(_ function: StaticString, _ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return 0
    } catch let e as SRError {
        setLastError("\(function): \(e.message)")
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
    if let p = pthread_getspecific(lastErrorKey) {
        return UnsafePointer(p.assumingMemoryBound(to: CChar.self))
    }
    return UnsafeRawPointer(emptyMessage.utf8Start).assumingMemoryBound(to: CChar.self)
}
