/* Convolution: weight packing, ISA dispatch and the portable kernel. The AVX2+FMA kernels are in
   conv_avx2.c, the AVX-512 generic kernel (bit-identical to the AVX2 one) in conv_avx512.c. The portable kernel and the generic AVX2 one add the terms of every output in the
   same order (bias, then taps in row-major order, then input channels ascending), but AVX2 fuses
   each multiply-add (FMA: one rounding) where the portable kernel rounds the product and the sum,
   so the two differ in the last bits. The narrow AVX2 kernel (a whole layer of cout <= 8, or the last
   1..3 channels of a wider one: srk_conv_narrow_first) instead keeps 8 lane-wise partial sums over
   input channels, reduces them with a fixed hadd tree and adds the bias last. */
#include "conv_internal.h"
#include "alloc_internal.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t srk_conv_padded_cout(int cout) { return (size_t)((cout + 7) / 8) * 8; }

int srk_conv_block_width(int cout) {
    const int cpad = (int)srk_conv_padded_cout(cout);
    if (cpad <= 8) return 8;
    if (cpad == 24) return 24;
    return 16;
}

size_t srk_conv_packed_size(int k, int cin, int cout) {
    return (size_t)k * (size_t)k * (size_t)cin * srk_conv_padded_cout(cout);
}

/* A weight as the packings store it: subnormals as zero (srk_conv.h). */
static inline float packed_weight(float v) { return fabsf(v) < FLT_MIN ? 0.0f : v; }

/* Blocks of srk_conv_block_width(n) over output channels [0, n) of a kernel with `cout` columns. */
static void pack_blocks(int k, int cin, int cout, int n, const float *hwio, float *packed) {
    const int taps = k * k;
    const int cpad = (int)srk_conv_padded_cout(n), block = srk_conv_block_width(n);
    size_t pos = 0;
    for (int o0 = 0; o0 < cpad; o0 += block) {
        const int bw = (cpad - o0 < block) ? cpad - o0 : block;
        for (int t = 0; t < taps; t++)
            for (int c = 0; c < cin; c++)
                for (int j = 0; j < bw; j++) {
                    const int o = o0 + j;
                    packed[pos++] = (o < n) ? packed_weight(hwio[((size_t)t * cin + c) * cout + o]) : 0.0f;
                }
    }
}

void srk_conv_pack(int k, int cin, int cout, const float *hwio, float *packed) {
    pack_blocks(k, cin, cout, cout, hwio, packed);
}

void srk_conv_pack_main(int k, int cin, int cout, int first, const float *hwio, float *packed) {
    pack_blocks(k, cin, cout, first, hwio, packed);
}

int srk_conv_narrow_group(int cout, int first) {
    if (first > 0) return cout - first;
    return cout == 1 ? 1 : 4;
}

int srk_conv_narrow_chunks(int k, const int *parts, int nparts) {
    int q = 0;
    for (int s = 0; s < nparts; s++) q += (parts[s] + 7) / 8;
    return k * k * q;
}

size_t srk_conv_narrow_size(int k, const int *parts, int nparts, int cout, int first) {
    const int g = srk_conv_narrow_group(cout, first), groups = (cout - first + g - 1) / g;
    return (size_t)groups * (size_t)srk_conv_narrow_chunks(k, parts, nparts) * (size_t)g * 8;
}

int srk_conv_narrow_preferred(int k, const int *parts, int nparts, int cout) {
    if (cout > 8 || nparts < 1) return 0;
    int cin = 0, cpad = 0;
    for (int s = 0; s < nparts; s++) { cin += parts[s]; cpad += (parts[s] + 7) / 8 * 8; }
    if (cin < 8 || 4 * cin < 3 * cpad) return 0;
    /* measured on Zen3: 2x faster for cout <= 4 (generic uses at most half its lanes), ~20% faster
       for 1x1 layers with cout <= 8 (memory-bound), slower for 3x3 layers with 5..8 outputs */
    return cout <= 4 || k == 1;
}

int srk_conv_narrow_first(int k, const int *parts, int nparts, int cout) {
    if (nparts < 1) return -1;
    if (srk_conv_narrow_preferred(k, parts, nparts, cout)) return 0;
    const int r = cout % 8, first = cout - r;
    if (cout <= 8 || r == 0 || r > 3) return -1;
    long cin = 0, cpad = 0;
    for (int s = 0; s < nparts; s++) { cin += parts[s]; cpad += (parts[s] + 7) / 8 * 8; }
    /* 8-lane FMAs per pixel and tap, times 8: padded last vector cin * (first + 8); split
       cin * first + (input chunks * 8) * r */
    const long padded = cin * (first + 8), split = cin * first + cpad * r;
    return 10 * split <= 9 * padded ? first : -1;
}

void srk_conv_narrow_pack(int k, const int *parts, int nparts, int cout, int first, const float *hwio, float *packed) {
    const int g = srk_conv_narrow_group(cout, first), groups = (cout - first + g - 1) / g, taps = k * k;
    int cin = 0;
    for (int s = 0; s < nparts; s++) cin += parts[s];
    size_t pos = 0;
    for (int og = 0; og < groups; og++)
        for (int t = 0; t < taps; t++) {
            int cbase = 0;
            for (int s = 0; s < nparts; s++) {
                for (int q = 0; q < parts[s]; q += 8)
                    for (int oi = 0; oi < g; oi++)
                        for (int l = 0; l < 8; l++) {
                            const int o = first + og * g + oi, c = q + l;
                            packed[pos++] = (o < cout && c < parts[s])
                                ? packed_weight(hwio[((size_t)t * cin + cbase + c) * cout + o]) : 0.0f;
                        }
                cbase += parts[s];
            }
        }
}

/* Portable kernel: one pixel at a time, one block of srk_conv_block_width(cout) (at most
   SRK_CONV_BLOCK) output channels. `rowp` has room for ts->n pointers. */
static void conv_rows_portable(const srk_conv_layer *L, const srk_tapsegs *ts, const float **rowp,
                               float *out, ptrdiff_t out_rs, ptrdiff_t out_ps,
                               int width, int y0, int y1) {
    const int cout = L->cout, cpad = (int)srk_conv_padded_cout(cout), n = ts->n;
    const int block = srk_conv_block_width(cout);
    float acc[SRK_CONV_BLOCK];
    for (int y = y0; y < y1; y++) {
        srk_tapsegs_row(ts, y, rowp);
        const float *wb = L->w;
        for (int o0 = 0; o0 < cpad; o0 += block) {
            const int bw = (cpad - o0 < block) ? cpad - o0 : block;
            const int nvalid = (cout - o0 < bw) ? cout - o0 : bw;
            for (int x = 0; x < width; x++) {
                for (int j = 0; j < bw; j++) acc[j] = L->bias[o0 + j];
                const float *wp = wb;
                for (int e = 0; e < n; e++) {
                    const float *it = rowp[e] + (ptrdiff_t)x * ts->ps[e];
                    for (int c = 0; c < ts->cin[e]; c++) {
                        const float v = it[c];
                        for (int j = 0; j < bw; j++) acc[j] += v * wp[j];
                        wp += bw;
                    }
                }
                float *op = out + (ptrdiff_t)y * out_rs + (ptrdiff_t)x * out_ps + o0;
                if (L->alpha) {
                    for (int j = 0; j < nvalid; j++) {
                        const float a = acc[j];
                        op[j] = a > 0.0f ? a : L->alpha[o0 + j] * a;
                    }
                } else {
                    for (int j = 0; j < nvalid; j++) op[j] = acc[j];
                }
            }
            wb += (size_t)L->k * L->k * L->cin * bw;
        }
    }
}

srk_conv_scratch *srk_conv_scratch_new(void) { return srk_alloc(sizeof(srk_conv_scratch)); }

void srk_conv_scratch_free(srk_conv_scratch *scratch) { free(scratch); }

int srk_conv_rows(const srk_conv_layer *layer, const srk_conv_narrow *narrow, int isa,
                  const srk_input *inputs, int ninputs,
                  float *out, ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int y0, int y1,
                  srk_conv_scratch *scratch) {
    if (!scratch || !out || !srk_isa_valid(isa) || width < 0 || y0 < 0 || y1 < y0) return SRK_EINVAL;
    srk_tapsegs *ts = &scratch->ts;
    int rc = srk_tapsegs_init(ts, layer, inputs, ninputs);
    if (rc == SRK_OK && y1 > y0 && width > 0) {
        if (srk_isa_uses_avx512(isa))
            rc = srk_conv_rows_avx512(layer, narrow, ts, scratch->rowp, out, out_rs, out_ps, width, y0, y1);
        else if (srk_isa_uses_avx2(isa))
            rc = srk_conv_rows_avx2(layer, narrow, ts, scratch->rowp, out, out_rs, out_ps, width, y0, y1);
        else
            conv_rows_portable(layer, ts, scratch->rowp, out, out_rs, out_ps, width, y0, y1);
    }
    return rc;
}

void srk_depth_to_space_rows(const float *in, ptrdiff_t in_rs, ptrdiff_t in_ps,
                             float *out, ptrdiff_t out_rs, ptrdiff_t out_ps,
                             int width, int block, int channels, int y0, int y1) {
    for (int y = y0; y < y1; y++)
        for (int i = 0; i < block; i++) {
            float *orow = out + (ptrdiff_t)(y * block + i) * out_rs;
            const float *irow = in + (ptrdiff_t)y * in_rs + (ptrdiff_t)i * block * channels;
            if (channels == 1) {
                /* one channel: row i of every block is `block` contiguous input values */
                for (int x = 0; x < width; x++) {
                    const float *ip = irow + (ptrdiff_t)x * in_ps;
                    float *op = orow + (ptrdiff_t)x * block * out_ps;
                    for (int j = 0; j < block; j++) op[(ptrdiff_t)j * out_ps] = ip[j];
                }
            } else {
                const size_t bytes = (size_t)channels * sizeof(float);
                for (int x = 0; x < width; x++) {
                    const float *ip = irow + (ptrdiff_t)x * in_ps;
                    float *op = orow + (ptrdiff_t)x * block * out_ps;
                    for (int j = 0; j < block; j++) memcpy(op + (ptrdiff_t)j * out_ps, ip + (ptrdiff_t)j * channels, bytes);
                }
            }
        }
}

void srk_add_rows(const float *a, ptrdiff_t a_rs, const float *b, ptrdiff_t b_rs,
                  float *out, ptrdiff_t out_rs, int width, int y0, int y1) {
    for (int y = y0; y < y1; y++) {
        const float *ap = a + (ptrdiff_t)y * a_rs, *bp = b + (ptrdiff_t)y * b_rs;
        float *op = out + (ptrdiff_t)y * out_rs;
        for (int x = 0; x < width; x++) op[x] = ap[x] + bp[x];
    }
}

/* The activation step, written once and compiled twice (plain, and with AVX2 enabled but no FMA, so
   both do the same float operations: bit-identical). */
#if defined(__x86_64__) || defined(__i386__)
#define ACT_ROWS_AVX2 __attribute__((target("avx2")))
#else
#define ACT_ROWS_AVX2
#endif
#define ACT_ROWS_BODY                                                                              \
    for (int y = y0; y < y1; y++)                                                                  \
        for (int x = 0; x < width; x++) {                                                          \
            float *p = out + (ptrdiff_t)y * out_rs + (ptrdiff_t)x * out_ps;                        \
            for (int c = 0; c < channels; c++) p[c] = srk_act_apply(kind, p[c]);                   \
        }
static void act_rows_plain(int kind, float *out, ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int channels,
                           int y0, int y1) { ACT_ROWS_BODY }
static ACT_ROWS_AVX2 void act_rows_avx2(int kind, float *out, ptrdiff_t out_rs, ptrdiff_t out_ps, int width,
                                        int channels, int y0, int y1) { ACT_ROWS_BODY }

void srk_act_rows(int kind, float *out, ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int channels,
                  int y0, int y1, int isa) {
    if (srk_isa_uses_avx2(isa)) act_rows_avx2(kind, out, out_rs, out_ps, width, channels, y0, y1);
    else act_rows_plain(kind, out, out_rs, out_ps, width, channels, y0, y1);
}
