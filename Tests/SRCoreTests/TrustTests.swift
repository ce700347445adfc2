#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

/// Files srcore made but something changed since: a patch set whose dtype attribute lies, a merged
/// set whose shard is gone, training data holding NaN; and the temporary files of killed runs.
/// (Full disks and kill -9 are in Tests/faults, docs/faults.md.)
@Suite struct TrustTests {
    private func message(_ body: () throws -> Void) -> SRError? {
        do { try body() } catch { return error as? SRError }
        return nil
    }

    @Test func aDtypeAttributeThatContradictsTheStoredTypeIsRefused() throws {
        let dir = try PatchFixture.images("trust-dtype", count: 1)
        defer { PatchFixture.remove(dir) }
        let out = dir + "/set.h5"
        _ = try PatchSetBuilder.build(files: try PatchSetBuilder.listFiles(in: [dir]), output: out,
                                      options: try PatchFixture.options(augment: 1))
        _ = try PatchSetReader(path: out)
        let f = try HDF5File.open(out, writable: true)
        try f.setAttribute("dtype", "uint8")   // the datasets stay float32
        try f.close()
        let e = message { _ = try PatchSetReader(path: out) }
        #expect(e?.code == .format)
        #expect(e?.path == out)
        #expect(e?.message.contains("dtype attribute says uint8 but /lr is stored as float32") == true)
    }

    @Test func aMergedSetWhoseShardIsMissingNamesTheShard() throws {
        let dir = try PatchFixture.images("trust-merge", count: 2)
        defer { PatchFixture.remove(dir) }
        let files = try PatchSetBuilder.listFiles(in: [dir])
        var shards: [String] = []
        for k in 0..<2 {
            var o = try PatchFixture.options(augment: 1)
            o.shardIndex = k
            o.shardCount = 2
            shards.append(dir + "/s\(k + 1).h5")
            _ = try PatchSetBuilder.build(files: files, output: shards[k], options: o)
        }
        let merged = dir + "/all.h5"
        _ = try PatchSetMerger.merge(inputs: shards, output: merged)
        let whole = try PatchFixture.readAll(merged)
        #expect(whole.lr.allSatisfy { $0.isFinite })
        #expect(unlink(shards[1]) == 0)
        // libhdf5 would read the missing shard's rows as zeros.
        let e = message { _ = try PatchSetReader(path: merged) }
        #expect(e?.code == .io)
        #expect(e?.path == merged)
        #expect(e?.message.contains("shard s2.h5 of this merged patch set is missing") == true)
    }

    @Test func nonFiniteTrainingDataIsReportedWithThePatchSetAndRow() throws {
        let dir = TrainTestSupport.tempDir("trust-nan")
        defer { TempDir.remove(dir) }
        let path = dir + "/nan.h5"
        try TrainTestSupport.writePatchSet(path: path, count: 8, scale: 2, lrPatch: 6)
        let f = try HDF5File.open(path, writable: true)
        var row = [Float](repeating: 0.5, count: 36)
        row[7] = .nan
        try row.withUnsafeBufferPointer { try f.writeRows("/lr", start: 5, count: 1, floats: $0) }
        try f.close()
        let loader = try PatchBatchLoader(reader: try PatchSetReader(path: path), batch: 8, seed: 1)
        defer { loader.stop() }
        let e = message { _ = try loader.next() }
        #expect(e?.code == .format)
        #expect(e?.path == path)
        #expect(e?.message.contains("the training data is not finite: row 5 of /lr holds nan") == true)
        #expect(e?.message.contains("learning rate") == false)
    }

    @Test func staleTemporariesOfAnyDestinationInAFolderAreRemoved() throws {
        let dir = TempDir.make("trust-stale"); defer { TempDir.remove(dir) }
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, &argv, nil) == 0)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let stale = [dir + "/.checkpoint.h5.tmp-\(pid)-0", dir + "/.model-10.h5.tmp-\(pid)", dir + "/.a.tmp-b.tmp-\(pid)-2"]
        // This process's: a suffix no AtomicFile of this process can make (its counter is a number).
        let kept = [dir + "/.model.h5.tmp-\(getpid())-kept", dir + "/.tmp-\(pid)", dir + "/x.h5.tmp-\(pid)", dir + "/model.h5"]
        for p in stale + kept { try AtomicFile.write(p, text: "junk") }
        #expect(AtomicFile.removeStaleTemporaries(inFolder: dir).sorted() == stale.sorted())
        #expect(TempDir.names(dir) == kept.map { FileSystem.baseName($0) }.sorted())
    }

    @Test func hdf5FilesAreBuiltInMemoryAndWrittenOnceNamingTheDestination() throws {
        let dir = TempDir.make("trust-h5"); defer { TempDir.remove(dir) }
        let path = dir + "/w.h5"
        try HDF5File.writeAtomically(path) { f in try f.write("/x", floats: [1, 2, 3], shape: [3]) }
        let r = try HDF5File.open(path)
        #expect(try r.readFloats("/x") == [1, 2, 3])
        r.release()
        #expect(TempDir.names(dir) == ["w.h5"])
        // A folder that does not exist: an I/O error naming the destination, nothing left behind.
        let e = message { try HDF5File.writeAtomically(dir + "/none/w.h5") { f in try f.setAttribute("a", 1) } }
        #expect(e?.code == .io && e?.path == dir + "/none/w.h5" && e?.errno == ENOENT)
        #expect(TempDir.names(dir) == ["w.h5"])
    }

    @Test func aFileWrittenThroughTheDiskDriverSurvivesFlushAndClose() throws {
        let dir = TempDir.make("trust-sec2"); defer { TempDir.remove(dir) }
        let path = dir + "/d.h5"
        let f = try HDF5File.create(path)
        try f.write("/a", floats: [Float](repeating: 2, count: 1000), shape: [10, 100])
        try f.flush()
        try f.write("/b", int32s: [7, 8], shape: [2])
        try f.close()
        try f.close()   // twice: nothing
        // Two ids of one file: closing the first must not send the second's writes to memory.
        let w1 = try HDF5File.open(path, writable: true), w2 = try HDF5File.open(path, writable: true)
        try w1.write("/c", floats: [3], shape: [1])
        try w1.close()
        try w2.write("/d", floats: [4], shape: [1])
        try w2.close()
        let r = try HDF5File.open(path)
        defer { r.release() }
        #expect(try r.readFloats("/a") == [Float](repeating: 2, count: 1000))
        #expect(try r.readFloats("/b") == [7, 8])
        #expect(try r.readFloats("/c") == [3] && r.readFloats("/d") == [4])
    }
}
