import SRCore
import SRCLI

/// One progress line on stderr: "N/M  name  elapsed  ETA". Safe to use from several threads:
/// every call is serialised, and warnings and errors clear the line before they are printed.
final class ProgressLine: @unchecked Sendable {
    private let lock = Lock()
    let total: Int
    let enabled: Bool
    let start = Clock.monotonic()
    var lastDraw = -1.0e9
    var width = 0

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }


    /// Shows file `current` (1-based) of `total`, with `progress` files' worth of work done.
    func update(current: Int, progress: Double, name: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let t = Clock.monotonic()
        if t - lastDraw < 0.25 && progress < Double(total) { return }
        lastDraw = t
        let elapsed = t - start
        let eta = progress > 0 ? elapsed / progress * (Double(total) - progress) : 0
        let base = name.split(separator: "/").last.map(String.init) ?? name
        let line = "\(current)/\(total) \(base)  elapsed \(DecimalFormat.duration(elapsed))"
            + (progress > 0 ? "  ETA \(DecimalFormat.duration(eta))" : "")
        let pad = max(0, width - line.count)
        Console.error("\r" + line + String(repeating: " ", count: pad))
        width = line.count
    }

    /// Prints `sr: warning: <message>` on its own line.
    func warning(_ message: String) { error("sr: warning: \(message)\n") }

    /// Prints `text` (a whole line) to stderr, clearing the progress line first.
    func error(_ text: String) {
        lock.withLock {
            clearLine()
            Console.error(text)
        }
    }

    private func clearLine() {
        guard enabled, width > 0 else { return }
        Console.error("\r" + String(repeating: " ", count: width) + "\r")
        width = 0
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        guard enabled, width > 0 else { return }
        Console.error("\n")
        width = 0
    }
}
