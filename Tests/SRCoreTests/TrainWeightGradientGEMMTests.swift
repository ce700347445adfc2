import CKernels
import Testing
@testable import SRCore
import SRTestSupport

/// The OpenBLAS weight-gradient path (`WeightGradientGEMM`) against `srt_conv_dw` and a float64 loop,
/// and the shape rule that picks its layers.
@Suite struct TrainWeightGradientGEMMTests {
    /// (k, cin, cout, ld, channel offset, pad, n, h, w): CNN2 and A1 of c-DCSCN as the graph sees them
    /// (input = H_concat, 131 floats per pixel), then odd shapes: a channel slice of a wider buffer,
    /// cout not a multiple of 8, a halo wider than k/2, a 5x5 kernel, one patch of one row.
    static let shapes: [(Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (3, 32, 26, 131, 0, 1, 4, 8, 9),     // CNN2
        (1, 131, 24, 131, 0, 1, 4, 8, 9),    // A1
        (3, 19, 13, 40, 5, 2, 3, 5, 7),
        (5, 11, 30, 11, 0, 2, 2, 6, 4),
        (3, 7, 9, 8, 1, 1, 1, 1, 6),
    ]

    @Test(arguments: 0..<shapes.count)
    func gemmMatchesConvDW(shape: Int) throws {
        let (k, cin, cout, ld, off, pad, n, h, w) = Self.shapes[shape]
        let cpad = Int(srk_conv_padded_cout(Int32(cout)))
        let input = try PaddedBuffer(n: n, h: h, w: w, pad: pad, ld: ld)
        let gz = try PaddedBuffer(n: n, h: h, w: w, pad: pad, ld: cpad)
        var rng = SeededGenerator(seed: UInt64(1000 + shape))
        let iv = input.view(off), gv = gz.view()
        let all = input.view()
        func at(_ v: srt_view, _ i: Int, _ y: Int, _ x: Int, _ c: Int) -> UnsafeMutablePointer<Float> {
            v.base + i * v.ns + y * v.rs + x * v.ps + c
        }
        // Interiors only (the halos stay zero, as in the graph); every channel of the input buffer,
        // so reading a neighbouring slice would show.
        for i in 0..<n { for y in 0..<h { for x in 0..<w {
            for c in 0..<ld { at(all, i, y, x, c).pointee = Float(rng.nextUnit() * 2 - 1) }
            for o in 0..<cout { at(gv, i, y, x, o).pointee = Float(rng.nextUnit() * 2 - 1) }
        } } }
        // Both add into what is there: start from the same non-zero values.
        let count = k * k * cin * cpad
        let start = (0..<count).map { Float(($0 % 7) - 3) * 0.25 }
        let viaDW = try FloatBuffer(count: count, what: "test"), viaGEMM = try FloatBuffer(count: count, what: "test")
        viaDW.base.update(from: start, count: count); viaGEMM.base.update(from: start, count: count)
        #expect(srt_conv_dw(iv, Int32(cin), gv, Int32(cpad), Int32(n), Int32(h), Int32(w), Int32(k), viaDW.base,
                            Int32(SRK_ISA_AUTO)) == SRK_OK)
        #expect(WeightGradientGEMM.accumulate(input: iv, cin: cin, gz: gv, cout: cout, cpad: cpad,
                                              n: n, h: h, w: w, k: k, pad: pad, gw: viaGEMM.base))
        // Error bound: each result is the start value plus K products summed in float, K = n·h·w (the
        // GEMM also adds the halo's exact zeros). Any summation order, FMA or not, is within
        // K·2^-24 · (|start| + Σ|terms|) of the exact sum (the γ_K bound, K·u ≪ 1), so the two differ by
        // at most twice that; each is within it of the float64 sum.
        let r = k / 2, kk = n * h * w
        let u = 0x1.0p-24
        var worstDW = 0.0, worstGEMM = 0.0, worstPair = 0.0
        for ky in 0..<k { for kx in 0..<k { for c in 0..<cin { for o in 0..<cpad {
            let idx = ((ky * k + kx) * cin + c) * cpad + o
            var s = Double(start[idx]), mag = abs(Double(start[idx]))
            if o < cout {
                for i in 0..<n { for y in 0..<h { for x in 0..<w {
                    let yy = y + ky - r, xx = x + kx - r
                    guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                    let t = Double(at(iv, i, yy, xx, c).pointee) * Double(at(gv, i, y, x, o).pointee)
                    s += t; mag += abs(t)
                } } }
            }
            let bound = Double(kk + 1) * u * mag
            let d = Double(viaDW.base[idx]), g = Double(viaGEMM.base[idx])
            if o >= cout {
                // Padding columns: the GEMM leaves them alone; srt_conv_dw adds gz's zero channels.
                #expect(g == Double(start[idx]))
                continue
            }
            worstDW = max(worstDW, abs(d - s) / bound)
            worstGEMM = max(worstGEMM, abs(g - s) / bound)
            worstPair = max(worstPair, abs(g - d) / (2 * bound))
        } } } }
        #expect(worstDW <= 1, "srt_conv_dw vs float64: \(worstDW) of the bound")
        #expect(worstGEMM <= 1, "GEMM vs float64: \(worstGEMM) of the bound")
        #expect(worstPair <= 1, "GEMM vs srt_conv_dw: \(worstPair) of the bound")
    }

    /// A view whose rows or patches are not laid out as one padded grid is refused (and nothing written),
    /// so the graph falls back to `srt_conv_dw`.
    @Test func refusesOtherLayouts() throws {
        let input = try PaddedBuffer(n: 2, h: 4, w: 4, pad: 1, ld: 8)
        let gz = try PaddedBuffer(n: 2, h: 4, w: 4, pad: 1, ld: 8)
        let gw = try FloatBuffer(count: 9 * 8 * 8, what: "test")
        var dense = gz.view(); dense.ns = 4 * 4 * 8; dense.rs = 4 * 8
        #expect(!WeightGradientGEMM.accumulate(input: input.view(), cin: 8, gz: dense, cout: 8, cpad: 8,
                                               n: 2, h: 4, w: 4, k: 3, pad: 1, gw: gw.base))
        #expect(!WeightGradientGEMM.accumulate(input: input.view(), cin: 8, gz: gz.view(), cout: 8, cpad: 8,
                                               n: 2, h: 4, w: 4, k: 5, pad: 1, gw: gw.base)) // halo < k/2
        #expect(gw.array.allSatisfy { $0 == 0 })
    }

    /// The rule picks exactly CNN2 and A1 of c-DCSCN (every scale) and nothing of L12 DCSCN, the two layers measured faster on
    /// OpenBLAS (docs/performance-openblas.md); the graph applies it only where the AVX2 kernels run.
    @Test(arguments: [2, 3, 4])
    func rulePicksCNN2AndA1(scale: Int) throws {
        let config = DCSCNConfig.compact(scale: scale)
        let picked = config.layers.filter {
            WeightGradientGEMM.prefersGEMM(kernel: $0.kernel, inChannels: $0.inChannels, outChannels: $0.outChannels)
        }.map(\.name)
        #expect(picked == ["CNN2", "A1"])
        let graph = try TrainingGraph(config: config, n: 1, h: 4, w: 4)
        let inGraph = zip(config.layers, graph.gemmLayers).filter(\.1).map(\.0.name)
        #expect(inGraph == (WeightGradientGEMM.enabled ? ["CNN2", "A1"] : []))
        #expect(!WeightGradientGEMM.applies(isa: Int32(SRK_ISA_PORTABLE)))
        // L12 DCSCN's shapes were not measured: none is switched.
        #expect(!DCSCNConfig.standard(scale: scale).layers.contains {
            WeightGradientGEMM.prefersGEMM(kernel: $0.kernel, inChannels: $0.inChannels, outChannels: $0.outChannels)
        })
    }

    /// The GEMM path is gated on OpenBLAS's core type: its own AVX2/AVX-512 kernels only, never the SSE3
    /// "Prescott" fallback it picks on CPUs it does not know (docs/performance-openblas.md, "Untuned
    /// OpenBLAS cores"), whatever the environment says.
    @Test func onlyOnTunedOpenBLASCores() {
        for name in ["Haswell", "Zen", "SkylakeX", "COOPERLAKE", "sapphirerapids"] { #expect(WeightGradientGEMM.isTunedCore(name)) }
        for name in ["Prescott", "Core2", "Nehalem", "Sandybridge", "Katmai", "", "unknown"] { #expect(!WeightGradientGEMM.isTunedCore(name)) }
        if !WeightGradientGEMM.isTunedCore(WeightGradientGEMM.coreName) { #expect(!WeightGradientGEMM.enabled) }
        #expect(WeightGradientGEMM.summary.contains(WeightGradientGEMM.coreName))
    }
}
