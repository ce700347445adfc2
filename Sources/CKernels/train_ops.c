#include "train_ops.h"
#include <math.h>

double srt_residual_loss(const float *r, const float *bic, const float *hr, long count, int l1,
                         float *out, float *g) {
    double total = 0.0;
    const float inv = 1.0f / (float)count;
    for (long i = 0; i < count; i++) {
        float o = r[i] + bic[i];
        if (out) out[i] = o;
        float d = o - hr[i];
        if (l1) {
            total += fabs((double)d);
            if (g) g[i] = d > 0 ? inv : (d < 0 ? -inv : 0.0f);
        } else {
            total += (double)d * d;
            if (g) g[i] = 2.0f * d * inv;
        }
    }
    return total;
}

void srt_adam(float *w, const float *g, float *m, float *v, long count, float lr_t, float b1, float b2, float eps) {
    for (long i = 0; i < count; i++) {
        float gi = g[i];
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        w[i] -= lr_t * m[i] / (sqrtf(v[i]) + eps);
    }
}

static inline uint64_t srt_mix(uint64_t z) {
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void srt_dropout_mask(float *mask, long count, float keep, uint64_t seed) {
    const float scale = 1.0f / keep;
    const uint64_t base = srt_mix(seed);
    for (long i = 0; i < count; i++) {
        double u = (double)(srt_mix(base ^ (uint64_t)i * 0xD1B54A32D192ED03ULL) >> 11) * 0x1.0p-53;
        mask[i] = u < keep ? scale : 0.0f;
    }
}
