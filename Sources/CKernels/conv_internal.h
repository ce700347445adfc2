/* Private to the conv kernels: the (tap, input part) list of one layer. */
#ifndef SRCORE_CONV_INTERNAL_H
#define SRCORE_CONV_INTERNAL_H
#include "ckernels.h"

/* Entry j = t * ninputs + s: part s read at tap t. Summation order: taps row-major, then parts in
   order, then channels ascending = the order of the packed weights [tap][cin]. */
typedef struct {
    int n;
    ptrdiff_t off[SRK_CONV_MAX_TAPSEGS];   /* offset of the tap within part s, in floats */
    ptrdiff_t ps[SRK_CONV_MAX_TAPSEGS];    /* pixel stride of the part */
    int cin[SRK_CONV_MAX_TAPSEGS];         /* channels of the part */
    const float *base[SRK_CONV_MAX_TAPSEGS];
    ptrdiff_t rs[SRK_CONV_MAX_TAPSEGS];
} srk_tapsegs;

/* Fills `ts`; returns SRK_OK, or SRK_EINVAL when the layer or its parts are inconsistent (a part
   with a NULL base or negative channels, parts that do not add up to the layer's input width, more
   than SRK_CONV_MAX_TAPSEGS (tap, part) pairs). */
static inline int srk_tapsegs_init(srk_tapsegs *ts, const srk_conv_layer *L, const srk_input *in, int nin) {
    if (!L || !in || !L->w || !L->bias) return SRK_EINVAL;
    const int k = L->k, r = k / 2, d = L->dilation < 1 ? 1 : L->dilation;
    if (k < 1 || L->cin < 1 || L->cout < 1 || nin < 1) return SRK_EINVAL;
    const int taps = k * k;
    if (nin > SRK_CONV_MAX_TAPSEGS / taps) return SRK_EINVAL;
    long total = 0;
    for (int s = 0; s < nin; s++) {
        if (!in[s].base || in[s].channels < 0) return SRK_EINVAL;
        total += in[s].channels;
    }
    if (total != L->cin) return SRK_EINVAL;
    int j = 0;
    for (int t = 0; t < taps; t++)
        for (int s = 0; s < nin; s++, j++) {
            ts->off[j] = (ptrdiff_t)((t / k - r) * d) * in[s].rs + (ptrdiff_t)((t % k - r) * d) * in[s].ps;
            ts->ps[j] = in[s].ps;
            ts->cin[j] = in[s].channels;
            ts->base[j] = in[s].base;
            ts->rs[j] = in[s].rs;
        }
    ts->n = j;
    return SRK_OK;
}

/* Row pointers (pixel x = 0) of every entry for output row y. */
static inline void srk_tapsegs_row(const srk_tapsegs *ts, int y, const float **rowp) {
    for (int j = 0; j < ts->n; j++) rowp[j] = ts->base[j] + (ptrdiff_t)y * ts->rs[j] + ts->off[j];
}

/* The scratch behind the opaque srk_conv_scratch: the table and one row pointer per entry. */
struct srk_conv_scratch {
    srk_tapsegs ts;
    const float *rowp[SRK_CONV_MAX_TAPSEGS];
};

/* The AVX2 kernels (conv_avx2.c) on a filled table; `rowp` has room for ts->n pointers.
   Returns SRK_OK (SRK_EINVAL when built for a CPU without them; never called then). */
int srk_conv_rows_avx2(const srk_conv_layer *layer, const srk_conv_narrow *narrow, const srk_tapsegs *ts,
                       const float **rowp, float *out, ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int y0, int y1);
#endif
