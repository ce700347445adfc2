#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRKernels
import SRFormats
import SRModel
import SRData
import SREval

/// A counting semaphore on a pthread mutex + condition variable (both heap-allocated: a pthread
/// object must not move) (unlike DispatchSemaphore it may be
/// released with a count below its initial value, which the prefetch ring needs when it stops early).
final class CountingSemaphore: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var value: Int

    init(value: Int) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    func wait() {
        pthread_mutex_lock(mutex)
        while value <= 0 { pthread_cond_wait(cond, mutex) }
        value -= 1
        pthread_mutex_unlock(mutex)
    }

    func signal() {
        pthread_mutex_lock(mutex)
        value += 1
        pthread_cond_signal(cond)
        pthread_mutex_unlock(mutex)
    }
}
