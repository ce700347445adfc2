#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// A pthread running one closure, joined explicitly: after `join()` returns the closure has
/// finished *and released everything it captured*. (A `DispatchQueue.global().async` block may
/// drop its captures — and with them the last reference to a patch-set reader, whose deinit closes
/// an HDF5 file — after the waiting thread has moved on, even after `exit` began; docs/faults.md.)
final class JoinableThread: @unchecked Sendable {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private var thread = pthread_t()
    private var joined = false

    /// Starts `body` on a new thread.
    /// - Throws: `.outOfMemory` when the thread cannot be created.
    init(_ body: @escaping () -> Void) throws {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            // takeRetainedValue: the box (and the closure's captures) is released when this returns.
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            joined = true
            throw SRError(.outOfMemory, "cannot start a thread (\(String(cString: strerror(rc))))")
        }
    }

    /// Waits until the closure has returned. Idempotent; call it from one thread.
    func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    deinit { join() }
}
