import SRCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM handling for the command-line tools.
///
/// The handler is async-signal-safe: it only touches lock-free atomics and, when it ends the
/// process itself, calls `unlink`, `write` and `_exit` (POSIX async-signal-safe functions).
///
/// - `.deferred`: the first signal only sets a flag. Long loops poll `Interrupt.requested` (most
///   srcore jobs take a progress callback that can cancel) and stop at the next safe point: a
///   temporary file is removed by the code that owns it, an atomic rename already under way
///   completes, and the command exits 128 + signal (130). A second signal ends the process at once
///   (after removing the registered paths), for a job that does not reach a safe point soon.
/// - `.immediate`: for jobs that cannot poll (srprep build/merge): the first signal removes the
///   registered temporary paths and exits 128 + signal. Their outputs are written under a
///   temporary name and renamed at the end, so the destination is untouched or whole.
public enum Interrupt {
    /// How the first signal is handled.
    public enum Mode: Sendable {
        /// Set a flag for the job to poll.
        case deferred
        /// Remove the registered paths and exit.
        case immediate
    }

    /// Installs the handler for SIGINT and SIGTERM. `tool` names the program in the one line
    /// printed when the handler ends the process itself.
    public static func install(_ mode: Mode, tool: String) {
        // Touch every global the handler uses, so none is lazily initialised inside it.
        pendingSignal.store(0, ordering: .sequentiallyConsistent)
        immediateMode.store(mode == .immediate, ordering: .sequentiallyConsistent)
        _ = cleanupCount.load(ordering: .sequentiallyConsistent)
        let text = "\n\(tool): interrupted\n"
        exitMessage.store(UnsafeMutableRawPointer(strdup(text)), ordering: .sequentiallyConsistent)
        exitMessageLength.store(text.utf8.count, ordering: .sequentiallyConsistent)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handleSignal
        action.sa_flags = SA_RESTART // blocking reads and writes resume instead of failing with EINTR
        sigemptyset(&action.sa_mask)
        for sig in [SIGINT, SIGTERM] {
            // A signal the parent ignores stays ignored (e.g. `srprep build ... &` in a script).
            var old = sigaction()
            sigaction(sig, nil, &old)
            if unsafeBitCast(old.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            sigaction(sig, &action, nil)
        }
    }

    /// Switches the mode of an installed handler (e.g. `.deferred` around an atomic write in a
    /// command that is otherwise `.immediate`).
    public static func setMode(_ mode: Mode) {
        immediateMode.store(mode == .immediate, ordering: .sequentiallyConsistent)
    }

    /// Whether a signal has arrived.
    public static var requested: Bool { pendingSignal.load(ordering: .relaxed) != 0 }

    /// The first signal received (SIGINT, SIGTERM), 0 if none.
    public static var receivedSignal: Int32 { pendingSignal.load(ordering: .relaxed) }

    /// Throws `.cancelled` ("interrupted", and `detail` if not empty) when a signal has arrived.
    public static func check(_ detail: @autoclosure () -> String = "") throws {
        guard requested else { return }
        let d = detail()
        throw SRError(.cancelled, d.isEmpty ? "interrupted" : "interrupted; \(d)")
    }

    /// Registers a temporary path for the handler to remove when it ends the process (immediate
    /// mode, or a second signal). Up to `capacity` paths; more are ignored.
    public static func removeOnSignal(_ path: String) {
        let n = cleanupCount.load(ordering: .acquiring)
        guard n < capacity else { return }
        cleanupSlots[n] = strdup(path)
        cleanupCount.store(n + 1, ordering: .releasing)
    }

    static let capacity = 16
}

// The handler's state: lock-free atomics and a fixed table of C strings written before publication.
private let pendingSignal = Atomic<Int32>(0)
private let immediateMode = Atomic<Bool>(false)
private let cleanupCount = Atomic<Int>(0)
nonisolated(unsafe) private let exitMessage = Atomic<UnsafeMutableRawPointer?>(nil)  // a pointer published once, read by the handler
private let exitMessageLength = Atomic<Int>(0)
nonisolated(unsafe) private let cleanupSlots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
    let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: Interrupt.capacity)
    p.initialize(repeating: nil, count: Interrupt.capacity)
    return p
}()

/// The signal handler: async-signal-safe calls only (atomics, unlink, write, _exit).
private func handleSignal(_ sig: Int32) {
    let first = pendingSignal.compareExchange(expected: 0, desired: sig, ordering: .sequentiallyConsistent).exchanged
    guard !first || immediateMode.load(ordering: .relaxed) else { return }
    let n = cleanupCount.load(ordering: .acquiring)
    var i = 0
    while i < n {
        if let p = cleanupSlots[i] { unlink(p) }
        i += 1
    }
    if let m = exitMessage.load(ordering: .relaxed) { _ = write(2, m, exitMessageLength.load(ordering: .relaxed)) }
    _exit(128 + sig)
}
