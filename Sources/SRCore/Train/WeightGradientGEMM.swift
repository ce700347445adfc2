import CKernels
import COpenBLAS
import SRSupport
import SRModel
#if canImport(Glibc)
import Glibc
#endif

/// The training weight gradient of a convolution as k² OpenBLAS `cblas_sgemm` calls, for the layers
/// where that measured faster than `srt_conv_dw` (docs/performance-openblas.md, "Decision, and
/// what is integrated"; bench/gemm_vs_kernels.c, `dw_shift_chunk`).
///
/// For tap t = (ky, kx) it computes, like `srt_conv_dw`,
/// `gw[(t*cin + ci)*cpad + o] += Σ_q in[q + (ky-r)*wp + (kx-r)] (ci) * gz[q] (o)`, o < cout,
/// as one GEMM `C(cin x cout) += Aᵀ B` with A = the input view shifted by the tap (lda = its pixel
/// stride) and B = the gradient view (ldb = cpad), over Q = (n-1)·hp·wp + (h-1)·wp + w consecutive
/// padded pixel positions q starting at pixel (0, 0) of patch 0. Positions in the halo contribute
/// nothing because the gradient's halo is zero (`PaddedBuffer` starts zeroed and `srt_act_bwd`
/// writes only the interior); a halo of at least k/2 keeps every shifted read inside the input's
/// buffer. No copy, no im2col. Each call is single-threaded (the trainer sets
/// `openblas_set_num_threads(1)` and shards patches over its own threads), so results depend only
/// on the trainer's thread count. The sums are not in `srt_conv_dw`'s order: the last bits differ.
/// If the input held inf or NaN, the halo's 0·inf would add NaN where `srt_conv_dw` skips the halo;
/// such a step is lost either way.
package enum WeightGradientGEMM {
    /// The static shape rule: a layer's weight gradient goes through `cblas_sgemm` when
    /// `24 ≤ cout < 32` and (`k²·cin ≥ 256`, or `k = 1 and cin ≥ 128`).
    /// In c-DCSCN (x2, x3, x4) that is exactly CNN2 (3x3 32→26) and A1 (1x1 131→24), the two layers
    /// measured 1.3–2.3x faster with single-threaded OpenBLAS on an AVX2 host
    /// (docs/performance-openblas.md); every other c-DCSCN x2 layer measured faster on `srt_conv_dw`.
    /// The doc's rule without the `cout < 32` cap would also pick x4's first Up-PS (3x3 32→128) and
    /// L12 DCSCN's wide layers (cout ≥ 32), none of which were measured; with it L12 picks none, so
    /// the switch stays on measured shapes.
    package static func prefersGEMM(kernel k: Int, inChannels cin: Int, outChannels cout: Int) -> Bool {
        (24..<32).contains(cout) && (k * k * cin >= 256 || (k == 1 && cin >= 128))
    }

    /// The core type OpenBLAS chose for this CPU (`openblas_get_corename`), e.g. "Haswell".
    package static let coreName: String = openblas_get_corename().map { String(cString: $0) } ?? "unknown"

    /// Whether `name` is an OpenBLAS core type with its own AVX2 or AVX-512 sgemm kernels. On a CPU
    /// OpenBLAS does not know (Debian's 0.3.21 on Intel family 6 model 207, Emerald Rapids) it falls
    /// back to its SSE3 "Prescott" kernels; there the two trainer threads' sgemm calls ran one at a
    /// time and training at 2 threads halved (docs/performance-openblas.md, "Untuned OpenBLAS cores").
    package static func isTunedCore(_ name: String) -> Bool {
        ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"].contains(name.lowercased())
    }

    /// `SRCORE_TRAIN_GEMM=0` (read once): the GEMM path off, for before/after measurements in one build.
    private static let switchedOff: Bool = getenv("SRCORE_TRAIN_GEMM").map { String(cString: $0) } == "0"

    /// Whether the GEMM path is used at all: only on a tuned OpenBLAS core (`isTunedCore`), and not
    /// when switched off by `SRCORE_TRAIN_GEMM=0`.
    package static let enabled: Bool = !switchedOff && isTunedCore(coreName)

    /// One line for `sr bench --train`: which weight-gradient path the c-DCSCN layers take and why.
    package static var summary: String {
        let why = switchedOff ? "SRCORE_TRAIN_GEMM=0"
            : isTunedCore(coreName) ? "tuned" : "untuned, so not used"
        return "weight gradient of CNN2 and A1: " + (enabled ? "OpenBLAS sgemm" : "srcore's kernel")
            + " (OpenBLAS core \(coreName): \(why))"
    }

    /// Whether the GEMM path is used under the kernel ISA `isa`: only where `isa` resolves to the
    /// AVX2 kernels. Forcing the portable kernels (tests with `SRK_ISA_PORTABLE`, valgrind with
    /// `SRCORE_KERNELS=portable`) keeps the whole step on srcore's own portable C code, so those runs
    /// stay the plain reference they are meant to be (and valgrind never meets OpenBLAS's assembly).
    package static func applies(isa: Int32) -> Bool { srk_isa_uses_avx2(isa) != 0 }

    /// Adds the weight gradient into `gw` (k·k·cin rows of `cpad`, like `srt_conv_dw`; columns
    /// ≥ cout are left alone). `input` and `gz` are views of zero-haloed buffers of `n` patches of
    /// `h` x `w` pixels with a halo of `pad` ≥ k/2 pixels. Returns false (and writes nothing) when
    /// the views do not have that layout; the caller then uses `srt_conv_dw`.
    package static func accumulate(input: srt_view, cin: Int, gz: srt_view, cout: Int, cpad: Int,
                                   n: Int, h: Int, w: Int, k: Int, pad: Int, gw: UnsafeMutablePointer<Float>) -> Bool {
        let r = k / 2
        guard n >= 0, h >= 0, w >= 0, cin >= 0, cout >= 1, cout <= cpad, k >= 1, pad >= r else { return false }
        if n == 0 || h == 0 || w == 0 || cin == 0 { return true } // nothing to add
        let hp = h + 2 * pad, wp = w + 2 * pad
        // Both views must step through the same padded pixel grid, one pixel per ps.
        guard input.ps >= cin, gz.ps >= cpad,
              input.rs == wp * input.ps, input.ns == hp * input.rs,
              gz.rs == wp * gz.ps, gz.ns == hp * gz.rs else { return false }
        let q = (n - 1) * hp * wp + (h - 1) * wp + w
        guard q <= Int(Int32.max), input.ps <= Int(Int32.max), gz.ps <= Int(Int32.max),
              k * k * cin * cpad <= Int(Int32.max) else { return false }
        for t in 0..<(k * k) {
            let a = input.base + (t / k - r) * input.rs + (t % k - r) * input.ps
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, blasint(cin), blasint(cout), blasint(q), 1,
                        a, blasint(input.ps), gz.base, blasint(gz.ps), 1, gw + t * cin * cpad, blasint(cpad))
        }
        return true
    }
}
