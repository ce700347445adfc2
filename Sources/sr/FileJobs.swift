import Dispatch
import SRCore
import SRCLI

/// The file loop of `sr upscale`: runs `work` on every job with `workers` files in flight at once
/// (each worker takes the next unstarted file), counts what was written, skipped and failed, and
/// keeps the progress line. A failure is reported and the loop goes on; Ctrl-C stops every worker
/// after its current file (whose writer removes its temporary output).
struct FileJobs {
    /// The jobs of this rank, in order.
    let jobs: [UpscaleJobs.Job]
    /// Where progress, warnings and errors go (shared by the workers; it serialises them).
    let progress: ProgressLine

    /// What the loop did.
    struct Outcome {
        var written = 0, skipped = 0
        /// The exit status of every failed file.
        var failures: [ExitStatus] = []
    }

    /// Upscales one file on worker `worker`; `fraction` reports how much of that file is done (0...1).
    typealias Work = (_ worker: Int, _ job: UpscaleJobs.Job, _ fraction: @escaping (Double) -> Void) throws -> Void

    private struct State {
        var outcome = Outcome()
        var started = 0, finished = 0
        var fractions: [Double]
        var name = ""
    }

    /// Runs every job; with one worker the files go in order on the calling thread.
    func run(workers: Int, _ work: Work) -> Outcome {
        let state = LockedValue(State(fractions: [Double](repeating: 0, count: max(1, workers))))
        let next = AtomicCounter()
        let total = jobs.count
        func show(_ s: State) {
            progress.update(current: s.started, progress: Double(s.finished) + s.fractions.reduce(0, +), name: s.name)
        }
        func worker(_ w: Int) {
            while !Interrupt.requested {
                let i = next.next()
                guard i < total else { return }
                let job = jobs[i]
                state.withLock { s in
                    s.started += 1
                    s.name = job.input
                    if job.skip { s.outcome.skipped += 1; s.finished += 1 }
                    show(s)
                }
                if job.skip { continue }
                do {
                    try work(w, job) { f in state.withLock { s in s.fractions[w] = f; show(s) } }
                    state.withLock { $0.outcome.written += 1 }
                } catch let e as SRError where e.code == .cancelled && Interrupt.requested {
                    return // the writer has removed its temporary file; job.output is untouched
                } catch {
                    state.withLock { $0.outcome.failures.append((error as? SRError).map { ExitStatus($0.code) } ?? .failure) }
                    progress.error("sr: error: \(error)\n")
                }
                state.withLock { s in s.fractions[w] = 0; s.finished += 1; show(s) }
            }
        }
        if workers <= 1 {
            worker(0)
        } else {
            withoutActuallyEscaping(worker) { body in
                // Each worker touches only its own upscaler and, under the lock, the shared state.
                nonisolated(unsafe) let run = body
                DispatchQueue.concurrentPerform(iterations: workers) { run($0) }
            }
        }
        return state.withLock { $0.outcome }
    }
}
