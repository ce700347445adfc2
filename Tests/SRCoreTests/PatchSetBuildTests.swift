#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

@Suite struct PatchSetBuildTests {
    /// Recomputes the HR and LR luma images of (source, transform) independently of the builder.
    static func recompute(_ source: String, transform: Int, scale: Int) throws -> (hr: Image, lr: Image) {
        let luma = YCbCr.luma(try PNGCodec.read(path: source).image)
        var hr = Dihedral.apply(transform, to: luma)
        hr = hr.cropped(width: hr.width / scale * scale, height: hr.height / scale * scale)
        return (hr, Resize.bicubic(hr, width: hr.width / scale, height: hr.height / scale))
    }

    /// The `p x p` window at `(y, x)` divided by 255.
    static func cut(_ img: Image, _ y: Int, _ x: Int, _ p: Int) -> [Float] {
        (0..<(p * p)).map { img[0, y + $0 / p, x + $0 % p] / 255 }
    }

    @Test func buildsReopensAndEveryOriginIsRecomputable() throws {
        let dir = try PatchFixture.images("build", withSmall: true)
        defer { PatchFixture.remove(dir) }
        let files = try PatchSetBuilder.listFiles(in: [dir])
        let options = try PatchFixture.options()
        let out = dir + "/train.h5"
        let report = try PatchSetBuilder.build(files: files, output: out, options: options)
        #expect(report.skippedSmall == [dir + "/small.png"])
        #expect(report.info.skippedSmall == 1 && report.info.images == 5)
        let (origin, lr, hr, reader) = try PatchFixture.readAll(out)
        #expect(reader.count == report.info.count && reader.scale == 2 && reader.lrPatch == 8 && reader.hrPatch == 16)
        #expect(reader.dtype == "float32")
        #expect(try reader.sources() == files)

        // The set of origins is exactly the grid of every (image, transform), each once.
        var expected = Set<[Int32]>()
        for (g, f) in files.enumerated() {
            let h = try PNGCodec.readHeader(path: f)
            for t in 0..<8 {
                let tr = t >= 4
                let lh = (tr ? h.width : h.height) / 2, lw = (tr ? h.height : h.width) / 2
                for k in 0..<options.grid.count(lrHeight: lh, lrWidth: lw) {
                    let o = options.grid.origin(k, lrWidth: lw)
                    expected.insert([Int32(g), Int32(t), Int32(o.y), Int32(o.x)])
                }
            }
        }
        let got = (0..<reader.count).map { Array(origin[(4 * $0)..<(4 * $0 + 4)]) }
        #expect(Set(got) == expected && got.count == expected.count)

        // Patches recomputed from /origin equal the stored ones bit for bit.
        var pairs: [[Int32]: (hr: Image, lr: Image)] = [:]
        var mismatches = 0
        for row in 0..<reader.count {
            let o = Array(origin[(4 * row)..<(4 * row + 4)])
            let key = [o[0], o[1]]
            if pairs[key] == nil { pairs[key] = try Self.recompute(files[Int(o[0])], transform: Int(o[1]), scale: 2) }
            let pair = pairs[key]!, y = Int(o[2]), x = Int(o[3])
            if Array(lr[(row * 64)..<((row + 1) * 64)]) != Self.cut(pair.lr, y, x, 8)
                || Array(hr[(row * 256)..<((row + 1) * 256)]) != Self.cut(pair.hr, 2 * y, 2 * x, 16) { mismatches += 1 }
        }
        #expect(mismatches == 0, "\(mismatches) of \(reader.count) patches differ from their recomputation")
        #expect(hr.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(PatchFixture.names(dir).filter { $0.contains(".tmp-") }.isEmpty)
    }

    @Test func sameSeedGivesIdenticalDatasetsAndAnotherSeedAnotherOrder() throws {
        let dir = try PatchFixture.images("determinism", count: 3)
        defer { PatchFixture.remove(dir) }
        let files = try PatchSetBuilder.listFiles(in: [dir])
        var options = try PatchFixture.options(augment: 4)
        options.threads = 2
        _ = try PatchSetBuilder.build(files: files, output: dir + "/a.h5", options: options)
        options.threads = 1
        _ = try PatchSetBuilder.build(files: files, output: dir + "/b.h5", options: options)
        options.seed = 8
        _ = try PatchSetBuilder.build(files: files, output: dir + "/c.h5", options: options)
        let a = try PatchFixture.readAll(dir + "/a.h5"), b = try PatchFixture.readAll(dir + "/b.h5")
        let c = try PatchFixture.readAll(dir + "/c.h5")
        #expect(a.origin == b.origin)
        #expect(a.lr.elementsEqual(b.lr) { $0.bitPattern == $1.bitPattern })
        #expect(a.hr.elementsEqual(b.hr) { $0.bitPattern == $1.bitPattern })
        #expect(a.origin != c.origin)
        #expect(a.origin.count == c.origin.count)
    }

    @Test func aSliceOf64IsAsMixedAsARandomPermutation() throws {
        let dir = try PatchFixture.images("mix", count: 6)
        defer { PatchFixture.remove(dir) }
        let out = dir + "/m.h5"
        _ = try PatchSetBuilder.build(files: try PatchSetBuilder.listFiles(in: [dir]), output: out, options: try PatchFixture.options())
        let origin = try PatchFixture.readAll(out).origin
        let groups = (0..<(origin.count / 4)).map { Int(origin[4 * $0]) * 8 + Int(origin[4 * $0 + 1]) }
        func meanDistinct(_ g: [Int]) -> Double {
            let slices = g.count / 64
            var total = 0
            for k in 0..<slices { total += Set(g[(k * 64)..<(k * 64 + 64)]).count }
            return Double(total) / Double(slices)
        }
        var rng = SeededGenerator(seed: 3)
        var random = 0.0
        for _ in 0..<10 { random += meanDistinct(groups.shuffled(using: &rng)) / 10 }
        let stored = meanDistinct(groups), sorted = meanDistinct(groups.sorted())
        #expect(stored > 0.9 * random, "stored \(stored) vs random \(random)")
        #expect(sorted < 0.5 * random, "the measure must be able to fail: sorted \(sorted)")
    }

    @Test func shardsMergedHoldTheUnshardedContent() throws {
        let dir = try PatchFixture.images("shards", count: 5)
        defer { PatchFixture.remove(dir) }
        let files = try PatchSetBuilder.listFiles(in: [dir])
        var options = try PatchFixture.options(augment: 2)
        _ = try PatchSetBuilder.build(files: files, output: dir + "/all.h5", options: options)
        options.shardCount = 2
        for k in 0..<2 {
            options.shardIndex = k
            _ = try PatchSetBuilder.build(files: files, output: dir + "/s\(k).h5", options: options)
        }
        let info = try PatchSetMerger.merge(inputs: [dir + "/s0.h5", dir + "/s1.h5"], output: dir + "/merged.h5")
        let whole = try PatchFixture.readAll(dir + "/all.h5"), merged = try PatchFixture.readAll(dir + "/merged.h5")
        #expect(info.count == whole.reader.count && merged.reader.count == whole.reader.count)
        #expect(try merged.reader.sources() == files)
        func keyed(_ s: (origin: [Int32], lr: [Float], hr: [Float], reader: PatchSetReader)) -> [[Int32]: [Float]] {
            var d: [[Int32]: [Float]] = [:]
            for i in 0..<s.reader.count {
                d[Array(s.origin[(4 * i)..<(4 * i + 4)])] = Array(s.lr[(64 * i)..<(64 * i + 64)]) + Array(s.hr[(256 * i)..<(256 * i + 256)])
            }
            return d
        }
        let kw = keyed(whole), km = keyed(merged)
        #expect(kw.count == whole.reader.count)
        #expect(kw == km)
        // rows alternate between the shards at the start (interleaved mapping)
        let shard0 = Set(files.indices.filter { $0 % 2 == 0 }.map { Int32($0) })
        #expect(shard0.contains(merged.origin[0]) && !shard0.contains(merged.origin[4]))
    }

    @Test func incompatibleShardsAreRefused() throws {
        let dir = try PatchFixture.images("incompat", count: 2)
        defer { PatchFixture.remove(dir) }
        let files = try PatchSetBuilder.listFiles(in: [dir])
        var options = try PatchFixture.options(augment: 1)
        _ = try PatchSetBuilder.build(files: files, output: dir + "/a.h5", options: options)
        options.grid = try PatchGrid(scale: 2, lrPatch: 8, stride: 8)
        _ = try PatchSetBuilder.build(files: files, output: dir + "/b.h5", options: options)
        #expect { try PatchSetMerger.merge(inputs: [dir + "/a.h5", dir + "/b.h5"], output: dir + "/m.h5") } throws: {
            ($0 as? SRError)?.description.contains("stride") == true
        }
        #expect(!PatchFixture.names(dir).contains("m.h5"))
    }
}
