import Dispatch
import Testing
@testable import SRCore
import SRTestSupport

@Suite struct PatchSetReaderTests {
    @Test func concurrentSliceReadsEqualSequentialOnes() throws {
        let dir = try PatchFixture.images("reader", count: 2)
        defer { PatchFixture.remove(dir) }
        let out = dir + "/r.h5"
        _ = try PatchSetBuilder.build(files: try PatchSetBuilder.listFiles(in: [dir]), output: out,
                                      options: try PatchFixture.options(augment: 4))
        let whole = try PatchFixture.readAll(out)
        let reader = try PatchSetReader(path: out)
        let n = reader.count, slice = 64, slices = (n + slice - 1) / slice
        final class Box: @unchecked Sendable { var bad = 0; var errors = 0 }
        let box = Box()
        let lock = Lock()
        // Four threads read every slice through one shared reader while another thread writes an
        // unrelated HDF5 file (the trainer's prefetch thread next to checkpoint writing).
        DispatchQueue.concurrentPerform(iterations: 5) { worker in
            if worker == 4 {
                for k in 0..<10 {
                    do {
                        let f = try HDF5File.create(dir + "/other\(k).h5")
                        try f.write("/x", floats: [Float](repeating: 1, count: 4096), shape: [64, 64])
                        try f.close()
                    } catch { lock.withLock { box.errors += 1 } }
                }
                return
            }
            var lr = [Float](repeating: 0, count: slice * 64), hr = [Float](repeating: 0, count: slice * 256)
            for s in Swift.stride(from: worker, to: slices, by: 4) {
                let start = s * slice, count = min(slice, n - start)
                do {
                    try lr.withUnsafeMutableBufferPointer { l in
                        try hr.withUnsafeMutableBufferPointer { h in try reader.read(start: start, count: count, lr: l, hr: h) }
                    }
                } catch { lock.withLock { box.errors += 1 }; continue }
                if !lr[0..<(count * 64)].elementsEqual(whole.lr[(start * 64)..<((start + count) * 64)])
                    || !hr[0..<(count * 256)].elementsEqual(whole.hr[(start * 256)..<((start + count) * 256)]) {
                    lock.withLock { box.bad += 1 }
                }
            }
        }
        #expect(box.errors == 0 && box.bad == 0)
    }

    @Test func readsOutsideTheSetOrIntoSmallBuffersAreRefused() throws {
        let dir = try PatchFixture.images("reader-bounds", count: 1)
        defer { PatchFixture.remove(dir) }
        let out = dir + "/r.h5"
        _ = try PatchSetBuilder.build(files: try PatchSetBuilder.listFiles(in: [dir]), output: out,
                                      options: try PatchFixture.options(augment: 1))
        let reader = try PatchSetReader(path: out)
        var lr = [Float](repeating: 0, count: 2 * 64), hr = [Float](repeating: 0, count: 2 * 256)
        try lr.withUnsafeMutableBufferPointer { l in
            try hr.withUnsafeMutableBufferPointer { h in
                #expect(throws: SRError.self) { try reader.read(start: reader.count - 1, count: 2, lr: l, hr: h) }
                #expect(throws: SRError.self) { try reader.read(start: -1, count: 1, lr: l, hr: h) }
                #expect(throws: SRError.self) { try reader.read(start: 0, count: 3, lr: l, hr: h) }
                try reader.read(start: reader.count - 2, count: 2, lr: l, hr: h)
            }
        }
    }
}
