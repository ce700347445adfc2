// SSIM map (skimage's procedure, in double) for the Metrics module.
#include "metrics.h"
#include <math.h>
#include <stdlib.h>

double srimg_ssim_mean(const float *a, const float *b, size_t w, size_t h,
                       const double *g, int taps, double cn, double c1, double c2) {
    if (taps < 1 || w < (size_t)taps || h < (size_t)taps) return NAN;
    const size_t oh = h - (size_t)taps + 1, ow = w - (size_t)taps + 1;
    double *v = (double *)malloc(sizeof(double) * 5 * w);
    if (!v) return NAN;
    double total = 0.0;
    for (size_t y = 0; y < oh; y++) {
        double *v0 = v, *v1 = v + w, *v2 = v + 2 * w, *v3 = v + 3 * w, *v4 = v + 4 * w;
        for (size_t x = 0; x < w; x++) { v0[x] = v1[x] = v2[x] = v3[x] = v4[x] = 0.0; }
        for (int k = 0; k < taps; k++) {
            const float *pa = a + (y + (size_t)k) * w, *pb = b + (y + (size_t)k) * w;
            const double wk = g[k];
            for (size_t x = 0; x < w; x++) {
                const double p = pa[x], q = pb[x];
                v0[x] += wk * p; v1[x] += wk * q;
                v2[x] += wk * p * p; v3[x] += wk * q * q; v4[x] += wk * p * q;
            }
        }
        for (size_t x = 0; x < ow; x++) {
            double ux = 0, uy = 0, xx = 0, yy = 0, xy = 0;
            for (int k = 0; k < taps; k++) {
                const double wk = g[k];
                ux += wk * v0[x + k]; uy += wk * v1[x + k];
                xx += wk * v2[x + k]; yy += wk * v3[x + k]; xy += wk * v4[x + k];
            }
            const double vx = cn * (xx - ux * ux), vy = cn * (yy - uy * uy), vxy = cn * (xy - ux * uy);
            total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
        }
    }
    free(v);
    return total / (double)(oh * ow);
}
