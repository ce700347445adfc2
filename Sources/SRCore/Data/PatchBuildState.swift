#if canImport(Glibc)
import Glibc
#endif
import SRSupport
import SRImage
import SRFormats

/// Shared state of the build workers: the next image, counters, the first error, bad files.
final class PatchBuildState: @unchecked Sendable {
    private let mutex = Lock()
    private let reportMutex = Lock()
    private var nextIndex = 0
    private var imagesDone = 0
    private var patchesDone = 0
    private var stopped = false
    private(set) var error: Error?
    private(set) var badFiles: [(Int, String)] = []

    private func locked<T>(_ body: () -> T) -> T { mutex.withLock(body) }

    /// The next image index below `limit`, or nil when done or stopped.
    func next(limit: Int) -> Int? {
        locked {
            guard !stopped, nextIndex < limit else { return nil }
            nextIndex += 1
            return nextIndex - 1
        }
    }

    /// Records a finished image; returns the progress to report.
    func finished(patches: Int, imagesTotal: Int, patchesTotal: Int) -> PatchBuildProgress? {
        locked {
            imagesDone += 1
            patchesDone += patches
            return PatchBuildProgress(imagesDone: imagesDone, imagesTotal: imagesTotal,
                                      patchesDone: patchesDone, patchesTotal: patchesTotal)
        }
    }

    /// Runs a progress callback, one at a time.
    func report(_ body: () -> Void) {
        reportMutex.lock()
        defer { reportMutex.unlock() }
        body()
    }

    /// Records a file that failed to decode (`skipBad`).
    func markBad(_ source: Int, _ reason: String) {
        locked { badFiles.append((source, reason)); badFiles.sort { $0.0 < $1.0 } }
    }

    /// Records the first error and stops the workers.
    func fail(_ e: Error) {
        locked {
            if error == nil { error = e }
            stopped = true
        }
    }
}
