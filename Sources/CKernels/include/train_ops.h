#ifndef SRCORE_TRAIN_OPS_H
#define SRCORE_TRAIN_OPS_H
/* Training kernels (the trainer's own; see Sources/SRCore/Train): the residual loss, Adam and
   dropout masks on flat vectors. The convolution-side kernels are in train_conv.h. */
#include <stddef.h>
#include <stdint.h>

/* out = r + bic; returns sum((out-hr)^2) (l1 = 0) or sum|out-hr| (l1 = 1) and writes
   g = d(mean)/d(out) with mean over `count` values. */
double srt_residual_loss(const float *r, const float *bic, const float *hr, long count, int l1,
                         float *out, float *g);
/* TF Adam step on a flat vector: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr_t m / (sqrt(v) + eps). */
void srt_adam(float *w, const float *g, float *m, float *v, long count, float lr_t, float b1, float b2, float eps);
/* Inverted dropout mask from a counter-based hash: mask = (u < keep) / keep. */
void srt_dropout_mask(float *mask, long count, float keep, uint64_t seed);
#endif
