#ifndef SRCORE_TRAIN_CONV_H
#define SRCORE_TRAIN_CONV_H
/* Training kernels on padded NHWC "views": element (n, y, x, c) of a view is
   base[n*ns + y*rs + x*ps + c], where base points at pixel (0, 0) of patch 0 and every patch is
   surrounded by a zero halo of k/2 pixels (so SAME convolutions read the halo as padding).
   The kernels that can fail take an `isa` (srk_isa.h; SRK_ISA_PORTABLE forces the portable twins)
   and return an SRK_* status (srk_status.h). */
#include <stddef.h>
#include <stdint.h>
#include "srk_isa.h"
#include "srk_status.h"

/* Most channels of a layer the activation passes support (their per-channel tables live on the stack). */
#define SRT_MAX_CHANNELS 1024

typedef struct srt_view {
    float *base;
    ptrdiff_t ns, rs, ps;
} srt_view;

/* gw[(tap*cin + ci)*cpad + o] += sum over patches, y < h, x < w of
   in(n, y+ky-k/2, x+kx-k/2, ci) * gz(n, y, x, o), o < cpad (gz's channels beyond cout must be 0).
   Both variants add the terms of every gw entry in the same order (patches, rows, pixels); the AVX2
   one (used when cpad is a multiple of 8; on AVX-512 CPUs its bit-identical AVX-512 twin) fuses each
   multiply-add (FMA), so they differ from the portable one in the last bits. Returns SRK_OK, or SRK_EINVAL (negative sizes, k < 1, cpad < 1, NULL pointers, unknown
   isa; nothing is written). */
int srt_conv_dw(srt_view in, int cin, srt_view gz, int cpad, int n, int h, int w, int k, float *gw, int isa);
/* srt_conv_dw of a dilated conv: in(n, y+d(ky-k/2), x+d(kx-k/2), ci) (the input's halo must be
   d*(k/2)); d = 1 is srt_conv_dw. Returns like srt_conv_dw (SRK_EINVAL also for d < 1). */
int srt_conv_dw_dilated(srt_view in, int cin, srt_view gz, int cpad, int n, int h, int w, int k, int d, float *gw, int isa);

/* out(n,y,x,j) = prelu(z[((n*h+y)*w+x)*c + j]) * mask[...] (alpha/mask may be NULL).
   The AVX2 build of this pass (no FMA) is bit-identical to the portable one.
   Returns SRK_OK, or SRK_EINVAL when c is outside 1...SRT_MAX_CHANNELS, a size is negative, a pointer
   is NULL or isa is unknown (nothing is written). */
int srt_act_fwd(const float *z, int c, const float *alpha, const float *mask, srt_view out, int n, int h, int w,
                int isa);

/* gz(n,y,x,j) = gout(n,y,x,j) * mask * (z > 0 ? 1 : alpha) for j < c (alpha NULL: identity);
   galpha[j] += sum(gout*mask*min(z,0)); gbias[j] += sum(gz) (either may be NULL).
   Bit-identical between its AVX2 build (no FMA) and the portable one. Returns like srt_act_fwd. */
int srt_act_bwd(const float *z, int c, srt_view gout, const float *alpha, const float *mask, srt_view gz,
                int n, int h, int w, double *galpha, double *gbias, int isa);

/* a[i] = f(z[i]) for i < count, f = srk_act_apply(kind) (srk_act.h; the inference step's function).
   Returns SRK_OK, or SRK_EINVAL for an unknown kind, a negative count or NULL pointers. */
int srt_nonlin_fwd(int kind, const float *z, float *a, long count);

/* gz(n,y,x,j) *= f'(z[((n*h+y)*w+x)*c + j]) in place for j < c, f = srk_act_apply(kind);
   gbias[j] += sum(gz) after the product (may be NULL). Returns like srt_act_fwd. */
int srt_nonlin_bwd(int kind, const float *z, int c, srt_view gz, int n, int h, int w, double *gbias);

/* depth_to_space from a dense z (n, h, w, b*b*C) into a view at the (h*b, w*b) grid. */
void srt_d2s_view(const float *z, int n, int h, int w, int b, int C, srt_view out);
/* Adjoint: gz(n,y,x,(i*b+j)*C+c) = gout(n, y*b+i, x*b+j, c); gz is a view at the (h, w) grid. */
void srt_s2d_view(srt_view gout, int n, int h, int w, int b, int C, srt_view gz);

/* dst(n,y,x,j) += src(n,y,x,j) for j < c. */
void srt_add_view(srt_view src, srt_view dst, int c, int n, int h, int w);
/* dst(n,y,x,j) = src[((n*h+y)*w+x)*c + j] (dense to view). */
void srt_copy_to_view(const float *src, int c, srt_view dst, int n, int h, int w);

#endif
