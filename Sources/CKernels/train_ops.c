#include "train_ops.h"
#include <string.h>
#include <math.h>

void srt_im2col(const float *in, long ldin, int n, int h, int w, int c, int k, float *col) {
    const int p = k / 2;
    const long K = (long)k * k * c;
    for (int img = 0; img < n; img++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float *dst = col + (((long)img * h + y) * w + x) * K;
                for (int ky = 0; ky < k; ky++) {
                    const int yy = y + ky - p;
                    for (int kx = 0; kx < k; kx++, dst += c) {
                        const int xx = x + kx - p;
                        if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
                            for (int ci = 0; ci < c; ci++) dst[ci] = 0.0f;
                        } else {
                            const float *src = in + (((long)img * h + yy) * w + xx) * ldin;
                            for (int ci = 0; ci < c; ci++) dst[ci] = src[ci];
                        }
                    }
                }
            }
}

void srt_col2im_add(const float *col, int n, int h, int w, int c, int k, float *din, long ldin) {
    const int p = k / 2;
    const long K = (long)k * k * c;
    for (int img = 0; img < n; img++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const float *src = col + (((long)img * h + y) * w + x) * K;
                for (int ky = 0; ky < k; ky++) {
                    const int yy = y + ky - p;
                    for (int kx = 0; kx < k; kx++, src += c) {
                        const int xx = x + kx - p;
                        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                        float *dst = din + (((long)img * h + yy) * w + xx) * ldin;
                        for (int ci = 0; ci < c; ci++) dst[ci] += src[ci];
                    }
                }
            }
}

void srt_bias_prelu_fwd(float *z, long rows, int c, const float *bias, const float *alpha,
                        const float *mask, float *out, long ldout) {
    for (long r = 0; r < rows; r++) {
        float *zr = z + r * c;
        float *o = out + r * ldout;
        const float *m = mask ? mask + r * c : NULL;
        for (int j = 0; j < c; j++) {
            float v = zr[j] + (bias ? bias[j] : 0.0f);
            zr[j] = v;
            float a = (alpha && v < 0.0f) ? alpha[j] * v : v;
            o[j] = m ? a * m[j] : a;
        }
    }
}

void srt_prelu_bwd(const float *z, long rows, int c, const float *gout, long ldg, const float *alpha,
                   const float *mask, float *gz, double *galpha, double *gbias) {
    float ga[4096], gb[4096];
    for (int j = 0; j < c && j < 4096; j++) { ga[j] = 0; gb[j] = 0; }
    /* accumulate in float per block of rows, then in double */
    const long block = 256;
    for (long r0 = 0; r0 < rows; r0 += block) {
        long r1 = r0 + block < rows ? r0 + block : rows;
        for (long r = r0; r < r1; r++) {
            const float *zr = z + r * c;
            const float *g = gout + r * ldg;
            const float *m = mask ? mask + r * c : NULL;
            float *o = gz + r * c;
            for (int j = 0; j < c; j++) {
                float gv = m ? g[j] * m[j] : g[j];
                float v = zr[j];
                if (alpha) {
                    if (v > 0.0f) { o[j] = gv; }
                    else { o[j] = gv * alpha[j]; ga[j] += gv * v; }
                } else {
                    o[j] = gv;
                }
                gb[j] += o[j];
            }
        }
        for (int j = 0; j < c; j++) {
            if (galpha) galpha[j] += ga[j];
            if (gbias) gbias[j] += gb[j];
            ga[j] = 0; gb[j] = 0;
        }
    }
}

void srt_depth_to_space(const float *in, int n, int h, int w, int b, int C, float *out) {
    const int W = w * b;
    const long cin = (long)b * b * C;
    for (int img = 0; img < n; img++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const float *src = in + (((long)img * h + y) * w + x) * cin;
                for (int i = 0; i < b; i++)
                    for (int j = 0; j < b; j++) {
                        float *dst = out + (((long)img * h * b + (long)y * b + i) * W + (long)x * b + j) * C;
                        const float *s = src + (long)(i * b + j) * C;
                        for (int ch = 0; ch < C; ch++) dst[ch] = s[ch];
                    }
            }
}

void srt_space_to_depth(const float *gout, int n, int h, int w, int b, int C, float *gin) {
    const int W = w * b;
    const long cin = (long)b * b * C;
    for (int img = 0; img < n; img++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float *dst = gin + (((long)img * h + y) * w + x) * cin;
                for (int i = 0; i < b; i++)
                    for (int j = 0; j < b; j++) {
                        const float *s = gout + (((long)img * h * b + (long)y * b + i) * W + (long)x * b + j) * C;
                        float *d = dst + (long)(i * b + j) * C;
                        for (int ch = 0; ch < C; ch++) d[ch] = s[ch];
                    }
            }
}

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
