import CKernels
import Testing
@testable import SRCore
import SRTestSupport

/// The C kernels report failures (srk_status.h) and the Swift callers turn them into `SRError`s
/// instead of returning stale output. Allocation failures are injected with the test-only
/// `srk_test_fail_allocs`, which is per thread: these synchronous tests set it and call the kernels
/// on the same thread, so tests running in parallel are not affected.
@Suite struct KernelFailureTests {
    static func image(_ w: Int, _ h: Int, seed: UInt64) -> Image {
        var rng = SeededGenerator(seed: seed)
        return Image(width: w, height: h, pixels: (0..<(w * h)).map { _ in Float(rng.nextUnit() * 255) })
    }

    // MARK: out of memory

    @Test func forwardPassThrowsOutOfMemoryThenWorksAgain() throws {
        let net = try DCSCN(parameters: try DCSCNParameters.heInitialized(config: .compact(scale: 2), seed: 3))
        let lr = Self.image(13, 9, seed: 1)
        let bic = Resize.bicubic(lr, width: 26, height: 18)
        let good = try net.forward(lr: lr, bicubic: bic, threads: 2)
        for threads in [1, 3] {
            srk_test_fail_allocs(1)
            defer { srk_test_fail_allocs(0) }
            // A different input, so stale output from the run above could not pass for a result.
            let other = Self.image(13, 9, seed: 2)
            let e = #expect(throws: SRError.self) {
                try net.forward(lr: other, bicubic: Resize.bicubic(other, width: 26, height: 18), threads: threads)
            }
            #expect(e?.code == .outOfMemory)
            #expect(e?.message.contains("forward 13x9") == true, "\(e?.message ?? "")")
            #expect(srk_test_fail_allocs(0) == 0, "the failure was consumed by the plan")
            #expect(try net.forward(lr: lr, bicubic: bic, threads: threads).pixels == good.pixels)
        }
    }

    @Test func kernelOpsConvThrowsOutOfMemory() throws {
        srk_test_fail_allocs(1)
        defer { srk_test_fail_allocs(0) }
        let e = #expect(throws: SRError.self) {
            try KernelOps.conv([Float](repeating: 1, count: 12), height: 3, width: 4, cin: 1,
                               kernel: [Float](repeating: 0.5, count: 9), k: 3, cout: 1)
        }
        #expect(e?.code == .outOfMemory)
        let ok = try KernelOps.conv([Float](repeating: 1, count: 12), height: 3, width: 4, cin: 1,
                                    kernel: [Float](repeating: 0.5, count: 9), k: 3, cout: 1)
        #expect(ok[5] == 4.5)   // an interior pixel: 9 taps of 1 * 0.5
    }

    @Test func convScratchAllocationCanFail() {
        srk_test_fail_allocs(1)
        defer { srk_test_fail_allocs(0) }
        #expect(srk_conv_scratch_new() == nil)
        let s = srk_conv_scratch_new()
        #expect(s != nil)
        srk_conv_scratch_free(s)
    }

    /// A trainer whose graphs cannot get their kernel scratch throws `.outOfMemory`; a trainer built
    /// afterwards trains exactly like one built without the hook.
    @Test func trainerThrowsOutOfMemoryThenTrains() throws {
        let config = TrainTestSupport.smallConfig(scale: 2)
        var o = TrainOptions()
        o.batch = 4; o.threads = 2; o.schedule = .constant(0.001)
        let b = try TrainBatch.synthetic(count: 4, lrSide: 6, scale: 2, seed: 8)
        func make() throws -> Trainer {
            try Trainer(parameters: try DCSCNParameters.heInitialized(config: config, seed: 6), options: o, lrSide: 6)
        }
        let reference = try make()
        let r0 = try reference.train(b, stepsPerEpoch: 10)
        do {
            srk_test_fail_allocs(1)
            defer { srk_test_fail_allocs(0) }
            let e = #expect(throws: SRError.self) { _ = try make() }
            #expect(e?.code == .outOfMemory)
        }
        let t = try make()
        let r1 = try t.train(b, stepsPerEpoch: 10)
        #expect(r1.loss == r0.loss && r1.gradNorm == r0.gradNorm)
        #expect(t.weights == reference.weights)
    }

    // MARK: invalid arguments

    /// More output channels than the activation kernels' tables: the trainer refuses the config,
    /// and a graph used directly gets SRK_EINVAL from C (an error, not an out-of-bounds write).
    @Test func channelLimitIsCheckedInSwiftAndInC() throws {
        let wide = Int(SRT_MAX_CHANNELS) + 1
        let config = DCSCNConfig(scale: 2, featureWidths: [wide, 3], ninA: 3, ninB: 2, shufflerFilters: 1)
        let e1 = #expect(throws: SRError.self) {
            _ = try Trainer(parameters: try DCSCNParameters.heInitialized(config: config, seed: 1), options: TrainOptions(), lrSide: 3)
        }
        #expect(e1?.code == .unsupported)
        let g = try TrainingGraph(config: config, n: 1, h: 3, w: 3)
        let params = [Float](repeating: 0.01, count: ParameterLayout(config: config).count)
        let e2 = #expect(throws: SRError.self) { try params.withUnsafeBufferPointer { try g.forward($0.baseAddress!) } }
        #expect(e2?.code == .internal)
        #expect(e2?.message.contains("activation") == true, "\(e2?.message ?? "")")
    }

    @Test func activationPassesRejectTooManyChannels() {
        let c = Int(SRT_MAX_CHANNELS) + 1
        let z = [Float](repeating: -1, count: c)
        var out = [Float](repeating: 7, count: c)
        var ga = [Double](repeating: 0, count: c)
        out.withUnsafeMutableBufferPointer { o in
            let v = srt_view(base: o.baseAddress, ns: c, rs: c, ps: c)
            for isa in [SRK_ISA_AUTO, SRK_ISA_PORTABLE] {
                #expect(srt_act_fwd(z, Int32(c), nil, nil, v, 1, 1, 1, Int32(isa)) == SRK_EINVAL)
                #expect(srt_act_bwd(z, Int32(c), v, nil, nil, v, 1, 1, 1, &ga, nil, Int32(isa)) == SRK_EINVAL)
                #expect(srt_act_fwd(z, 0, nil, nil, v, 1, 1, 1, Int32(isa)) == SRK_EINVAL)
            }
            #expect(srt_act_fwd(z, 4, nil, nil, v, 1, 1, 1, 9) == SRK_EINVAL, "unknown isa")
        }
        #expect(out.allSatisfy { $0 == 7 } && ga.allSatisfy { $0 == 0 }, "nothing written")
    }

    @Test func weightGradientRejectsBadArguments() {
        var gw = [Float](repeating: 3, count: 16)
        var x = [Float](repeating: 1, count: 16)
        x.withUnsafeMutableBufferPointer { xp in
            let v = srt_view(base: xp.baseAddress, ns: 8, rs: 8, ps: 8)
            #expect(srt_conv_dw(v, 1, v, 8, 1, 1, 1, 0, &gw, Int32(SRK_ISA_AUTO)) == SRK_EINVAL)   // k = 0
            #expect(srt_conv_dw(v, -1, v, 8, 1, 1, 1, 1, &gw, Int32(SRK_ISA_AUTO)) == SRK_EINVAL)  // cin < 0
            #expect(srt_conv_dw(v, 1, v, 8, 1, 1, 1, 1, &gw, 5) == SRK_EINVAL)                     // isa
        }
        #expect(gw.allSatisfy { $0 == 3 })
    }

    /// A conv whose input parts do not add up to the layer, a missing scratch, an unknown ISA.
    @Test func convRowsRejectInconsistentArguments() throws {
        let input = [Float](repeating: 1, count: 9 * 2), weights = [Float](repeating: 1, count: 9 * 2 * 8)
        let bias = [Float](repeating: 0, count: 8)
        var out = [Float](repeating: 5, count: 9)
        let scratch = try #require(srk_conv_scratch_new())
        defer { srk_conv_scratch_free(scratch) }
        input.withUnsafeBufferPointer { ip in
            weights.withUnsafeBufferPointer { wp in
                bias.withUnsafeBufferPointer { bp in
                    var layer = srk_conv_layer(k: 1, cin: 2, cout: 1, w: wp.baseAddress, bias: bp.baseAddress, alpha: nil, dilation: 1)
                    var part = srk_input(base: ip.baseAddress, rs: 6, ps: 2, channels: 1)   // 1 channel, layer wants 2
                    let rc = out.withUnsafeMutableBufferPointer {
                        srk_conv_rows(&layer, nil, Int32(SRK_ISA_AUTO), &part, 1, $0.baseAddress, 3, 1, 3, 0, 3, scratch)
                    }
                    #expect(rc == SRK_EINVAL)
                    part.channels = 2
                    let noScratch = out.withUnsafeMutableBufferPointer {
                        srk_conv_rows(&layer, nil, Int32(SRK_ISA_AUTO), &part, 1, $0.baseAddress, 3, 1, 3, 0, 3, nil)
                    }
                    #expect(noScratch == SRK_EINVAL)
                    let badISA = out.withUnsafeMutableBufferPointer {
                        srk_conv_rows(&layer, nil, Int32(SRK_ISA_AVX512) + 1, &part, 1, $0.baseAddress, 3, 1, 3, 0, 3, scratch)
                    }
                    #expect(badISA == SRK_EINVAL)
                    #expect(out.allSatisfy { $0 == 5 }, "nothing written")
                    let ok = out.withUnsafeMutableBufferPointer {
                        srk_conv_rows(&layer, nil, Int32(SRK_ISA_AUTO), &part, 1, $0.baseAddress, 3, 1, 3, 0, 3, scratch)
                    }
                    #expect(ok == SRK_OK)
                    #expect(out.allSatisfy { $0 == 2 })
                }
            }
        }
    }

    /// The plan checks every step before running any: an inconsistent second step means nothing is
    /// written, and `failed_step` names it.
    @Test func planRejectsAnInconsistentStepBeforeRunning() throws {
        var a = [Float](repeating: 1, count: 6), b = [Float](repeating: 2, count: 6), out = [Float](repeating: 9, count: 6)
        a.withUnsafeMutableBufferPointer { ap in
            b.withUnsafeMutableBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { op in
                    var steps = [srk_step](repeating: srk_step(), count: 2)
                    steps[0].kind = Int32(SRK_STEP_ADD)
                    steps[0].rows = 2; steps[0].width = 3
                    steps[0].in = UnsafePointer(ap.baseAddress); steps[0].in_rs = 3
                    steps[0].in2 = UnsafePointer(bp.baseAddress); steps[0].in2_rs = 3
                    steps[0].out = op.baseAddress; steps[0].out_rs = 3
                    steps[1] = steps[0]
                    steps[1].kind = 3   // no such step kind
                    for threads: Int32 in [1, 2] {
                        var failed: Int32 = -7
                        #expect(srk_run_plan(steps, 2, threads, Int32(SRK_ISA_AUTO), &failed) == SRK_EINVAL)
                        #expect(failed == 1)
                    }
                    #expect(op.allSatisfy { $0 == 9 }, "nothing written")
                    var failed: Int32 = -7
                    #expect(srk_run_plan(steps, 1, 2, Int32(SRK_ISA_AUTO), &failed) == SRK_OK)
                    #expect(failed == -1)
                    #expect(op.allSatisfy { $0 == 3 })
                    srk_test_fail_allocs(1)
                    #expect(srk_run_plan(steps, 1, 2, Int32(SRK_ISA_AUTO), &failed) == SRK_ENOMEM)
                    #expect(failed == -1)
                    srk_test_fail_allocs(0)
                }
            }
        }
    }
}
