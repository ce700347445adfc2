#if canImport(Glibc)
import Glibc
#endif

/// Writing to the terminal from the CLIs (Swift 6 forbids touching C's `stderr`/`stdout` globals).
package enum Console {
    /// Writes `text` to standard error, unbuffered (progress lines, warnings, errors).
    package static func error(_ text: String) {
        var t = text
        t.withUTF8 { buf in
            var done = 0
            while done < buf.count {
                let n = write(STDERR_FILENO, buf.baseAddress! + done, buf.count - done)
                if n < 0 { if errno == EINTR { continue }; return }   // nowhere left to report to
                done += n
            }
        }
    }

    /// Flushes what `print` buffered for standard output.
    package static func flushOutput() { fflush(nil) }
}
