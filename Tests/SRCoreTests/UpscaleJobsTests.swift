#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

@Suite struct UpscaleJobsTests {
    @Test func folderPlanIsSortedAndFiltered() throws {
        let dir = ImagingFixtures.tempDir()
        for name in ["b.png", "A.PNG", "a.png", "notes.txt", ".hidden.png", "c.png"] { ImagingFixtures.writeFile(dir + "/" + name, [1]) }
        mkdir(dir + "/sub.png", 0o755)
        let out = dir + "-out"
        let plan = try UpscaleJobs(input: dir, output: out, skipExisting: false, force: false)
        #expect(plan.jobs.map(\.input) == ["A.PNG", "a.png", "b.png", "c.png"].map { dir + "/" + $0 })
        #expect(plan.jobs.map(\.output) == ["A.PNG", "a.png", "b.png", "c.png"].map { out + "/" + $0 })
        #expect(plan.folderToCreate == out)
        #expect(!FileSystem.exists(out), "planning must not create the output folder")
        try FileSystem.makeDirectory(out)
        // Existing outputs: error, skip, or overwrite.
        ImagingFixtures.writeFile(out + "/b.png", [1])
        #expect { try UpscaleJobs(input: dir, output: out, skipExisting: false, force: false) } throws: {
            ($0 as? SRError)?.code == .alreadyExists && ($0 as? SRError)?.path == out + "/b.png"
        }
        let skipping = try UpscaleJobs(input: dir, output: out, skipExisting: true, force: false)
        #expect(skipping.jobs.map(\.skip) == [false, false, true, false])
        #expect(skipping.folderToCreate == nil)
        #expect(try UpscaleJobs(input: dir, output: out, skipExisting: false, force: true).jobs.allSatisfy { !$0.skip })
    }

    @Test func emptyFolderIsAnErrorAndCreatesNothing() throws {
        let dir = ImagingFixtures.tempDir()
        ImagingFixtures.writeFile(dir + "/notes.txt", [1])
        let out = dir + "-empty-out"
        #expect { try UpscaleJobs(input: dir, output: out, skipExisting: false, force: false) } throws: {
            ($0 as? SRError)?.code == .invalidArgument
        }
        #expect(!FileSystem.exists(out))
    }

    @Test func filePlans() throws {
        let dir = ImagingFixtures.tempDir()
        ImagingFixtures.writeFile(dir + "/in.png", [1])
        #expect(try UpscaleJobs(input: dir + "/in.png", output: dir + "/o.png", skipExisting: false, force: false).jobs
                == [.init(input: dir + "/in.png", output: dir + "/o.png", skip: false)])
        mkdir(dir + "/outdir", 0o755)
        #expect(try UpscaleJobs(input: dir + "/in.png", output: dir + "/outdir", skipExisting: false, force: false)
                .jobs.first?.output == dir + "/outdir/in.png")
        #expect(throws: SRError.self) {
            try UpscaleJobs(input: dir + "/in.png", output: dir + "/in.png", skipExisting: false, force: true)
        }
        #expect(throws: SRError.self) {
            try UpscaleJobs(input: dir + "/missing.png", output: dir + "/x.png", skipExisting: false, force: false)
        }
        #expect(throws: SRError.self) {   // folder in, file out
            try UpscaleJobs(input: dir + "/outdir", output: dir + "/in.png", skipExisting: false, force: false)
        }
    }
}
