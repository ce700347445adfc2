#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore

@Suite struct ColorUpscaleJobsTests {
    @Test func folderPlanIsSortedAndFiltered() throws {
        let dir = ImagingFixtures.tempDir()
        for name in ["b.png", "A.PNG", "a.png", "notes.txt", ".hidden.png", "c.png"] { ImagingFixtures.writeFile(dir + "/" + name, [1]) }
        mkdir(dir + "/sub.png", 0o755)
        let out = dir + "-out"
        let jobs = try ColorUpscaleJobs.plan(input: dir, output: out, skipExisting: false, force: false)
        #expect(jobs.map(\.input) == ["A.PNG", "a.png", "b.png", "c.png"].map { dir + "/" + $0 })
        #expect(jobs.map(\.output) == ["A.PNG", "a.png", "b.png", "c.png"].map { out + "/" + $0 })
        #expect(ColorUpscaleJobs.isDirectory(out))
        // Existing outputs: error, skip, or overwrite.
        ImagingFixtures.writeFile(out + "/b.png", [1])
        #expect(throws: SRError.self) { try ColorUpscaleJobs.plan(input: dir, output: out, skipExisting: false, force: false) }
        let skipping = try ColorUpscaleJobs.plan(input: dir, output: out, skipExisting: true, force: false)
        #expect(skipping.map(\.skip) == [false, false, true, false])
        #expect(try ColorUpscaleJobs.plan(input: dir, output: out, skipExisting: false, force: true).allSatisfy { !$0.skip })
    }

    @Test func filePlans() throws {
        let dir = ImagingFixtures.tempDir()
        ImagingFixtures.writeFile(dir + "/in.png", [1])
        #expect(try ColorUpscaleJobs.plan(input: dir + "/in.png", output: dir + "/o.png", skipExisting: false, force: false)
                == [.init(input: dir + "/in.png", output: dir + "/o.png", skip: false)])
        mkdir(dir + "/outdir", 0o755)
        #expect(try ColorUpscaleJobs.plan(input: dir + "/in.png", output: dir + "/outdir", skipExisting: false, force: false)
                .first?.output == dir + "/outdir/in.png")
        #expect(throws: SRError.self) {
            try ColorUpscaleJobs.plan(input: dir + "/in.png", output: dir + "/in.png", skipExisting: false, force: true)
        }
        #expect(throws: SRError.self) {
            try ColorUpscaleJobs.plan(input: dir + "/missing.png", output: dir + "/x.png", skipExisting: false, force: false)
        }
        #expect(throws: SRError.self) {   // folder in, file out
            try ColorUpscaleJobs.plan(input: dir + "/outdir", output: dir + "/in.png", skipExisting: false, force: false)
        }
    }
}
