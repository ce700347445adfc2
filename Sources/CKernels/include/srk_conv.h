#ifndef SRCORE_SRK_CONV_H
#define SRCORE_SRK_CONV_H
/* Inference kernels of the DCSCN forward pass: k x k convolution (SAME padding) with bias and
   PReLU fused, depth_to_space in TensorFlow's DCR order, and a residual add.

   Tensors are NHWC views: element (y, x, c) of a view is base[y * rs + x * ps + c]; `rs` (row
   stride) and `ps` (pixel stride) are in floats, so a layer can read and write a channel slice of a
   wider (concat) buffer in place. Convolutions read k/2 pixels around every output pixel: the caller
   keeps that halo of the input buffer at zero (padded buffers), which is exactly SAME padding.

   Why direct convolution everywhere (no im2col + GEMM): measured here (Zen3, one thread, CPU time),
   OpenBLAS sgemm on this network's GEMM shapes reaches 40 (M x 288 x 26), 55 (x 1301 x 64),
   71 (x 1764 x 166) and 88 (x 864 x 384) GFLOP/s before any im2col cost, while these kernels run
   the same layers at ~80, ~90, ~100 and ~100 GFLOP/s (peak ~115). So no layer uses BLAS, and
   the forward pass never changes OpenBLAS's thread count.

   ISA selection: see srk_isa.h. Entry points that can fail return an SRK_* status (srk_status.h). */
#include <stddef.h>
#include "srk_isa.h"
#include "srk_status.h"

/* Most output channels per block of the packed weights (srk_conv_block_width: 8, 16 or 24). */
#define SRK_CONV_BLOCK 24
/* Largest supported kernel: 9 x 9. */
#define SRK_CONV_MAX_KERNEL 9
#define SRK_CONV_MAX_TAPS (SRK_CONV_MAX_KERNEL * SRK_CONV_MAX_KERNEL)

/* One convolution layer with weights repacked by srk_conv_pack. */
typedef struct srk_conv_layer {
    int k;               /* kernel size (odd, >= 1) */
    int cin;             /* input channels */
    int cout;            /* output channels */
    const float *w;      /* packed weights, srk_conv_packed_size(k, cin, cout) floats */
    const float *bias;   /* srk_conv_padded_cout(cout) floats (zeros beyond cout; all zero if no bias) */
    const float *alpha;  /* PReLU slopes, srk_conv_padded_cout(cout) floats, or NULL for no activation */
    int dilation;        /* tap spacing (0 or 1: a plain conv); the input halo must be dilation * (k/2) */
} srk_conv_layer;

/* Optional second packing of a layer for the AVX2 path, SIMD over input channels for output
   channels [first, cout): the whole of a narrow layer (first = 0, cout <= 8), or the last 1..3
   channels of a wider one (first = cout rounded down to a multiple of 8), whose other channels
   then run in full 8-lane vectors from `main` instead of a zero-padded last vector. Used when the
   input parts have exactly the channel counts it was packed for (else the layer's own packing). */
typedef struct srk_conv_narrow {
    const float *w;      /* srk_conv_narrow_pack output */
    int chunks;          /* srk_conv_narrow_chunks(k, parts, nparts): checked against the input */
    int first;           /* srk_conv_narrow_first: first output channel in `w` */
    const float *main;   /* first > 0: srk_conv_pack_main output (channels [0, first)); else NULL */
} srk_conv_narrow;

/* cout rounded up to a multiple of 8. */
size_t srk_conv_padded_cout(int cout);
/* Output channels per weight block for a layer with `cout` outputs (8, 16 or 24; measured on Zen3:
   16-wide blocks with 6 pixels per micro-kernel keep the weight stream from L2 low enough for ~100
   GFLOP/s per core on wide layers; 24 and 8 avoid padding when cout rounds up to exactly that). */
int srk_conv_block_width(int cout);
/* Floats needed for the packed weights of a k x k, cin -> cout layer. */
size_t srk_conv_packed_size(int k, int cin, int cout);
/* Repacks an HWIO kernel [k][k][cin][cout] into `packed` (srk_conv_packed_size floats):
   blocks of srk_conv_block_width(cout) output channels (the last one possibly narrower, a multiple of 8),
   each [tap][cin][block width], zero filled. Every packing here stores subnormal weights
   (0 < |w| < FLT_MIN) as zero: on Intel cores each FMA with a subnormal operand takes a microcode
   assist (a mid-size model with 926 of its 144,587 weights subnormal ran 13.5x slower on an Intel
   family 6 model 207; docs/performance.md, "Subnormal weights"), and such a weight adds less than
   2^-126 |input| to a sum. */
void srk_conv_pack(int k, int cin, int cout, const float *hwio, float *packed);
/* Packs output channels [0, first) of an HWIO kernel [k][k][cin][cout] as srk_conv_pack would pack
   a layer of `first` outputs (srk_conv_packed_size(k, cin, first) floats); 1 <= first <= cout. */
void srk_conv_pack_main(int k, int cin, int cout, int first, const float *hwio, float *packed);

/* One part of a (logically concatenated) conv input: `channels` channels of an NHWC view.
   A layer's input is the concatenation of its parts in order, so H_concat can be stored as one
   dense segment per layer (each layer writes its own segment; no copies) and read as a whole. */
typedef struct srk_input {
    const float *base;   /* pixel (0, 0), first channel of this part */
    ptrdiff_t rs, ps;    /* row and pixel strides in floats */
    int channels;
} srk_input;

/* At most this many (tap, input part) pairs per layer: k*k*ninputs <= SRK_CONV_MAX_TAPSEGS. */
#define SRK_CONV_MAX_TAPSEGS 1024

/* ---- Narrow layers and narrow tails: SIMD over 8 input channels, horizontal sums at the end.
   Outputs [first, cout) in groups of srk_conv_narrow_group (4 for a whole narrow layer, 1 when
   cout == 1, the tail's own 1..3 channels for a tail). The packing depends on how the input is
   split into parts (each part's channels are padded to a multiple of 8). */

/* Whether the narrow kernel is expected to beat the generic one for the whole layer (cout <= 8). */
int srk_conv_narrow_preferred(int k, const int *parts, int nparts, int cout);
/* The first output channel the narrow kernel should compute for this layer: 0 (the whole layer:
   srk_conv_narrow_preferred), a multiple of 8 (a tail of cout - first = 1..3 channels, when that
   saves at least 10% of the layer's 8-lane FMAs against padding the last vector), or -1 (none). */
int srk_conv_narrow_first(int k, const int *parts, int nparts, int cout);
/* Outputs per group of the narrow packing of channels [first, cout). */
int srk_conv_narrow_group(int cout, int first);
/* Number of 8-channel chunks per output group: k*k * sum(ceil(parts[s]/8)). */
int srk_conv_narrow_chunks(int k, const int *parts, int nparts);
/* Floats of the narrow packing of output channels [first, cout). */
size_t srk_conv_narrow_size(int k, const int *parts, int nparts, int cout, int first);
/* Packs output channels [first, cout) of an HWIO kernel [k][k][cin][cout] (cin = sum of parts) as
   [group][tap][part][chunk][o in group][8]. */
void srk_conv_narrow_pack(int k, const int *parts, int nparts, int cout, int first, const float *hwio, float *packed);

/* Per-thread scratch of srk_conv_rows: the (tap, input part) table of a layer and its row pointers
   (about 44 KB). Allocate one per thread that calls srk_conv_rows and reuse it for every call; the
   kernels themselves never allocate. */
typedef struct srk_conv_scratch srk_conv_scratch;
/* A new scratch, or NULL when the allocation fails (out of memory). */
srk_conv_scratch *srk_conv_scratch_new(void);
/* Frees a scratch (NULL is ignored). */
void srk_conv_scratch_free(srk_conv_scratch *scratch);

/* Computes output rows [y0, y1) (all `width` columns) of the layer:
   out(y,x,o) = act(bias[o] + sum_{ky,kx,c} in(y+d(ky-k/2), x+d(kx-k/2), c) * W[ky,kx,c,o]), d = dilation,
   `in` = the concatenation of `inputs[0..ninputs)` (channels must add up to layer->cin).
   `narrow` is the layer's optional narrow packing (may be NULL); `scratch` is the calling thread's
   (required). Only the cout output channels of each pixel are written. Each output value is computed
   by the same sequence of operations whatever y0/y1 are (bit-identical row splits).
   Returns SRK_OK, or SRK_EINVAL when the arguments are inconsistent (nothing is written). */
int srk_conv_rows(const srk_conv_layer *layer, const srk_conv_narrow *narrow, int isa,
                  const srk_input *inputs, int ninputs,
                  float *out, ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int y0, int y1,
                  srk_conv_scratch *scratch);

/* depth_to_space(b) of input rows [y0, y1), TF DCR order:
   out(y*b+i, x*b+j, c) = in(y, x, (i*b+j)*C + c), c < C. */
void srk_depth_to_space_rows(const float *in, ptrdiff_t in_rs, ptrdiff_t in_ps,
                             float *out, ptrdiff_t out_rs, ptrdiff_t out_ps,
                             int width, int block, int channels, int y0, int y1);

/* out(y,x) = a(y,x) + b(y,x) for one-channel views (pixel stride 1), rows [y0, y1). */
void srk_add_rows(const float *a, ptrdiff_t a_rs, const float *b, ptrdiff_t b_rs,
                  float *out, ptrdiff_t out_rs, int width, int y0, int y1);

/* out(y,x,c) = f(out(y,x,c)) in place for c < channels, rows [y0, y1), f = srk_act_apply(kind)
   (srk_act.h). Compiled plain and with AVX2 enabled (no FMA): both builds are bit-identical. */
void srk_act_rows(int kind, float *out, ptrdiff_t out_rs, ptrdiff_t out_ps, int width, int channels,
                  int y0, int y1, int isa);

/* ---- Plans: a list of row-parallel steps executed by a group of threads with a barrier between
   steps. The threads take chunks of rows of each step from a shared counter; which thread computes
   a row never changes its value, so results do not depend on the thread count. */
enum { SRK_STEP_CONV = 0, SRK_STEP_D2S = 1, SRK_STEP_ADD = 2, SRK_STEP_ACT = 3 };

typedef struct srk_step {
    int kind;             /* SRK_STEP_* */
    int rows;             /* rows of the step's grid */
    int width;            /* columns of the step's grid */
    const srk_conv_layer *layer; /* CONV */
    const srk_conv_narrow *narrow; /* CONV: optional narrow packing, or NULL */
    const srk_input *inputs;     /* CONV: the input parts */
    int ninputs;
    const float *in;      /* D2S: input view; ADD: first operand */
    ptrdiff_t in_rs, in_ps;
    const float *in2;     /* ADD: second operand (pixel stride 1) */
    ptrdiff_t in2_rs;
    float *out;           /* output view */
    ptrdiff_t out_rs, out_ps;
    int fuse_next;        /* CONV: run the next step (same rows, same input, other output) chunk by
                             chunk together with this one, while the input rows are in cache */
    int block;            /* D2S block */
    int channels;         /* D2S channels after the shuffle; ACT channels */
    int act;              /* ACT: SRK_ACT_* (srk_act.h), applied in place to `out` */
} srk_step;

/* Runs the steps in order on `threads` threads (the caller plus threads-1 new ones; a thread that
   cannot be started is not an error: the others share its rows, and results do not depend on the
   thread count). The plan allocates its scratch (one srk_conv_scratch per thread) once per call, on
   the calling thread, before any step runs.
   Returns SRK_OK; SRK_ENOMEM when that scratch cannot be allocated (nothing is written);
   SRK_EINVAL when a step is inconsistent (checked for every step before any runs: nothing is
   written). When `failed_step` is not NULL it receives the index of the offending step, or -1
   (SRK_OK, or the plan's own allocation failed). */
int srk_run_plan(const srk_step *steps, int nsteps, int threads, int isa, int *failed_step);

#endif
