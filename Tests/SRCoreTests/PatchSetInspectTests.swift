import Testing
@testable import SRCore
import SRTestSupport

@Suite struct PatchSetInspectTests {
    @Test func summaryAndSheetAgreeWithTheData() throws {
        let dir = try PatchFixture.images("inspect", count: 3)
        defer { PatchFixture.remove(dir) }
        let out = dir + "/s.h5"
        _ = try PatchSetBuilder.build(files: try PatchSetBuilder.listFiles(in: [dir]), output: out,
                                      options: try PatchFixture.options(augment: 4))
        let all = try PatchFixture.readAll(out)
        let s = try PatchSetInspector.summarize(path: out, slice: 50)
        #expect(s.info.count == all.reader.count)
        #expect(s.lr.min == all.lr.min()! && s.lr.max == all.lr.max()!)
        #expect(s.hr.min == all.hr.min()! && s.hr.max == all.hr.max()!)
        let mean = all.hr.reduce(0.0) { $0 + Double($1) } / Double(all.hr.count)
        #expect(abs(s.hr.mean - mean) < 1e-9)
        var perTransform: [Int: Int] = [:]
        for i in 0..<all.reader.count { perTransform[Int(all.origin[4 * i + 1]), default: 0] += 1 }
        #expect(s.perTransform == perTransform && Set(perTransform.keys) == [0, 1, 2, 3])
        #expect(s.sourcesUsed == 3 && s.sources.count == 3)
        #expect(s.attributes.contains { $0.name == "format" && $0.value == "srcore.patches" })

        let sheet = try PatchSetInspector.contactSheet(path: out, pairs: 6, columns: 3)
        #expect(sheet.width == 3 * (2 * 16 + 2 + 4) + 4 && sheet.height == 2 * (16 + 4) + 4)
        // cell 0 is patch 0: its HR top-left pixel and its LR top-left pixel (replicated 2x2)
        #expect(sheet[0, 4, 4 + 16 + 2] == max(0, min(255, all.hr[0] * 255)))
        #expect(sheet[0, 5, 5] == max(0, min(255, all.lr[0] * 255)))
    }
}
