/* Training-side conv kernels: the weight gradient (portable and AVX2+FMA here, AVX-512 in
   train_conv_avx512.c, bit-identical to the AVX2 one) and element-wise passes
   on views (the activation passes compiled plain and with AVX2, bit-identical). */
#include "train_conv_internal.h"
#include "ckernels.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SRT_X86 1
#endif

/* ---- weight gradient ---------------------------------------------------------------------- */

static void dw_portable(srt_view in, int cin, srt_view gz, int cpad, int n, int h, int w, int k, int d, float *gw) {
    const int p = k / 2;
    for (int img = 0; img < n; img++)
        for (int y = 0; y < h; y++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) {
                    float *g0 = gw + (size_t)(ky * k + kx) * cin * cpad;
                    for (int x = 0; x < w; x++) {
                        const float *ip = in.base + img * in.ns + (y + (ky - p) * d) * in.rs + (x + (kx - p) * d) * in.ps;
                        const float *gp = gz.base + img * gz.ns + y * gz.rs + x * gz.ps;
                        for (int ci = 0; ci < cin; ci++) {
                            const float v = ip[ci];
                            float *gr = g0 + (size_t)ci * cpad;
                            for (int o = 0; o < cpad; o++) gr[o] += v * gp[o];
                        }
                    }
                }
}

#ifdef SRT_X86
#define AVX2_INLINE static inline __attribute__((always_inline, target("avx2,fma")))
#define AVX2 __attribute__((target("avx2,fma")))

/* One tile: CB input channels x NV output vectors, accumulated over the w pixels of a row. */
AVX2_INLINE void dw_tile(const int CB, const int NV, const float *ip, ptrdiff_t ips, const float *gp, ptrdiff_t gps,
                         int w, float *gr, int cpad) {
    __m256 acc[CB][NV];
    for (int c = 0; c < CB; c++)
        for (int v = 0; v < NV; v++) acc[c][v] = _mm256_loadu_ps(gr + (size_t)c * cpad + 8 * v);
    for (int x = 0; x < w; x++) {
        __m256 g[NV];
        for (int v = 0; v < NV; v++) g[v] = _mm256_loadu_ps(gp + x * gps + 8 * v);
        for (int c = 0; c < CB; c++) {
            const __m256 b = _mm256_broadcast_ss(ip + x * ips + c);
            for (int v = 0; v < NV; v++) acc[c][v] = _mm256_fmadd_ps(b, g[v], acc[c][v]);
        }
    }
    for (int c = 0; c < CB; c++)
        for (int v = 0; v < NV; v++) _mm256_storeu_ps(gr + (size_t)c * cpad + 8 * v, acc[c][v]);
}

#define TILE(CB, NV)                                                                                   \
    static AVX2 void dw_tile_##CB##_##NV(const float *ip, ptrdiff_t ips, const float *gp, ptrdiff_t gps, \
                                         int w, float *gr, int cpad) {                                  \
        dw_tile(CB, NV, ip, ips, gp, gps, w, gr, cpad);                                                 \
    }
TILE(2, 4) TILE(1, 4) TILE(3, 3) TILE(1, 3) TILE(4, 2) TILE(1, 2) TILE(8, 1) TILE(1, 1)
typedef void (*dw_fn)(const float *, ptrdiff_t, const float *, ptrdiff_t, int, float *, int);

static AVX2 void dw_avx2(srt_view in, int cin, srt_view gz, int cpad, int n, int h, int w, int k, int d, float *gw) {
    const int p = k / 2;
    for (int o0 = 0; o0 < cpad; o0 += 32) {
        const int nv = (cpad - o0) >= 32 ? 4 : (cpad - o0) / 8;
        dw_fn big, one;
        int CB;
        switch (nv) {
        case 4: big = dw_tile_2_4; one = dw_tile_1_4; CB = 2; break;
        case 3: big = dw_tile_3_3; one = dw_tile_1_3; CB = 3; break;
        case 2: big = dw_tile_4_2; one = dw_tile_1_2; CB = 4; break;
        default: big = dw_tile_8_1; one = dw_tile_1_1; CB = 8; break;
        }
        for (int img = 0; img < n; img++)
            for (int y = 0; y < h; y++) {
                const float *gp = gz.base + img * gz.ns + y * gz.rs + o0;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++) {
                        const float *ip0 = in.base + img * in.ns + (y + (ky - p) * d) * in.rs + (kx - p) * d * in.ps;
                        float *g0 = gw + (size_t)(ky * k + kx) * cin * cpad + o0;
                        int c = 0;
                        for (; c + CB <= cin; c += CB) big(ip0 + c, in.ps, gp, gz.ps, w, g0 + (size_t)c * cpad, cpad);
                        for (; c < cin; c++) one(ip0 + c, in.ps, gp, gz.ps, w, g0 + (size_t)c * cpad, cpad);
                    }
            }
    }
}
#endif

int srt_conv_dw_dilated(srt_view in, int cin, srt_view gz, int cpad, int n, int h, int w, int k, int d, float *gw, int isa) {
    if (cin < 0 || cpad < 1 || n < 0 || h < 0 || w < 0 || k < 1 || d < 1 || !srk_isa_valid(isa)) return SRK_EINVAL;
    if (!gw || ((size_t)n * h * w * cin > 0 && (!in.base || !gz.base))) return SRK_EINVAL;
#ifdef SRT_X86
    if (srk_isa_uses_avx512(isa) && cpad % 8 == 0) { srt_dw_avx512(in, cin, gz, cpad, n, h, w, k, d, gw); return SRK_OK; }
    if (srk_isa_uses_avx2(isa) && cpad % 8 == 0) { dw_avx2(in, cin, gz, cpad, n, h, w, k, d, gw); return SRK_OK; }
#endif
    dw_portable(in, cin, gz, cpad, n, h, w, k, d, gw);
    return SRK_OK;
}

int srt_conv_dw(srt_view in, int cin, srt_view gz, int cpad, int n, int h, int w, int k, float *gw, int isa) {
    return srt_conv_dw_dilated(in, cin, gz, cpad, n, h, w, k, 1, gw, isa);
}

/* ---- element-wise ops on views ----------------------------------------------------------- */

static inline __attribute__((always_inline)) void act_fwd(const float *z, int c, const float *alpha, const float *mask, srt_view out, int n, int h, int w) {
    float ones[SRT_MAX_CHANNELS], alp[SRT_MAX_CHANNELS];   /* c <= SRT_MAX_CHANNELS: checked by srt_act_fwd */
    for (int j = 0; j < c && j < SRT_MAX_CHANNELS; j++) { ones[j] = 1.0f; alp[j] = alpha ? alpha[j] : 1.0f; }
    for (int img = 0; img < n; img++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const size_t r = (((size_t)img * h + y) * w + x) * c;
                const float *restrict zr = z + r;
                const float *restrict m = mask ? mask + r : ones;
                float *restrict o = out.base + img * out.ns + y * out.rs + x * out.ps;
                for (int j = 0; j < c; j++) {
                    const float v = zr[j];
                    o[j] = (v > 0.0f ? v : v * alp[j]) * m[j];
                }
            }
}

static inline __attribute__((always_inline)) void act_bwd(const float *z, int c, srt_view gout, const float *alpha, const float *mask, srt_view gz,
                 int n, int h, int w, double *galpha, double *gbias) {
    float ga[SRT_MAX_CHANNELS], gb[SRT_MAX_CHANNELS], ones[SRT_MAX_CHANNELS], alp[SRT_MAX_CHANNELS]; /* c checked by srt_act_bwd */
    for (int j = 0; j < c && j < SRT_MAX_CHANNELS; j++) { ga[j] = 0; gb[j] = 0; ones[j] = 1.0f; alp[j] = alpha ? alpha[j] : 1.0f; }
    const float neg_on = alpha ? 1.0f : 0.0f; /* identity activation: no slope gradient */
    for (int img = 0; img < n; img++) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                const size_t r = (((size_t)img * h + y) * w + x) * c;
                const float *restrict zr = z + r;
                const float *restrict m = mask ? mask + r : ones;
                const float *restrict g = gout.base + img * gout.ns + y * gout.rs + x * gout.ps;
                float *o = gz.base + img * gz.ns + y * gz.rs + x * gz.ps; /* may alias g (in place) */
                for (int j = 0; j < c; j++) {
                    const float gv = g[j] * m[j];
                    const float v = zr[j];
                    const float pos = v > 0.0f ? 1.0f : 0.0f;
                    const float d = gv * (pos + (1.0f - pos) * alp[j]);
                    ga[j] += gv * (v < 0.0f ? v : 0.0f) * neg_on;
                    gb[j] += d;
                    o[j] = d;
                }
            }
            /* flush the float partial sums to double once per row */
            for (int j = 0; j < c; j++) {
                if (galpha) galpha[j] += ga[j];
                if (gbias) gbias[j] += gb[j];
                ga[j] = 0; gb[j] = 0;
            }
        }
    }
}

/* The element-wise passes are written once and compiled twice: plain and with AVX2 enabled (no FMA,
   so both builds do the same float operations and give bit-identical results). */
#ifdef SRT_X86
#define ACT_AVX2 __attribute__((target("avx2")))
#else
#define ACT_AVX2
#endif

static ACT_AVX2 void act_fwd_avx2(const float *z, int c, const float *alpha, const float *mask, srt_view out, int n,
                                  int h, int w) {
    act_fwd(z, c, alpha, mask, out, n, h, w);
}

static void act_fwd_plain(const float *z, int c, const float *alpha, const float *mask, srt_view out, int n, int h,
                          int w) {
    act_fwd(z, c, alpha, mask, out, n, h, w);
}

static ACT_AVX2 void act_bwd_avx2(const float *z, int c, srt_view gout, const float *alpha, const float *mask,
                                  srt_view gz, int n, int h, int w, double *galpha, double *gbias) {
    act_bwd(z, c, gout, alpha, mask, gz, n, h, w, galpha, gbias);
}

static void act_bwd_plain(const float *z, int c, srt_view gout, const float *alpha, const float *mask, srt_view gz,
                          int n, int h, int w, double *galpha, double *gbias) {
    act_bwd(z, c, gout, alpha, mask, gz, n, h, w, galpha, gbias);
}

/* The checks shared by both activation passes. */
static int act_args_ok(const float *z, int c, int n, int h, int w, int isa) {
    return c >= 1 && c <= SRT_MAX_CHANNELS && n >= 0 && h >= 0 && w >= 0 && srk_isa_valid(isa) &&
           (z || (size_t)n * h * w == 0);
}

int srt_act_fwd(const float *z, int c, const float *alpha, const float *mask, srt_view out, int n, int h, int w,
                int isa) {
    if (!act_args_ok(z, c, n, h, w, isa) || (!out.base && (size_t)n * h * w > 0)) return SRK_EINVAL;
    if (srk_isa_uses_avx2(isa)) act_fwd_avx2(z, c, alpha, mask, out, n, h, w);
    else act_fwd_plain(z, c, alpha, mask, out, n, h, w);
    return SRK_OK;
}

int srt_act_bwd(const float *z, int c, srt_view gout, const float *alpha, const float *mask, srt_view gz,
                int n, int h, int w, double *galpha, double *gbias, int isa) {
    if (!act_args_ok(z, c, n, h, w, isa) || ((!gout.base || !gz.base) && (size_t)n * h * w > 0)) return SRK_EINVAL;
    if (srk_isa_uses_avx2(isa)) act_bwd_avx2(z, c, gout, alpha, mask, gz, n, h, w, galpha, gbias);
    else act_bwd_plain(z, c, gout, alpha, mask, gz, n, h, w, galpha, gbias);
    return SRK_OK;
}

void srt_d2s_view(const float *z, int n, int h, int w, int b, int C, srt_view out) {
    const size_t cin = (size_t)b * b * C;
    for (int img = 0; img < n; img++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const float *src = z + (((size_t)img * h + y) * w + x) * cin;
                for (int i = 0; i < b; i++)
                    for (int j = 0; j < b; j++) {
                        float *d = out.base + img * out.ns + (y * b + i) * out.rs + (x * b + j) * out.ps;
                        const float *s = src + (size_t)(i * b + j) * C;
                        for (int c = 0; c < C; c++) d[c] = s[c];
                    }
            }
}

void srt_s2d_view(srt_view gout, int n, int h, int w, int b, int C, srt_view gz) {
    for (int img = 0; img < n; img++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float *dst = gz.base + img * gz.ns + y * gz.rs + x * gz.ps;
                for (int i = 0; i < b; i++)
                    for (int j = 0; j < b; j++) {
                        const float *s = gout.base + img * gout.ns + (y * b + i) * gout.rs + (x * b + j) * gout.ps;
                        float *d = dst + (size_t)(i * b + j) * C;
                        for (int c = 0; c < C; c++) d[c] = s[c];
                    }
            }
}

void srt_add_view(srt_view src, srt_view dst, int c, int n, int h, int w) {
    for (int img = 0; img < n; img++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const float *s = src.base + img * src.ns + y * src.rs + x * src.ps;
                float *d = dst.base + img * dst.ns + y * dst.rs + x * dst.ps;
                for (int j = 0; j < c; j++) d[j] += s[j];
            }
}

void srt_copy_to_view(const float *src, int c, srt_view dst, int n, int h, int w) {
    for (int img = 0; img < n; img++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const float *s = src + (((size_t)img * h + y) * w + x) * c;
                float *d = dst.base + img * dst.ns + y * dst.rs + x * dst.ps;
                for (int j = 0; j < c; j++) d[j] = s[j];
            }
}

/* ---- the activations of srk_act.h (tanh, ELU, SELU) ------------------------------------------ */

int srt_nonlin_fwd(int kind, const float *z, float *a, long count) {
    if (!srk_act_valid(kind) || count < 0 || (count > 0 && (!z || !a))) return SRK_EINVAL;
    for (long i = 0; i < count; i++) a[i] = srk_act_apply(kind, z[i]);
    return SRK_OK;
}

int srt_nonlin_bwd(int kind, const float *z, int c, srt_view gz, int n, int h, int w, double *gbias) {
    if (!srk_act_valid(kind) || c < 1 || c > SRT_MAX_CHANNELS || n < 0 || h < 0 || w < 0) return SRK_EINVAL;
    if ((size_t)n * h * w > 0 && (!z || !gz.base)) return SRK_EINVAL;
    for (int img = 0; img < n; img++)
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                const float *zr = z + (((size_t)img * h + y) * w + x) * c;
                float *g = gz.base + img * gz.ns + y * gz.rs + x * gz.ps;
                for (int j = 0; j < c; j++) {
                    g[j] *= srk_act_derivative(kind, zr[j]);
                    if (gbias) gbias[j] += g[j];
                }
            }
        }
    return SRK_OK;
}
