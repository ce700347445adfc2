#ifndef SRCORE_METRICS_H
#define SRCORE_METRICS_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Mean SSIM map over the "valid" region (every window fully inside) of two w x h images:
 *  separable window `g` of `taps` (odd) weights, vertical pass first, double precision;
 *  S = (2 ux uy + c1)(2 vxy + c2) / ((ux^2 + uy^2 + c1)(vx + vy + c2)), v* = cn * (E[..] - u u).
 *  Returns NaN if the image is smaller than the window or memory is short. */
double srimg_ssim_mean(const float *a, const float *b, size_t w, size_t h,
                       const double *g, int taps, double cn, double c1, double c2);

#ifdef __cplusplus
}
#endif
#endif
