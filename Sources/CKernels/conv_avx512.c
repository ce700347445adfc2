/* AVX-512F direct convolution, NHWC, SIMD over output channels: the generic kernel of conv_avx2.c on
   16-lane vectors, on the same packed weights (srk_conv_pack: blocks of 8, 16 or 24 channels).

   A micro-kernel computes P consecutive output pixels x NV vectors of 16 output channels: per (tap,
   input channel) it loads NV weight vectors, broadcasts one input value per pixel and issues NV*P
   FMAs. Its vectors are up to three consecutive 16-channel blocks (each with its own weight stream,
   same stride), or the two vectors of a 24-channel block (16 + 8 lanes, the second loaded masked), or
   one 8-channel block (8 lanes). (NV, P) in {(3,8), (2,12), (1,16)} keep accumulators + weights +
   one broadcast within the 32 zmm registers; the rest of a row uses narrower tiles with the same
   operations per pixel.

   Every output channel gets the same operations as in the AVX2 generic kernel (bias, then one fused
   multiply-add per (tap, input channel) in the packed order, then PReLU as s > 0 ? s : s * a), so the
   two kernels are bit-identical; a CPU that has AVX-512 runs exactly the numbers an AVX2 one does.
   Narrow layers (srk_conv_narrow_first) and the one-channel stencil run the AVX2 code: their work is
   small and their summation order is their own. Why a separate kernel: on Zen 5 (full 512-bit FMA
   pipes) the AVX2 kernels reach at most half the FMA ceiling (docs/performance.md). */
#include "conv_internal.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,avx2,fma")))
#define AVX512_INLINE static inline __attribute__((always_inline, target("avx512f,avx2,fma")))

/* wv[v]: weight stream of vector v (advancing by `stride` floats per input channel); the last vector
   loads its weights, bias and slopes with `lmask` (the lanes that exist in the packing) and stores
   `smask` (the lanes that are real output channels). */
AVX512_INLINE void micro(const int NV, const int P,
                         const float *const *rowp, const ptrdiff_t *tps, const int *tcin, int n, ptrdiff_t x,
                         const float *const *wv, ptrdiff_t stride, const float *bias, const float *alpha,
                         float *op, ptrdiff_t out_ps, __mmask16 lmask, __mmask16 smask) {
    __m512 acc[P][NV];
    for (int v = 0; v < NV; v++) {
        const __m512 b = v == NV - 1 ? _mm512_maskz_loadu_ps(lmask, bias + 16 * v) : _mm512_loadu_ps(bias + 16 * v);
        for (int p = 0; p < P; p++) acc[p][v] = b;
    }
    ptrdiff_t off = 0;
    for (int e = 0; e < n; e++) {
        const ptrdiff_t ps = tps[e];
        const float *it = rowp[e] + x * ps;
        const int cin = tcin[e];
        for (int c = 0; c < cin; c++) {
            __m512 w[NV];
            for (int v = 0; v < NV; v++)
                w[v] = v == NV - 1 ? _mm512_maskz_loadu_ps(lmask, wv[v] + off) : _mm512_loadu_ps(wv[v] + off);
            off += stride;
            for (int p = 0; p < P; p++) {
                const __m512 xv = _mm512_set1_ps(it[p * ps + c]);
                for (int v = 0; v < NV; v++) acc[p][v] = _mm512_fmadd_ps(xv, w[v], acc[p][v]);
            }
        }
    }
    if (alpha) {
        const __m512 zero = _mm512_setzero_ps();
        for (int v = 0; v < NV; v++) {
            const __m512 a = v == NV - 1 ? _mm512_maskz_loadu_ps(lmask, alpha + 16 * v) : _mm512_loadu_ps(alpha + 16 * v);
            for (int p = 0; p < P; p++) {
                const __m512 s = acc[p][v];
                const __mmask16 pos = _mm512_cmp_ps_mask(s, zero, _CMP_GT_OQ);
                acc[p][v] = _mm512_mask_blend_ps(pos, _mm512_mul_ps(s, a), s);
            }
        }
    }
    for (int p = 0; p < P; p++) {
        float *o = op + p * out_ps;
        for (int v = 0; v < NV - 1; v++) _mm512_storeu_ps(o + 16 * v, acc[p][v]);
        _mm512_mask_storeu_ps(o + 16 * (NV - 1), smask, acc[p][NV - 1]);
    }
}

#define MICRO_ARGS                                                                                \
    const float *const *rowp, const ptrdiff_t *tps, const int *tcin, int n, ptrdiff_t x,              \
    const float *const *wv, ptrdiff_t stride, const float *bias, const float *alpha, float *op,       \
    ptrdiff_t out_ps, __mmask16 lmask, __mmask16 smask
#define MICRO(NV, P)                                                                              \
    static void micro_##NV##_##P(MICRO_ARGS) AVX512;                                              \
    static void micro_##NV##_##P(MICRO_ARGS) {                                                    \
        micro(NV, P, rowp, tps, tcin, n, x, wv, stride, bias, alpha, op, out_ps, lmask, smask);   \
    }
MICRO(3, 8) MICRO(3, 4) MICRO(3, 2) MICRO(3, 1)
MICRO(2, 12) MICRO(2, 8) MICRO(2, 4) MICRO(2, 2) MICRO(2, 1)
MICRO(1, 16) MICRO(1, 8) MICRO(1, 4) MICRO(1, 2) MICRO(1, 1)

typedef void (*micro_fn)(MICRO_ARGS);

/* Tiles of one NV, widest first, ending with P = 1 (see conv_avx2.c: a row is cut greedily). */
typedef struct { int n; int p[5]; micro_fn f[5]; } tile_set;

static const tile_set k_tiles[3] = {
    {5, {16, 8, 4, 2, 1}, {micro_1_16, micro_1_8, micro_1_4, micro_1_2, micro_1_1}},
    {5, {12, 8, 4, 2, 1}, {micro_2_12, micro_2_8, micro_2_4, micro_2_2, micro_2_1}},
    {4, {8, 4, 2, 1}, {micro_3_8, micro_3_4, micro_3_2, micro_3_1}},
};

static inline __mmask16 lanes_mask(int lanes) {
    return lanes >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lanes) - 1u);
}

/* One row of the generic kernel: output channels [0, nout) from weights `w` packed for a layer of
   nout outputs (blocks of srk_conv_block_width(nout)), in groups of vectors as described above. */
AVX512_INLINE void block_row(const srk_conv_layer *L, const float *w, int nout, const srk_tapsegs *ts,
                             const float *const *rowp, float *orow, ptrdiff_t out_ps, int width) {
    const int cpad = (int)srk_conv_padded_cout(nout), block = srk_conv_block_width(nout);
    const size_t per_channel = (size_t)L->k * L->k * L->cin; /* weights per output channel of a block */
    const float *wb = w;
    int o0 = 0;
    while (o0 < cpad) {
        const int bw = (cpad - o0 < block) ? cpad - o0 : block;
        const float *wv[3];
        int nv, lanes_last; /* vectors in this group; lanes of its last vector in the packing */
        if (bw == 16) {
            nv = 1;
            while (nv < 3 && o0 + 16 * (nv + 1) <= cpad) nv++; /* block is 16 here: so are the next ones but a last 8 */
            for (int v = 0; v < nv; v++) wv[v] = wb + (size_t)v * per_channel * 16;
            lanes_last = 16;
        } else if (bw == 24) {
            nv = 2; wv[0] = wb; wv[1] = wb + 16; lanes_last = 8;
        } else { /* 8 */
            nv = 1; wv[0] = wb; lanes_last = 8;
        }
        const int width_ch = bw == 16 ? 16 * nv : bw;       /* channels of the group in the packing */
        const int last0 = o0 + 16 * (nv - 1);                /* first channel of the last vector */
        const int store_lanes = nout - last0 < lanes_last ? nout - last0 : lanes_last;
        const __mmask16 lmask = lanes_mask(lanes_last), smask = lanes_mask(store_lanes);
        const ptrdiff_t stride = bw;
        const tile_set *tiles = &k_tiles[nv - 1];
        const float *bias = L->bias + o0, *alpha = L->alpha ? L->alpha + o0 : NULL;
        float *ob = orow + o0;
        int x = 0;
        for (int t = 0; t < tiles->n; t++) {
            const int P = tiles->p[t];
            for (; x + P <= width; x += P)
                tiles->f[t](rowp, ts->ps, ts->cin, ts->n, x, wv, stride, bias, alpha, ob + (ptrdiff_t)x * out_ps,
                            out_ps, lmask, smask);
        }
        wb += per_channel * (size_t)width_ch;
        o0 += width_ch;
    }
}

static void block_row_avx512(const srk_conv_layer *L, const float *w, int nout, const srk_tapsegs *ts,
                             const float *const *rowp, float *orow, ptrdiff_t out_ps, int width) AVX512;
static void block_row_avx512(const srk_conv_layer *L, const float *w, int nout, const srk_tapsegs *ts,
                             const float *const *rowp, float *orow, ptrdiff_t out_ps, int width) {
    block_row(L, w, nout, ts, rowp, orow, out_ps, width);
}

int srk_conv_rows_avx512(const srk_conv_layer *L, const srk_conv_narrow *N, const srk_tapsegs *ts,
                         const float **rowp, float *out, ptrdiff_t out_rs, ptrdiff_t out_ps,
                         int width, int y0, int y1) {
    return srk_conv_rows_using(block_row_avx512, L, N, ts, rowp, out, out_rs, out_ps, width, y0, y1);
}

#else
int srk_conv_rows_avx512(const srk_conv_layer *L, const srk_conv_narrow *N, const srk_tapsegs *ts,
                         const float **rowp, float *out, ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int y0, int y1) {
    (void)L; (void)N; (void)ts; (void)rowp; (void)out; (void)out_rs; (void)out_ps; (void)width; (void)y0; (void)y1;
    return SRK_EINVAL;
}
#endif
