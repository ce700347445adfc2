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

/// One training minibatch on the network's 0...255 scale: LR patches, their bicubic upscale
/// (Pillow float, computed from the LR patch) and the HR targets, patch-major.
public final class TrainBatch: @unchecked Sendable {
    /// Patches in the batch.
    public let count: Int
    /// LR patch side and HR patch side.
    public let lrSide: Int, hrSide: Int
    /// `count * lrSide^2` LR values.
    public var lr: [Float]
    /// `count * hrSide^2` bicubic values.
    public var bic: [Float]
    /// `count * hrSide^2` target values.
    public var hr: [Float]

    init(count: Int, lrSide: Int, hrSide: Int) {
        self.count = count; self.lrSide = lrSide; self.hrSide = hrSide
        lr = [Float](repeating: 0, count: count * lrSide * lrSide)
        bic = [Float](repeating: 0, count: count * hrSide * hrSide)
        hr = bic
    }
}

/// Serves minibatches from a patch set: each epoch visits contiguous slices of `sliceLength`
/// patches in a shuffled slice order (slice length 1 = a full random permutation, the reference's
/// sampling). The order depends only on (seed, epoch), so a resumed run sees the same batches.
/// A background thread prefetches `depth` batches ahead.
public final class PatchBatchLoader: @unchecked Sendable {
    /// The patch set.
    public let reader: PatchSetReader
    /// Patches per batch.
    public let batch: Int
    /// Patches per contiguous slice.
    public let sliceLength: Int
    /// Patches used (the first `usable` of the file; `--overfit N` limits it).
    public let usable: Int
    /// Batches per epoch.
    public let stepsPerEpoch: Int
    /// The rows of each batch this loader reads (all of them, unless a data-parallel rank takes its share).
    public let rows: Range<Int>
    private let seed: UInt64
    private let plan: ResizePlan
    private var cachedEpoch = -1
    private var cachedOrder: [Int] = []

    // Prefetch ring.
    private let depth: Int
    private var slots: [TrainBatch]
    private var slotError: [Error?]
    private var free: CountingSemaphore, ready: CountingSemaphore
    private var stopped = false
    private var running = false
    private var consumed = 0
    private var thread: JoinableThread?
    private var startError: Error?

    /// Prepares a loader; `limit` restricts training to the first `limit` patches (overfitting test).
    /// `rows` (a data-parallel rank's share, `Trainer.rows`) makes it read only those rows of each batch.
    public init(reader: PatchSetReader, batch: Int, sliceLength: Int = 1, seed: UInt64, limit: Int? = nil,
                depth: Int = 4, rows: Range<Int>? = nil) throws {
        guard batch > 0, sliceLength > 0 else {
            throw SRError(.invalidArgument, "batch (\(batch)) and slice length (\(sliceLength)) must be positive")
        }
        let n = min(reader.count, limit ?? reader.count)
        let slices = n / sliceLength
        guard slices * sliceLength >= batch else {
            throw SRError(.invalidArgument, "\(reader.path): \(n) patches cannot fill one batch of \(batch) (slice length \(sliceLength))")
        }
        self.reader = reader
        self.batch = batch
        let share = rows ?? 0..<batch
        guard share.lowerBound >= 0, share.upperBound <= batch, !share.isEmpty else {
            throw SRError(.invalidArgument, "rows \(share) are not a share of a batch of \(batch)")
        }
        self.rows = share
        self.sliceLength = sliceLength
        usable = slices * sliceLength
        stepsPerEpoch = usable / batch
        self.seed = seed
        plan = ResizePlan(inWidth: reader.lrPatch, inHeight: reader.lrPatch, outWidth: reader.hrPatch, outHeight: reader.hrPatch)
        self.depth = depth
        slots = (0..<depth).map { _ in TrainBatch(count: share.count, lrSide: reader.lrPatch, hrSide: reader.hrPatch) }
        slotError = [Error?](repeating: nil, count: depth)
        free = CountingSemaphore(value: depth)
        ready = CountingSemaphore(value: 0)
    }

    deinit { stop() }

    /// Patch indices of `epoch` in visiting order.
    package func order(epoch: Int) -> [Int] {
        if epoch == cachedEpoch { return cachedOrder }
        var rng = SeededGenerator(seed: seed &+ 0x5EED_0000 &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
        var slices = Array(0..<(usable / sliceLength))
        if slices.count > 1 {
            for i in stride(from: slices.count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                slices.swapAt(i, j)
            }
        }
        cachedOrder = slices.flatMap { s in (s * sliceLength)..<((s + 1) * sliceLength) }
        cachedEpoch = epoch
        return cachedOrder
    }

    /// Fills `b` with the batch of global step `step`.
    func fill(_ b: TrainBatch, step: Int) throws {
        let epoch = step / stepsPerEpoch, pos = (step % stepsPerEpoch) * batch + rows.lowerBound
        let batch = rows.count
        let ord = order(epoch: epoch)
        let p2 = reader.lrPatch * reader.lrPatch, h2 = reader.hrPatch * reader.hrPatch
        var i = 0
        while i < batch {
            // Runs of consecutive indices are read in one call.
            var run = 1
            while i + run < batch, ord[pos + i + run] == ord[pos + i] + run { run += 1 }
            try b.lr.withUnsafeMutableBufferPointer { lp in
                try b.hr.withUnsafeMutableBufferPointer { hp in
                    try reader.read(start: ord[pos + i], count: run,
                                    lr: UnsafeMutableBufferPointer(rebasing: lp[(i * p2)...]),
                                    hr: UnsafeMutableBufferPointer(rebasing: hp[(i * h2)...]))
                }
            }
            i += run
        }
        try checkFinite(b.lr, patchSize: p2, dataset: "/lr") { ord[pos + $0] }
        try checkFinite(b.hr, patchSize: h2, dataset: "/hr") { ord[pos + $0] }
        for k in b.lr.indices { b.lr[k] *= 255 }
        for k in b.hr.indices { b.hr[k] *= 255 }
        for j in 0..<batch {
            let img = Image(width: reader.lrPatch, height: reader.lrPatch, pixels: Array(b.lr[(j * p2)..<((j + 1) * p2)]))
            let up = plan.apply(img)
            b.bic.replaceSubrange((j * h2)..<((j + 1) * h2), with: up.pixels)
        }
    }

    /// Refuses NaN/Inf samples, naming the patch set and the row: they would turn the loss into NaN,
    /// which otherwise reads like a learning rate that is too high.
    private func checkFinite(_ values: [Float], patchSize: Int, dataset: String, row: (Int) -> Int) throws {
        let bad = values.withUnsafeBufferPointer { v in v.firstIndex { !$0.isFinite } }
        guard let k = bad else { return }
        throw SRError(.format, "the training data is not finite: row \(row(k / patchSize)) of \(dataset) holds \(values[k]) (a patch set from srprep build never does; rebuild it)", path: reader.path)
    }

    /// Starts prefetching batches for steps `first, first+1, ...`.
    public func start(at first: Int) {
        guard !running else { return }
        running = true
        stopped = false
        startError = nil
        free = CountingSemaphore(value: depth)
        ready = CountingSemaphore(value: 0)
        consumed = first
        let free = self.free, ready = self.ready
        do {
            // A joinable thread, not a Dispatch block: stop() returns only once the thread has let
            // go of self (and so of the reader and its HDF5 file).
            thread = try JoinableThread { [self] in
                var s = first
                while true {
                    free.wait()
                    if stopped { break }
                    let k = s % depth
                    do { try fill(slots[k], step: s); slotError[k] = nil } catch { slotError[k] = error }
                    s += 1
                    ready.signal()
                }
            }
        } catch {
            startError = error
            running = false
        }
    }

    /// The next batch (blocks until prefetched). Call `release()` when done with it.
    public func next() throws -> TrainBatch {
        if !running { start(at: 0) }
        if let e = startError { throw e }
        ready.wait()
        let k = consumed % depth
        consumed += 1
        if let e = slotError[k] { throw e }
        return slots[k]
    }

    /// Hands the slot of the last `next()` back to the prefetcher.
    public func release() { free.signal() }

    /// Stops the prefetch thread.
    public func stop() {
        guard running, !stopped else { return }
        stopped = true
        free.signal()
        thread?.join()
        thread = nil
        running = false
    }
}
