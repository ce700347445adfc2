/* AVX2+FMA direct convolution, NHWC, SIMD over output channels.

   A micro-kernel computes P consecutive output pixels x NV vectors (8 output channels each) of one
   weight block in registers: per (tap, input channel) it loads NV weight vectors, broadcasts one
   input value per pixel and issues NV*P FMAs. (NV, P) in {(3,3), (2,6), (1,12)} (weight blocks of
   24, 16 or 8 channels: srk_conv_block_width) keep accumulators + weights + one broadcast within the
   16 ymm registers. The rest of a row uses narrower tiles (run_row) with the same order of
   operations per pixel, so every output is bit-identical whatever its position. A layer whose last
   vector would hold only 1..3 of its channels computes those with the narrow kernel instead
   (srk_conv_narrow_first): c-DCSCN's 26, 18 and 11 channels as 24 + 2, 16 + 2 and 8 + 3, no
   zero-padded lanes. The kernels never allocate: the caller's srk_conv_scratch holds the row
   pointers. */
#include "conv_internal.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define AVX2_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

static const int k_mask_src[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

AVX2_INLINE void micro(const int NV, const int P,
                       const float *const *rowp, const ptrdiff_t *tps, const int *tcin, int n, ptrdiff_t x,
                       const float *wb, const float *bias, const float *alpha,
                       float *op, ptrdiff_t out_ps, int lastvalid) {
    const __m256i lastmask = _mm256_loadu_si256((const __m256i *)(k_mask_src + 8 - lastvalid));
    __m256 acc[P][NV];
    for (int v = 0; v < NV; v++) {
        const __m256 b = _mm256_loadu_ps(bias + 8 * v);
        for (int p = 0; p < P; p++) acc[p][v] = b;
    }
    const float *wp = wb;
    for (int e = 0; e < n; e++) {
        const ptrdiff_t ps = tps[e];
        const float *it = rowp[e] + x * ps;
        const int cin = tcin[e];
        for (int c = 0; c < cin; c++) {
            __m256 w[NV];
            for (int v = 0; v < NV; v++) w[v] = _mm256_loadu_ps(wp + 8 * v);
            wp += 8 * NV;
            for (int p = 0; p < P; p++) {
                const __m256 xv = _mm256_broadcast_ss(it + p * ps + c);
                for (int v = 0; v < NV; v++) acc[p][v] = _mm256_fmadd_ps(xv, w[v], acc[p][v]);
            }
        }
    }
    if (alpha) {
        const __m256 zero = _mm256_setzero_ps();
        for (int v = 0; v < NV; v++) {
            const __m256 a = _mm256_loadu_ps(alpha + 8 * v);
            for (int p = 0; p < P; p++) {
                const __m256 s = acc[p][v];
                const __m256 neg = _mm256_mul_ps(s, a);
                acc[p][v] = _mm256_blendv_ps(neg, s, _mm256_cmp_ps(s, zero, _CMP_GT_OQ));
            }
        }
    }
    for (int p = 0; p < P; p++) {
        float *o = op + p * out_ps;
        for (int v = 0; v < NV - 1; v++) _mm256_storeu_ps(o + 8 * v, acc[p][v]);
        _mm256_maskstore_ps(o + 8 * (NV - 1), lastmask, acc[p][NV - 1]);
    }
}

#define MICRO_ARGS                                                                                \
    const float *const *rowp, const ptrdiff_t *tps, const int *tcin, int n, ptrdiff_t x,              \
    const float *wb, const float *bias, const float *alpha, float *op, ptrdiff_t out_ps, int lastvalid
#define MICRO(NV, P)                                                                              \
    static void micro_##NV##_##P(MICRO_ARGS) AVX2;                                                \
    static void micro_##NV##_##P(MICRO_ARGS) {                                                    \
        micro(NV, P, rowp, tps, tcin, n, x, wb, bias, alpha, op, out_ps, lastvalid);              \
    }
MICRO(3, 3) MICRO(3, 2) MICRO(3, 1)
MICRO(2, 6) MICRO(2, 4) MICRO(2, 2) MICRO(2, 1)
MICRO(1, 12) MICRO(1, 8) MICRO(1, 4) MICRO(1, 2) MICRO(1, 1)

typedef void (*micro_fn)(MICRO_ARGS);

/* The tiles of one kernel family, widest first, ending with P = 1. A row is cut greedily into the
   widest tiles that fit, so its last pixels run at P > 1 too (a P = 1 tile has one accumulator chain
   per vector and waits on the FMA latency: with 32-pixel training patches and P = 12 a quarter of
   the row went through it). Every tile runs the same operations per pixel, so the outputs do not
   depend on the cut. */
typedef struct { int n; int p[5]; micro_fn f[5]; } tile_set;

static const tile_set k_tiles_nv3 = {3, {3, 2, 1}, {micro_3_3, micro_3_2, micro_3_1}};
static const tile_set k_tiles_nv2 = {4, {6, 4, 2, 1}, {micro_2_6, micro_2_4, micro_2_2, micro_2_1}};
static const tile_set k_tiles_nv1 = {5, {12, 8, 4, 2, 1}, {micro_1_12, micro_1_8, micro_1_4, micro_1_2, micro_1_1}};

/* Narrow layers (cout <= 8): SIMD over 8 input channels. A micro-kernel holds P pixels x G outputs
   of 8-lane partial sums; per 8-channel chunk it loads G weight vectors and one input vector per
   pixel (masked for a part's last, partial chunk). At the end each accumulator is summed across
   lanes (fixed hadd tree), then bias and PReLU are applied. Every output of a layer goes through
   the same sequence, whatever its position or the thread computing it. */
AVX2_INLINE void nmicro(const int G, const int P,
                        const float *const *rowp, const ptrdiff_t *tps, const int *tcin, int n, ptrdiff_t x,
                        const float *wg, const float *bias, const float *alpha,
                        float *op, ptrdiff_t out_ps, int nvalid) {
    __m256 acc[P][G];
    for (int p = 0; p < P; p++)
        for (int o = 0; o < G; o++) acc[p][o] = _mm256_setzero_ps();
    const float *wp = wg;
    for (int e = 0; e < n; e++) {
        const ptrdiff_t ps = tps[e];
        const float *it = rowp[e] + x * ps;
        const int cin = tcin[e];
        int c = 0;
        for (; c + 8 <= cin; c += 8) {
            __m256 w[G];
            for (int o = 0; o < G; o++) w[o] = _mm256_loadu_ps(wp + 8 * o);
            wp += 8 * G;
            for (int p = 0; p < P; p++) {
                const __m256 xv = _mm256_loadu_ps(it + p * ps + c);
                for (int o = 0; o < G; o++) acc[p][o] = _mm256_fmadd_ps(xv, w[o], acc[p][o]);
            }
        }
        if (c < cin) {
            const __m256i m = _mm256_loadu_si256((const __m256i *)(k_mask_src + 8 - (cin - c)));
            __m256 w[G];
            for (int o = 0; o < G; o++) w[o] = _mm256_loadu_ps(wp + 8 * o);
            wp += 8 * G;
            for (int p = 0; p < P; p++) {
                const __m256 xv = _mm256_maskload_ps(it + p * ps + c, m);
                for (int o = 0; o < G; o++) acc[p][o] = _mm256_fmadd_ps(xv, w[o], acc[p][o]);
            }
        }
    }
    for (int p = 0; p < P; p++) {
        float *o = op + p * out_ps;
        if (G > 1) {
            /* lane o of h's two halves holds two halves of output o's sum; missing outputs of a
               2- or 3-channel group are zero */
            const __m256 z = _mm256_setzero_ps();
            const __m256 a2 = G > 2 ? acc[p][G > 2 ? 2 : 0] : z, a3 = G > 3 ? acc[p][G > 3 ? 3 : 0] : z;
            const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(acc[p][0], acc[p][1]), _mm256_hadd_ps(a2, a3));
            __m128 r = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
            r = _mm_add_ps(r, _mm_loadu_ps(bias));
            if (alpha) {
                const __m128 neg = _mm_mul_ps(r, _mm_loadu_ps(alpha));
                r = _mm_blendv_ps(neg, r, _mm_cmpgt_ps(r, _mm_setzero_ps()));
            }
            if (nvalid >= 4) _mm_storeu_ps(o, r);
            else _mm_maskstore_ps(o, _mm_loadu_si128((const __m128i *)(k_mask_src + 8 - nvalid)), r);
        } else {
            const __m256 a = acc[p][0];
            __m128 r = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
            r = _mm_hadd_ps(r, r);
            r = _mm_hadd_ps(r, r);
            float v = _mm_cvtss_f32(r) + bias[0];
            if (alpha && !(v > 0.0f)) v *= alpha[0];
            o[0] = v;
        }
    }
}

#define NMICRO(G, P)                                                                              \
    static void nmicro_##G##_##P(MICRO_ARGS) AVX2;                                                \
    static void nmicro_##G##_##P(MICRO_ARGS) {                                                    \
        nmicro(G, P, rowp, tps, tcin, n, x, wb, bias, alpha, op, out_ps, lastvalid);              \
    }
NMICRO(4, 2) NMICRO(4, 1)
NMICRO(3, 4) NMICRO(3, 2) NMICRO(3, 1)
NMICRO(2, 6) NMICRO(2, 4) NMICRO(2, 2) NMICRO(2, 1)
NMICRO(1, 8) NMICRO(1, 4) NMICRO(1, 2) NMICRO(1, 1)

/* G x P accumulators + G weights + one input vector within the 16 registers. */
static const tile_set k_tiles_n4 = {2, {2, 1}, {nmicro_4_2, nmicro_4_1}};
static const tile_set k_tiles_n3 = {3, {4, 2, 1}, {nmicro_3_4, nmicro_3_2, nmicro_3_1}};
static const tile_set k_tiles_n2 = {4, {6, 4, 2, 1}, {nmicro_2_6, nmicro_2_4, nmicro_2_2, nmicro_2_1}};
static const tile_set k_tiles_n1 = {4, {8, 4, 2, 1}, {nmicro_1_8, nmicro_1_4, nmicro_1_2, nmicro_1_1}};

/* Runs one row of `width` pixels of one weight block through `tiles` (widest first). */
AVX2_INLINE void run_row(const tile_set *tiles, const float *const *rowp, const ptrdiff_t *tps, const int *tcin,
                         int n, int width, const float *wb, const float *bias, const float *alpha,
                         float *orow, ptrdiff_t out_ps, int lastvalid) {
    int x = 0;
    for (int t = 0; t < tiles->n; t++) {
        const int P = tiles->p[t];
        for (; x + P <= width; x += P)
            tiles->f[t](rowp, tps, tcin, n, x, wb, bias, alpha, orow + (ptrdiff_t)x * out_ps, out_ps, lastvalid);
    }
}

/* One row of the narrow kernel: output channels [N->first, cout) in groups of srk_conv_narrow_group.
   Also the AVX-512 path's narrow kernel (conv_internal.h). */
AVX2 void srk_conv_narrow_row_avx2(const srk_conv_layer *L, const srk_conv_narrow *N, const srk_tapsegs *ts,
                            const float *const *rowp, float *orow, ptrdiff_t out_ps, int width) {
    const int cout = L->cout, first = N->first, G = srk_conv_narrow_group(cout, first);
    const int groups = (cout - first + G - 1) / G;
    const size_t gsize = (size_t)N->chunks * G * 8;
    const tile_set *tiles = G == 4 ? &k_tiles_n4 : G == 3 ? &k_tiles_n3 : G == 2 ? &k_tiles_n2 : &k_tiles_n1;
    for (int og = 0; og < groups; og++) {
        const int o0 = first + og * G, nvalid = cout - o0;
        const float *alpha = L->alpha ? L->alpha + o0 : NULL;
        run_row(tiles, rowp, ts->ps, ts->cin, ts->n, width, N->w + og * gsize, L->bias + o0, alpha, orow + o0,
                out_ps, nvalid);
    }
}

/* One row of the generic kernel: output channels [0, nout) from weights `w` packed for a layer of
   nout outputs (srk_conv_pack / srk_conv_pack_main), blocks of srk_conv_block_width(nout). */
AVX2_INLINE void block_row(const srk_conv_layer *L, const float *w, int nout, const srk_tapsegs *ts,
                           const float *const *rowp, float *orow, ptrdiff_t out_ps, int width) {
    const int cpad = (int)srk_conv_padded_cout(nout), block = srk_conv_block_width(nout);
    const float *wb = w;
    for (int o0 = 0; o0 < cpad; o0 += block) {
        const int bw = (cpad - o0 < block) ? cpad - o0 : block;
        const int nv = bw / 8;
        const int lastvalid = nout - (o0 + 8 * (nv - 1)); /* 1..8 (more when not the last block) */
        const int mask = lastvalid > 8 ? 8 : lastvalid;
        /* block widths 8, 16, 24: nv <= 3 */
        const tile_set *tiles = nv == 3 ? &k_tiles_nv3 : nv == 2 ? &k_tiles_nv2 : &k_tiles_nv1;
        const float *alpha = L->alpha ? L->alpha + o0 : NULL;
        run_row(tiles, rowp, ts->ps, ts->cin, ts->n, width, wb, L->bias + o0, alpha, orow + o0, out_ps, mask);
        wb += (size_t)L->k * L->k * L->cin * bw;
    }
}

/* One input part of one channel and one output channel (R-CNN1 at x2/x3 in c-DCSCN): a stencil,
   SIMD over 8 pixels, one table entry per tap. Same operations per output as the generic kernel
   (bias, then one FMA per tap in order). Also the AVX-512 path's stencil (conv_internal.h). */
AVX2 void srk_conv_stencil_rows_avx2(const srk_conv_layer *L, const srk_tapsegs *ts, const float **rowp, float *out,
                         ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int y0, int y1) {
    const int n = ts->n;
    const ptrdiff_t ps = ts->ps[0];
    const float b = L->bias[0];
    for (int y = y0; y < y1; y++) {
        srk_tapsegs_row(ts, y, rowp);
        float *orow = out + (ptrdiff_t)y * out_rs;
        int x = 0;
        if (ps == 1 && out_ps == 1) {
            for (; x + 8 <= width; x += 8) {
                __m256 acc = _mm256_set1_ps(b);
                for (int e = 0; e < n; e++)
                    acc = _mm256_fmadd_ps(_mm256_loadu_ps(rowp[e] + x), _mm256_set1_ps(L->w[8 * e]), acc);
                if (L->alpha) {
                    const __m256 neg = _mm256_mul_ps(acc, _mm256_set1_ps(L->alpha[0]));
                    acc = _mm256_blendv_ps(neg, acc, _mm256_cmp_ps(acc, _mm256_setzero_ps(), _CMP_GT_OQ));
                }
                _mm256_storeu_ps(orow + x, acc);
            }
        }
        for (; x < width; x++) {
            float acc = b;
            for (int e = 0; e < n; e++) acc = __builtin_fmaf(rowp[e][(ptrdiff_t)x * ps], L->w[8 * e], acc);
            if (L->alpha && !(acc > 0.0f)) acc *= L->alpha[0];
            orow[(ptrdiff_t)x * out_ps] = acc;
        }
    }
}

AVX2 int srk_conv_rows_using(srk_block_row_fn block_row_fn, const srk_conv_layer *L, const srk_conv_narrow *N,
                             const srk_tapsegs *ts, const float **rowp, float *out, ptrdiff_t out_rs,
                             ptrdiff_t out_ps, int width, int y0, int y1) {
    const int cout = L->cout;
    if (srk_conv_is_stencil(L, ts)) {
        srk_conv_stencil_rows_avx2(L, ts, rowp, out, out_rs, out_ps, width, y0, y1);
        return SRK_OK;
    }
    const int first = srk_conv_narrow_fit(L, N, ts);
    for (int y = y0; y < y1; y++) {
        srk_tapsegs_row(ts, y, rowp);
        float *orow = out + (ptrdiff_t)y * out_rs;
        if (first < 0) {
            block_row_fn(L, L->w, cout, ts, rowp, orow, out_ps, width);
        } else {
            if (first > 0) block_row_fn(L, N->main, first, ts, rowp, orow, out_ps, width);
            srk_conv_narrow_row_avx2(L, N, ts, rowp, orow, out_ps, width);
        }
    }
    return SRK_OK;
}

static void block_row_avx2(const srk_conv_layer *L, const float *w, int nout, const srk_tapsegs *ts,
                           const float *const *rowp, float *orow, ptrdiff_t out_ps, int width) AVX2;
static void block_row_avx2(const srk_conv_layer *L, const float *w, int nout, const srk_tapsegs *ts,
                           const float *const *rowp, float *orow, ptrdiff_t out_ps, int width) {
    block_row(L, w, nout, ts, rowp, orow, out_ps, width);
}

int srk_conv_rows_avx2(const srk_conv_layer *L, const srk_conv_narrow *N, const srk_tapsegs *ts,
                       const float **rowp, float *out, ptrdiff_t out_rs, ptrdiff_t out_ps,
                       int width, int y0, int y1) {
    return srk_conv_rows_using(block_row_avx2, L, N, ts, rowp, out, out_rs, out_ps, width, y0, y1);
}

#else
int srk_conv_rows_avx2(const srk_conv_layer *L, const srk_conv_narrow *N, const srk_tapsegs *ts,
                       const float **rowp, float *out, ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int y0, int y1) {
    (void)L; (void)N; (void)ts; (void)rowp; (void)out; (void)out_rs; (void)out_ps; (void)width; (void)y0; (void)y1;
    return SRK_EINVAL;
}
#endif
