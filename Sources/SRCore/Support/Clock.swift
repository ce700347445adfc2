#if canImport(Glibc)
import Glibc
#endif

/// The clocks srcore reads, in seconds as `Double`.
package enum Clock {
    /// Seconds on the monotonic clock (for durations; the origin is arbitrary).
    package static func monotonic() -> Double { read(CLOCK_MONOTONIC) }

    /// Seconds since the Unix epoch (wall time, for timestamps in logs and event files).
    package static func wall() -> Double { read(CLOCK_REALTIME) }

    /// CPU seconds used by this process, all threads together.
    package static func processCPU() -> Double { read(CLOCK_PROCESS_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
