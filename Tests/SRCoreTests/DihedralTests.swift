import Testing
@testable import SRCore
import SRTestSupport

@Suite struct DihedralTests {
    /// A 3x2, 2-plane image with all-distinct samples.
    static let probe = Image(width: 3, height: 2, channels: 2, pixels: (0..<12).map { Float($0) })

    @Test func definitionsMatchNumpy() {
        // Plane 0 is [[0,1,2],[3,4,5]]; expected results written from numpy's definitions.
        let expected: [[Float]] = [
            [0, 1, 2, 3, 4, 5],          // identity
            [3, 4, 5, 0, 1, 2],          // flipud
            [2, 1, 0, 5, 4, 3],          // fliplr
            [5, 4, 3, 2, 1, 0],          // both
            [2, 5, 1, 4, 0, 3],          // rot90 CCW: out[i][j] = m[j][W-1-i]
            [3, 0, 4, 1, 5, 2],          // rot90 CW: out[i][j] = m[H-1-j][i]
            [0, 3, 1, 4, 2, 5],          // flipud(rot90 CCW) = transpose
            [5, 2, 4, 1, 3, 0],          // flipud(rot90 CW) = anti-transpose
        ]
        for id in Dihedral.all {
            let t = Dihedral.apply(id, to: Self.probe)
            #expect(t.plane(0).pixels == expected[id], "id \(id)")
            #expect(t.plane(1).pixels == expected[id].map { $0 + 6 }, "id \(id) plane 1")
            #expect((t.width, t.height) == (id >= 4 ? (2, 3) : (3, 2)))
        }
    }

    @Test func eightDistinctAndInversesRestore() {
        let img = Image(width: 5, height: 4, channels: 3,
                        pixels: ImagingFixtures.samples(60, bound: 1000, seed: 1).map { Float($0) })
        var seen = [[Float]]()
        for id in Dihedral.all {
            let t = Dihedral.apply(id, to: img)
            #expect(!seen.contains(t.pixels) || id == 0)
            seen.append(t.pixels)
            #expect(Dihedral.invert(id, on: t) == img)
            #expect(Dihedral.apply(Dihedral.inverse(id), to: t) == img)
        }
        #expect(Set(seen.map { $0.description }).count == 8)
    }

    @Test func compositionIsAGroup() {
        let img = Image(width: 4, height: 3, channels: 1, pixels: (0..<12).map { Float($0 * $0) })
        for a in Dihedral.all {
            for b in Dihedral.all {
                let c = Dihedral.compose(a, after: b)
                #expect(Dihedral.apply(c, to: img) == Dihedral.apply(a, to: Dihedral.apply(b, to: img)))
            }
            #expect(Dihedral.compose(a, after: Dihedral.inverse(a)) == 0)
        }
        // rot90 CCW four times is the identity; twice is "both flips".
        #expect(Dihedral.compose(4, after: 4) == 3)
        #expect(Dihedral.compose(4, after: Dihedral.compose(4, after: 3)) == 0)
    }
}
