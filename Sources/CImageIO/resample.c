// Separable resampling passes (see include/resample.h). No FMA contraction: Pillow's
// reference build multiplies and adds separately, and bit-exactness depends on it.
#pragma STDC FP_CONTRACT OFF
#include "resample.h"

#define PRECISION_BITS (32 - 8 - 2)

static inline uint8_t clip8(int32_t in) {
    if (in >= (1 << PRECISION_BITS << 8)) return 255;
    if (in <= 0) return 0;
    return (uint8_t)(in >> PRECISION_BITS);
}

void srimg_resample_h_f32(const float *in, size_t in_stride, size_t rows,
                          float *out, size_t out_stride, int o0, int o1,
                          const int32_t *bounds, const double *kk, int ksize) {
    for (size_t y = 0; y < rows; y++) {
        const float *src = in + y * in_stride;
        float *dst = out + y * out_stride;
        for (int o = o0; o < o1; o++) {
            const int32_t xmin = bounds[2 * o], n = bounds[2 * o + 1];
            const double *k = kk + (size_t)o * (size_t)ksize;
            const float *p = src + xmin;
            double ss = 0.0;
            for (int32_t t = 0; t < n; t++) ss += (double)p[t] * k[t];
            dst[o - o0] = (float)ss;
        }
    }
}

void srimg_resample_v_f32(const float *in, size_t in_stride, int in_row0, size_t cols,
                          float *out, size_t out_stride, int o0, int o1,
                          const int32_t *bounds, const double *kk, int ksize, double *scratch) {
    for (int o = o0; o < o1; o++) {
        const int32_t ymin = bounds[2 * o], n = bounds[2 * o + 1];
        const double *k = kk + (size_t)o * (size_t)ksize;
        float *dst = out + (size_t)(o - o0) * out_stride;
        for (size_t x = 0; x < cols; x++) scratch[x] = 0.0;
        for (int32_t t = 0; t < n; t++) {
            const float *src = in + (size_t)(ymin + t - in_row0) * in_stride;
            const double w = k[t];
            for (size_t x = 0; x < cols; x++) scratch[x] += (double)src[x] * w;
        }
        for (size_t x = 0; x < cols; x++) dst[x] = (float)scratch[x];
    }
}

void srimg_resample_h_u8(const uint8_t *in, size_t in_stride, size_t rows,
                         uint8_t *out, size_t out_stride, int o0, int o1,
                         const int32_t *bounds, const int32_t *kk, int ksize) {
    for (size_t y = 0; y < rows; y++) {
        const uint8_t *src = in + y * in_stride;
        uint8_t *dst = out + y * out_stride;
        for (int o = o0; o < o1; o++) {
            const int32_t xmin = bounds[2 * o], n = bounds[2 * o + 1];
            const int32_t *k = kk + (size_t)o * (size_t)ksize;
            int32_t ss = 1 << (PRECISION_BITS - 1);
            for (int32_t t = 0; t < n; t++) ss += (int32_t)src[xmin + t] * k[t];
            dst[o - o0] = clip8(ss);
        }
    }
}

void srimg_resample_v_u8(const uint8_t *in, size_t in_stride, int in_row0, size_t cols,
                         uint8_t *out, size_t out_stride, int o0, int o1,
                         const int32_t *bounds, const int32_t *kk, int ksize, int32_t *scratch) {
    for (int o = o0; o < o1; o++) {
        const int32_t ymin = bounds[2 * o], n = bounds[2 * o + 1];
        const int32_t *k = kk + (size_t)o * (size_t)ksize;
        uint8_t *dst = out + (size_t)(o - o0) * out_stride;
        for (size_t x = 0; x < cols; x++) scratch[x] = 1 << (PRECISION_BITS - 1);
        for (int32_t t = 0; t < n; t++) {
            const uint8_t *src = in + (size_t)(ymin + t - in_row0) * in_stride;
            const int32_t w = k[t];
            for (size_t x = 0; x < cols; x++) scratch[x] += (int32_t)src[x] * w;
        }
        for (size_t x = 0; x < cols; x++) dst[x] = clip8(scratch[x]);
    }
}
