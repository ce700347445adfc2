import Testing
@testable import SRCore
import SRTestSupport

@Suite struct PatchGridTests {
    /// Brute force: every top-left corner that keeps the window inside, on the stride lattice.
    static func enumerate(_ h: Int, _ w: Int, p: Int, t: Int) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var y = 0
        while y + p <= h {
            var x = 0
            while x + p <= w { out.append((y, x)); x += t }
            y += t
        }
        return out
    }

    @Test(arguments: [(32, 16), (32, 32), (8, 4), (8, 3), (48, 24), (5, 1)])
    func countMatchesEnumeration(patch: Int, stride: Int) throws {
        let grid = try PatchGrid(scale: 2, lrPatch: patch, stride: stride)
        for (h, w) in [(0, 0), (patch - 1, 100), (patch, patch), (patch + 1, patch), (100, 57), (251, 333), (patch, 3 * patch + 1)] {
            let windows = Self.enumerate(h, w, p: patch, t: stride)
            #expect(grid.count(lrHeight: h, lrWidth: w) == windows.count, "\(h)x\(w) P\(patch) T\(stride)")
            for k in 0..<windows.count {
                let o = grid.origin(k, lrWidth: w)
                #expect(o.y == windows[k].0 && o.x == windows[k].1)
            }
        }
    }

    @Test func hrSizesAreCroppedAndTransposed() throws {
        let grid = try PatchGrid(scale: 3, lrPatch: 10)
        #expect(grid.stride == 5 && grid.hrPatch == 30)
        // 65 x 98 HR -> crop 63 x 96 -> LR 21 x 32: (1 + 11/5) * (1 + 22/5) = 3 * 5
        #expect(grid.count(height: 65, width: 98, transform: 0) == 15)
        #expect(grid.count(height: 65, width: 98, transform: 3) == 15)
        // transposed: 98 x 65 -> 96 x 63 -> LR 32 x 21: 5 * 3
        #expect(grid.count(height: 65, width: 98, transform: 5) == 15)
        #expect(grid.count(height: 29, width: 300, transform: 0) == 0)
        #expect(grid.count(height: 29, width: 300, transform: 4) == 0)
        #expect(grid.count(height: 61, width: 300, transform: 4) == grid.count(hrHeight: 300, hrWidth: 61))
    }

    @Test func invalidSettingsAreRefused() {
        #expect(throws: SRError.self) { try PatchGrid(scale: 1, lrPatch: 32) }
        #expect(throws: SRError.self) { try PatchGrid(scale: 2, lrPatch: 1) }
        #expect(throws: SRError.self) { try PatchGrid(scale: 2, lrPatch: 32, stride: 0) }
        #expect(throws: SRError.self) { try AugmentationPlan(level: 3) }
        #expect((try? AugmentationPlan(level: 4))?.transforms == [0, 1, 2, 3])
        #expect((try? AugmentationPlan(level: 8))?.transforms == Array(0..<8))
    }

    @Test(arguments: [1, 2, 3, 5, 64, 1000, 4097, 27088])
    func permutationIsABijection(n: Int) {
        let perm = KeyedPermutation(count: n, key: 42)
        var seen = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let r = perm(i)
            #expect(r >= 0 && r < n)
            #expect(!seen[r])
            seen[r] = true
            #expect(perm.inverse(r) == i)
        }
    }

    @Test func permutationDependsOnTheKey() {
        let a = KeyedPermutation(count: 1000, key: 1), b = KeyedPermutation(count: 1000, key: 2)
        let same = (0..<1000).filter { a($0) == b($0) }.count
        #expect(same < 20)
        // and is not close to the identity: few fixed points, neighbours land far apart
        #expect((0..<1000).filter { a($0) == $0 }.count < 20)
        #expect((0..<999).filter { abs(a($0) - a($0 + 1)) < 10 }.count < 50)
    }
}
