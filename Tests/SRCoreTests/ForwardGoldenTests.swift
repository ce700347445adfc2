import Testing
@testable import SRCore
import SRTestSupport

/// The forward pass against the reference's own tensors (golden/README.md items 4 and 7).
@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct ForwardGoldenTests {
    /// Every intermediate tensor of the 20x20 debug crop matches the reference's dump.
    @Test(arguments: [2, 3, 4])
    func perLayerActivations(scale: Int) throws {
        let net = try ForwardFixtures.network(scale: scale)
        let dir = "debug/x\(scale)_crop/"
        let lr = Image(width: 20, height: 20, pixels: SharedData.readF32("reference/golden/" + dir + "input_x.f32"))
        let bic = Image(width: 20 * scale, height: 20 * scale,
                        pixels: SharedData.readF32("reference/golden/" + dir + "input_x2.f32"))
        let tensors = try net.intermediateTensors(lr: lr, bicubic: bic)
        // Golden layer files are H00..Hnn in execution order, then y_ (the output).
        let layerFiles = ForwardFixtures.files(in: "debug/x\(scale)_crop").filter {
            $0.hasPrefix("H") && $0.dropFirst().first?.isNumber == true
        }
        #expect(tensors.count == layerFiles.count + 1)
        for (t, file) in zip(tensors, layerFiles + ["y_.f32"]) {
            let golden = SharedData.readF32("reference/golden/" + dir + file)
            #expect(t.values.count == golden.count, "\(t.name) vs \(file): \(t.shape)")
            let d = ForwardFixtures.maxAbsDiff(t.values, golden)
            #expect(d <= 1e-3, "x\(scale) \(t.name) vs \(file): max abs diff \(d)")
        }
        // H_concat = CNN1..CNN_L in layer order.
        let hconcat = SharedData.readF32("reference/golden/" + dir + "H_concat.f32")
        let widths = net.config.featureWidths
        var offset = 0
        for (i, w) in widths.enumerated() {
            let cnn = tensors[i].values
            var d: Float = 0
            for p in 0..<400 { for c in 0..<w { d = max(d, abs(cnn[p * w + c] - hconcat[p * net.config.concatWidth + offset + c])) } }
            #expect(d <= 1e-3, "H_concat slice of CNN\(i + 1): \(d)")
            offset += w
        }
    }

    /// Whole set5 images: output = net + bicubic matches `img_00N_out.f32` (x2, x3, x4).
    @Test(arguments: [2, 3, 4])
    func fullImages(scale: Int) throws {
        let net = try ForwardFixtures.network(scale: scale)
        for n in 1...5 {
            let base = "set5/x\(scale)/img_00\(n)"
            let lr = ForwardFixtures.image(base + "_lr.f32")
            let bic = ForwardFixtures.image(base + "_bicubic.f32")
            let want = SharedData.readF32("reference/golden/" + base + "_out.f32")
            let out = try net.forward(lr: lr, bicubic: bic, threads: 2)
            #expect(out.width == bic.width && out.height == bic.height)
            let d = ForwardFixtures.maxAbsDiff(out.pixels, want)
            #expect(d <= 1e-3, "\(base): max abs diff \(d)")
        }
    }

    /// The depth_to_space probe: arange(48) as [2,3,8], block 2 (TF's DCR order).
    @Test func depthToSpaceProbe() throws {
        let input = SharedData.readF32("reference/golden/debug/depth_to_space_in_1x2x3x8.f32")
        let want = SharedData.readF32("reference/golden/debug/depth_to_space_out_block2.f32")
        let got = try KernelOps.depthToSpace(input, height: 2, width: 3, channels: 8, block: 2)
        #expect(got == want)
    }
}
