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

/* 1 when the layer is one input channel to one output channel over a whole k x k table: the stencil
   kernel's case (R-CNN1). */
static inline int srk_conv_is_stencil(const srk_conv_layer *L, const srk_tapsegs *ts) {
    return L->cin == 1 && L->cout == 1 && ts->n == L->k * L->k;
}

/* The narrow packing's first channel when it fits this input (its chunk count matches the table),
   else -1: the generic kernel computes every output. */
static inline int srk_conv_narrow_fit(const srk_conv_layer *L, const srk_conv_narrow *N, const srk_tapsegs *ts) {
    const int cout = L->cout;
    if (!N || !N->w || N->first < 0 || N->first >= cout || (N->first == 0 ? cout > 8 : N->main == NULL)) return -1;
    int chunks = 0;
    for (int e = 0; e < ts->n; e++) chunks += (ts->cin[e] + 7) / 8;
    return chunks == N->chunks ? N->first : -1;
}

/* The AVX2 kernels (conv_avx2.c) on a filled table; `rowp` has room for ts->n pointers.
   Returns SRK_OK (SRK_EINVAL when built for a CPU without them; never called then). */
int srk_conv_rows_avx2(const srk_conv_layer *layer, const srk_conv_narrow *narrow, const srk_tapsegs *ts,
                       const float **rowp, float *out, ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int y0, int y1);
/* The AVX-512 kernels (conv_avx512.c): the generic kernel on 16-lane vectors, bit-identical to the
   AVX2 one (same FMAs per output, in the same order); narrow layers and the stencil run the AVX2
   code below. Same contract as srk_conv_rows_avx2. */
int srk_conv_rows_avx512(const srk_conv_layer *layer, const srk_conv_narrow *narrow, const srk_tapsegs *ts,
                         const float **rowp, float *out, ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int y0, int y1);
/* Pieces of the AVX2 kernel the AVX-512 one reuses (x86 builds only; call only on AVX2+FMA CPUs):
   one row of the narrow kernel (output channels [N->first, cout), N fitting the table), and rows
   [y0, y1) of the stencil (srk_conv_is_stencil). */
void srk_conv_narrow_row_avx2(const srk_conv_layer *L, const srk_conv_narrow *N, const srk_tapsegs *ts,
                              const float *const *rowp, float *orow, ptrdiff_t out_ps, int width);
/* One row of a generic kernel: output channels [0, nout) from weights `w` packed for nout outputs. */
typedef void (*srk_block_row_fn)(const srk_conv_layer *L, const float *w, int nout, const srk_tapsegs *ts,
                                 const float *const *rowp, float *orow, ptrdiff_t out_ps, int width);
/* The row driver both vector kernels share (conv_avx2.c): the stencil, or per row the generic
   kernel `block_row_fn` for the channels the narrow packing does not take and the AVX2 narrow
   kernel for the rest. Same contract as srk_conv_rows_avx2. */
int srk_conv_rows_using(srk_block_row_fn block_row_fn, const srk_conv_layer *L, const srk_conv_narrow *N,
                        const srk_tapsegs *ts, const float **rowp, float *out, ptrdiff_t out_rs,
                        ptrdiff_t out_ps, int width, int y0, int y1);
void srk_conv_stencil_rows_avx2(const srk_conv_layer *L, const srk_tapsegs *ts, const float **rowp, float *out,
                                ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int y0, int y1);
#endif
