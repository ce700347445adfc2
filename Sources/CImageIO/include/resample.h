#ifndef SRCORE_RESAMPLE_H
#define SRCORE_RESAMPLE_H
/*
 * Separable resampling passes with precomputed coefficient tables (Pillow's Resample.c layout):
 * output index o uses inputs bounds[2o] .. bounds[2o] + bounds[2o+1] - 1 with weights
 * kk[o*ksize + 0 ..]. Float passes accumulate in double in increasing tap order and store
 * float32 (bit-identical to Pillow's mode "F"); 8-bit passes use 22-bit fixed point (mode "L").
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Horizontal float pass: for rows y in [0, rows): out[y*out_stride + o - o0] for o in [o0, o1). */
void srimg_resample_h_f32(const float *in, size_t in_stride, size_t rows,
                          float *out, size_t out_stride, int o0, int o1,
                          const int32_t *bounds, const double *kk, int ksize);

/** Vertical float pass: output rows o in [o0, o1), `cols` columns;
 *  input row r is in + (r - in_row0) * in_stride. Uses a double scratch row of `cols`. */
void srimg_resample_v_f32(const float *in, size_t in_stride, int in_row0, size_t cols,
                          float *out, size_t out_stride, int o0, int o1,
                          const int32_t *bounds, const double *kk, int ksize, double *scratch);

/** Horizontal 8-bit pass with fixed-point weights (22 fractional bits). */
void srimg_resample_h_u8(const uint8_t *in, size_t in_stride, size_t rows,
                         uint8_t *out, size_t out_stride, int o0, int o1,
                         const int32_t *bounds, const int32_t *kk, int ksize);

/** Vertical 8-bit pass with fixed-point weights (22 fractional bits). */
void srimg_resample_v_u8(const uint8_t *in, size_t in_stride, int in_row0, size_t cols,
                         uint8_t *out, size_t out_stride, int o0, int o1,
                         const int32_t *bounds, const int32_t *kk, int ksize, int32_t *scratch);

#ifdef __cplusplus
}
#endif
#endif
