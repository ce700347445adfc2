#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

@Suite struct AtomicFileTests {
    private func read(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var out = [UInt8]()
        while true { let c = fgetc(f); if c == EOF { break }; out.append(UInt8(c)) }
        return String(decoding: out, as: UTF8.self)
    }

    private func allNames(_ dir: String) -> [String] { TempDir.names(dir) }

    @Test func commitReplacesTheDestinationAndLeavesNoTemporaryFile() throws {
        let dir = TempDir.make("atomic"); defer { TempDir.remove(dir) }
        let path = dir + "/out.txt"
        try AtomicFile.write(path, text: "old")
        try AtomicFile.write(path, text: "new contents")
        #expect(read(path) == "new contents")
        #expect(allNames(dir) == ["out.txt"])
    }

    @Test func anErrorInTheBodyLeavesTheDestinationAndRemovesTheTemporaryFile() throws {
        let dir = TempDir.make("atomic"); defer { TempDir.remove(dir) }
        let path = dir + "/out.txt"
        try AtomicFile.write(path, text: "whole")
        #expect(throws: SRError.self) {
            try AtomicFile.write(path) { temp in
                let f = fopen(temp, "w"); fputs("half", f); fclose(f)
                throw SRError(.io, "simulated failure", path: path)
            }
        }
        #expect(read(path) == "whole")
        #expect(allNames(dir) == ["out.txt"])
        // A writer that is dropped without commit removes its temporary file too.
        do {
            let w = try AtomicFile(path: path)
            try w.write(text: "abandoned")
            #expect(FileSystem.exists(w.temporaryPath))
        }
        #expect(allNames(dir) == ["out.txt"])
    }

    @Test func refusesAnExistingDestinationUnlessOverwriting() throws {
        let dir = TempDir.make("atomic"); defer { TempDir.remove(dir) }
        let path = dir + "/out.txt"
        try AtomicFile.write(path, text: "a")
        #expect { try AtomicFile(path: path, overwrite: false) } throws: {
            ($0 as? SRError)?.code == .alreadyExists && ($0 as? SRError)?.path == path
        }
    }

    @Test func aFailedRenameIsAnIOErrorWithErrno() throws {
        let dir = TempDir.make("atomic"); defer { TempDir.remove(dir) }
        // The destination is a non-empty folder: rename(2) fails with EISDIR/ENOTEMPTY.
        let path = dir + "/sub"
        try FileSystem.makeDirectory(path)
        try AtomicFile.write(path + "/keep", text: "x")
        #expect { try AtomicFile.write(path, text: "y") } throws: {
            guard let e = $0 as? SRError else { return false }
            return e.code == .io && e.errno != nil && e.path == path
        }
        #expect(allNames(dir) == ["sub"])
    }

    @Test func staleTemporariesOfDeadProcessesAreRemoved() throws {
        let dir = TempDir.make("atomic"); defer { TempDir.remove(dir) }
        let path = dir + "/set.h5"
        // A pid that surely ran and ended: a child we waited for.
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, &argv, nil) == 0)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let stale = dir + "/.set.h5.tmp-\(pid)"
        let staleUnique = dir + "/.set.h5.tmp-\(pid)-3"
        let live = dir + "/.set.h5.tmp-\(getpid())-99"   // ours: kept
        let other = dir + "/.other.h5.tmp-\(pid)"        // another destination's: kept
        for p in [stale, staleUnique, live, other] { try AtomicFile.write(p, text: "junk") }
        let removed = AtomicFile.removeStaleTemporaries(for: path).sorted()
        #expect(removed == [stale, staleUnique].sorted())
        #expect(allNames(dir) == [".other.h5.tmp-\(pid)", ".set.h5.tmp-\(getpid())-99"])
        // A new writer of the destination cleans up the same way.
        try AtomicFile.write(stale, text: "junk")
        try AtomicFile.write(path, text: "data")
        #expect(!FileSystem.exists(stale))
    }
}
