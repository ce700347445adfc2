#ifndef SRCORE_TRAIN_OPS_H
#define SRCORE_TRAIN_OPS_H
/* Training kernels (the trainer's own; see Sources/SRCore/Train). Activations are NHWC matrices:
   one row per pixel (n, y, x) in row-major order, `ld` floats between rows (>= channels, so a
   layer may read or write a channel slice of a concat buffer). */
#include <stddef.h>
#include <stdint.h>

/* im2col for a k x k SAME conv: col[(pixel) * k*k*c + (ky*k + kx)*c + ci] = in[(pixel+offset) * ldin + ci], zero outside. */
void srt_im2col(const float *in, long ldin, int n, int h, int w, int c, int k, float *col);
/* Adjoint of srt_im2col: din[...] += col[...]. */
void srt_col2im_add(const float *col, int n, int h, int w, int c, int k, float *din, long ldin);
/* z (rows x c, dense) += bias; out[r*ldout + j] = prelu(z) * (mask ? mask[r*c+j] : 1). alpha may be NULL (identity). */
void srt_bias_prelu_fwd(float *z, long rows, int c, const float *bias, const float *alpha,
                        const float *mask, float *out, long ldout);
/* gz[r*c+j] = gout[r*ldg+j] * mask * (z > 0 ? 1 : alpha); galpha[j] += sum(gout*mask*min(z,0));
   gbias[j] += sum(gz). alpha/galpha NULL: identity activation; gbias NULL: no bias. */
void srt_prelu_bwd(const float *z, long rows, int c, const float *gout, long ldg, const float *alpha,
                   const float *mask, float *gz, double *galpha, double *gbias);
/* depth_to_space (TF DCR): out[(n, y*b+i, x*b+j), ch] = in[(n, y, x), (i*b+j)*C + ch]. */
void srt_depth_to_space(const float *in, int n, int h, int w, int b, int C, float *out);
/* Adjoint (space_to_depth): gin[(n,y,x),(i*b+j)*C+ch] = gout[(n,y*b+i,x*b+j),ch]. */
void srt_space_to_depth(const float *gout, int n, int h, int w, int b, int C, float *gin);
/* out = r + bic; returns sum((out-hr)^2) (l1 = 0) or sum|out-hr| (l1 = 1) and writes
   g = d(mean)/d(out) with mean over `count` values. */
double srt_residual_loss(const float *r, const float *bic, const float *hr, long count, int l1,
                         float *out, float *g);
/* TF Adam step on a flat vector: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr_t m / (sqrt(v) + eps). */
void srt_adam(float *w, const float *g, float *m, float *v, long count, float lr_t, float b1, float b2, float eps);
/* Inverted dropout mask from a counter-based hash: mask = (u < keep) / keep. */
void srt_dropout_mask(float *mask, long count, float keep, uint64_t seed);
#endif
