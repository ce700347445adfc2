import Testing
@testable import SRCore
import SRTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The TF tensor-bundle reader against the facts of CHECKPOINTS.md and the golden npz
/// (written by `tf.train.load_checkpoint`).
@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct TFBundleTests {
    typealias S = FormatsTestSupport

    @Test func indexEntriesMatchTheListing() throws {
        let b = try TFBundle(prefix: S.compactCheckpoint(scale: 2))
        #expect(b.names.count == 101)
        #expect(b.shardCount == 1)
        #expect(b.names.first == "A1/conv_B")
        let e = try #require(b.entries["A1/conv_B"])
        #expect(e == TFBundle.Entry(dtype: 1, shape: [24], shardID: 0, offset: 0, size: 96, crc32c: 0xE6AB_7CAF, isSliced: false))
        #expect(b.entries["A1/conv_W"]?.offset == 288 && b.entries["A1/conv_W"]?.size == 12576)
        #expect(b.entries["A1/conv_W"]?.crc32c == 0x35F9_559B)
        #expect(b.entries["beta1_power"]?.shape == [])
        // Accepts the .index path too.
        #expect(try TFBundle(prefix: S.compactCheckpoint(scale: 2) + ".index").names == b.names)
    }

    @Test(arguments: [(2, 27_209), (3, 28_654), (4, 64_201)])
    func importsCompactModelsExactly(scale: Int, params: Int) throws {
        let p = try TFBundle.importDCSCN(prefix: S.compactCheckpoint(scale: scale))
        #expect(p.config == DCSCNConfig.compact(scale: scale))
        #expect(p.config.parameterCount == params)
        let npz = S.readNPZ(SharedData.path("reference/golden/weights_x\(scale).npz"))
        #expect(npz.count == (scale == 4 ? 35 : 33))
        var compared = 0
        for (spec, layer) in zip(p.config.layers, p.layers) {
            let n = TFBundle.variableNames(of: spec)
            let k = try #require(npz[n.kernel])
            #expect(k.shape == [spec.kernel, spec.kernel, spec.inChannels, spec.outChannels], "\(n.kernel)")
            #expect(k.values == layer.kernel, "\(n.kernel)")
            if let bn = n.bias { #expect(npz[bn]?.values == layer.bias, "\(bn)"); compared += 1 }
            if let an = n.alpha { #expect(npz[an]?.values == layer.alpha, "\(an)"); compared += 1 }
            compared += 1
        }
        #expect(compared == npz.count)
    }

    @Test func refusesModelsWithoutNIN() throws {
        for name in ["dcscn_L2_F4to4_PS_R1F4.ckpt", "dcscn_L2_F4to4_Sc4_PS_R1F4.ckpt"] {
            let prefix = SharedData.path("reference/dcscn-tf/" + name)
            #expect(try TFBundle(prefix: prefix).tensor("CNN2/conv_W").shape == [3, 3, 4, 4])
            let e = try #require(throws: SRError.self) { try TFBundle.importDCSCN(prefix: prefix) }
            #expect(e.code == .unsupported)
            #expect(e.description.contains("NIN") && e.description.contains(name))
        }
    }

    @Test func corruptIndexIsAFormatError() throws {
        let dir = S.makeTempDir("tfidx")
        defer { S.removeDir(dir) }
        let prefix = S.copyCheckpoint(S.compactCheckpoint(scale: 2), into: dir)
        let good = S.readBytes(prefix + ".index")
        // A byte inside the data block (a key character), one in a block trailer, the magic, truncation.
        for (i, what) in [(12, "key byte"), (good.count - 48 - 20, "index block"), (good.count - 1, "magic")] {
            var bad = good
            bad[i] ^= 0x40
            S.writeBytes(bad, to: prefix + ".index")
            let e = try #require(throws: SRError.self, "\(what)") { try TFBundle(prefix: prefix) }
            #expect(e.code == .format, "\(what): \(e.message)")
            #expect(e.description.contains(prefix + ".index"))
        }
        S.writeBytes(Array(good[0..<40]), to: prefix + ".index")
        #expect(throws: SRError.self) { try TFBundle(prefix: prefix) }
        S.writeBytes(good, to: prefix + ".index")
        #expect(try TFBundle(prefix: prefix).names.count == 101)
    }

    @Test func corruptOrMissingDataIsAnError() throws {
        let dir = S.makeTempDir("tfdata")
        defer { S.removeDir(dir) }
        let prefix = S.copyCheckpoint(S.compactCheckpoint(scale: 2), into: dir)
        let data = prefix + ".data-00000-of-00001"
        let good = S.readBytes(data)
        var bad = good
        bad[300] ^= 0x01 // inside A1/conv_W (offset 288)
        S.writeBytes(bad, to: data)
        let b = try TFBundle(prefix: prefix)
        #expect(try b.tensor("A1/conv_B").values.count == 24) // untouched tensor still reads
        let e = try #require(throws: SRError.self) { try b.tensor("A1/conv_W") }
        #expect(e.code == .format && e.description.contains("CRC32C") && e.description.contains("A1/conv_W"))
        let e2 = try #require(throws: SRError.self) { try TFBundle.importDCSCN(prefix: prefix) }
        #expect(e2.code == .format)
        S.writeBytes(Array(good[0..<1000]), to: data)
        #expect(throws: SRError.self) { try b.tensor("A1/conv_W") }
        unlink(data)
        let e3 = try #require(throws: SRError.self) { try b.tensor("A1/conv_B") }
        #expect(e3.code == .io && e3.description.contains(data))
    }

    @Test func missingIndexIsAnIOError() {
        let e = #expect(throws: SRError.self) { try TFBundle(prefix: "/nonexistent/model.ckpt") }
        #expect(e?.code == .io)
    }
}

/// Synthetic bundles (no shared data needed): config inference for other architectures, and the
/// variants the reader must refuse.
@Suite struct TFBundleSyntheticTests {
    typealias S = FormatsTestSupport
    typealias W = TFBundleTestWriter

    @Test(arguments: [
        // 12 feature layers: keys sort CNN1 < CNN10 < CNN11 < CNN12 < CNN2; shuffler keeps the width (0).
        DCSCNConfig(scale: 2, layers: 12, filters: 9, minFilters: 3, gamma: 1.5, ninA: 5, ninB: 3, shufflerFilters: 0),
        DCSCNConfig(scale: 3, layers: 4, filters: 6, minFilters: 2, gamma: 1.2, ninA: 4, ninB: 2, shufflerFilters: 1),
        DCSCNConfig(scale: 4, layers: 3, filters: 5, minFilters: 2, gamma: 1.5, ninA: 3, ninB: 2, shufflerFilters: 0),
    ])
    func infersConfigFromShapes(config: DCSCNConfig) throws {
        let dir = S.makeTempDir("tfsyn")
        defer { S.removeDir(dir) }
        let p = try DCSCNParameters.heInitialized(config: config, seed: 5)
        W.bundle(for: p).write(prefix: dir + "/model.ckpt")
        let q = try TFBundle.importDCSCN(prefix: dir + "/model.ckpt")
        #expect(q.config == config)
        #expect(q.layers == p.layers)
    }

    private func refusal(_ edit: (inout W) -> Void, read: String? = nil) throws -> SRError? {
        let dir = S.makeTempDir("tfref")
        defer { S.removeDir(dir) }
        var w = W.bundle(for: try DCSCNParameters.heInitialized(config: .compact(scale: 2), seed: 1))
        edit(&w)
        let prefix = dir + "/bad.ckpt"
        w.write(prefix: prefix)
        do {
            if let name = read { _ = try TFBundle(prefix: prefix).tensor(name) } else { _ = try TFBundle.importDCSCN(prefix: prefix) }
        } catch let e as SRError {
            #expect(e.description.contains(prefix))
            return e
        }
        return nil
    }

    @Test func refusesUnsupportedVariants() throws {
        #expect(try refusal { _ in } == nil) // the unedited bundle imports
        let big = try refusal { $0.bigEndian = true }
        #expect(big?.code == .unsupported && big?.description.contains("big-endian") == true)
        let compressed = try refusal { $0.blockType = 1 }
        #expect(compressed?.code == .unsupported && compressed?.description.contains("compressed") == true)
        let double = try refusal({ $0.tensors.append(.init(name: "extra", shape: [1], values: [0], dtype: 2)) }, read: "extra")
        #expect(double?.code == .unsupported && double?.description.contains("DT_DOUBLE") == true)
        let sliced = try refusal({ $0.tensors[0].sliced = true }, read: "CNN1/conv_W")
        #expect(sliced?.code == .unsupported && sliced?.description.contains("slices") == true)
        let extra = try refusal { $0.tensors.append(.init(name: "CNN1/depthwise_W", shape: [3, 3, 1, 1], values: [Float](repeating: 0, count: 9))) }
        #expect(extra?.code == .unsupported && extra?.description.contains("CNN1/depthwise_W") == true)
        let shape = try refusal { w in
            let i = w.tensors.firstIndex { $0.name == "B2/conv_B" }!
            w.tensors[i] = .init(name: "B2/conv_B", shape: [7], values: [Float](repeating: 0, count: 7))
        }
        #expect(shape?.code == .shapeMismatch && shape?.description.contains("B2/conv_B") == true)
        let missing = try refusal { w in w.tensors.removeAll { $0.name == "A1/prelu/A1_prelu" } }
        #expect(missing?.code == .format && missing?.description.contains("A1/prelu/A1_prelu") == true)
    }
}
