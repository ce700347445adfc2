/* AVX-512F weight gradient of a convolution (srt_conv_dw on 16-lane vectors).

   The AVX2 kernel (train_conv.c) holds CB input channels x NV vectors of 8 output channels in
   registers and streams the w pixels of a row through them: per pixel NV gradient loads, CB
   broadcasts, CB*NV FMAs. This one does the same on 16-lane vectors, with up to 4 of them (64 output
   channels) per block and the last vector of a block masked when cpad is not a multiple of 16 (its
   8 lanes loaded, accumulated and stored under a mask; the lanes beyond cpad are never touched).
   (CB, NV) in {(5,4), (6,3), (8,2), (16,1)} keep CB*NV accumulators + NV gradients + a broadcast in
   the 32 zmm registers; an input-channel remainder runs narrower tiles (CB halving) of the same NV.

   Every gw entry gets the same operations as in the AVX2 kernel (its current value, then one FMA
   per pixel in the same order: patches, rows, taps' pixels ascending), so the two are
   bit-identical; only the grouping of entries into registers differs. Why: on CPUs with full-width
   512-bit FMA pipes the AVX2 kernel is at most half the FMA ceiling, and the weight gradient is a
   third of a training step's multiply-adds (docs/performance.md, "Intel family 6 model 207"). */
#include "train_conv_internal.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,avx2,fma")))
#define AVX512_INLINE static inline __attribute__((always_inline, target("avx512f,avx2,fma")))

/* One tile: CB input channels x NV output vectors, accumulated over the w pixels of a row; the last
   vector uses `m` (its lanes that exist in gw). */
AVX512_INLINE void dw_tile(const int CB, const int NV, const float *ip, ptrdiff_t ips, const float *gp, ptrdiff_t gps,
                           int w, float *gr, int cpad, __mmask16 m) {
    __m512 acc[CB][NV];
    for (int c = 0; c < CB; c++)
        for (int v = 0; v < NV; v++)
            acc[c][v] = v == NV - 1 ? _mm512_maskz_loadu_ps(m, gr + (size_t)c * cpad + 16 * v)
                                    : _mm512_loadu_ps(gr + (size_t)c * cpad + 16 * v);
    for (int x = 0; x < w; x++) {
        __m512 g[NV];
        for (int v = 0; v < NV; v++)
            g[v] = v == NV - 1 ? _mm512_maskz_loadu_ps(m, gp + x * gps + 16 * v) : _mm512_loadu_ps(gp + x * gps + 16 * v);
        for (int c = 0; c < CB; c++) {
            const __m512 b = _mm512_set1_ps(ip[x * ips + c]);
            for (int v = 0; v < NV; v++) acc[c][v] = _mm512_fmadd_ps(b, g[v], acc[c][v]);
        }
    }
    for (int c = 0; c < CB; c++)
        for (int v = 0; v < NV; v++) {
            float *o = gr + (size_t)c * cpad + 16 * v;
            if (v == NV - 1) _mm512_mask_storeu_ps(o, m, acc[c][v]);
            else _mm512_storeu_ps(o, acc[c][v]);
        }
}

typedef void (*dw_fn)(const float *, ptrdiff_t, const float *, ptrdiff_t, int, float *, int, __mmask16);
#define TILE(CB, NV)                                                                                          \
    static AVX512 void dw_tile_##CB##_##NV(const float *ip, ptrdiff_t ips, const float *gp, ptrdiff_t gps,    \
                                           int w, float *gr, int cpad, __mmask16 m) {                          \
        dw_tile(CB, NV, ip, ips, gp, gps, w, gr, cpad, m);                                                     \
    }
TILE(5, 4) TILE(2, 4) TILE(1, 4)
TILE(6, 3) TILE(3, 3) TILE(1, 3)
TILE(8, 2) TILE(4, 2) TILE(2, 2) TILE(1, 2)
TILE(16, 1) TILE(8, 1) TILE(4, 1) TILE(2, 1) TILE(1, 1)

/* The tiles of one NV, widest CB first, ending with CB = 1. */
typedef struct { int n; int cb[5]; dw_fn f[5]; } dw_tiles;
static const dw_tiles k_tiles[4] = {
    {5, {16, 8, 4, 2, 1}, {dw_tile_16_1, dw_tile_8_1, dw_tile_4_1, dw_tile_2_1, dw_tile_1_1}},
    {4, {8, 4, 2, 1}, {dw_tile_8_2, dw_tile_4_2, dw_tile_2_2, dw_tile_1_2}},
    {3, {6, 3, 1}, {dw_tile_6_3, dw_tile_3_3, dw_tile_1_3}},
    {3, {5, 2, 1}, {dw_tile_5_4, dw_tile_2_4, dw_tile_1_4}},
};

AVX512 void srt_dw_avx512(srt_view in, int cin, srt_view gz, int cpad, int n, int h, int w, int k, int d, float *gw) {
    const int p = k / 2;
    for (int o0 = 0; o0 < cpad; o0 += 64) {
        const int rem = cpad - o0 >= 64 ? 64 : cpad - o0;   /* a multiple of 8 */
        const int nv = (rem + 15) / 16, last = rem - 16 * (nv - 1);
        const __mmask16 m = last >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << last) - 1u);
        const dw_tiles *tiles = &k_tiles[nv - 1];
        for (int img = 0; img < n; img++)
            for (int y = 0; y < h; y++) {
                const float *gp = gz.base + img * gz.ns + y * gz.rs + o0;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++) {
                        const float *ip0 = in.base + img * in.ns + (y + (ky - p) * d) * in.rs + (kx - p) * d * in.ps;
                        float *g0 = gw + (size_t)(ky * k + kx) * cin * cpad + o0;
                        int c = 0;
                        for (int t = 0; t < tiles->n; t++) {
                            const int CB = tiles->cb[t];
                            for (; c + CB <= cin; c += CB)
                                tiles->f[t](ip0 + c, in.ps, gp, gz.ps, w, g0 + (size_t)c * cpad, cpad, m);
                        }
                    }
            }
    }
}
#endif
