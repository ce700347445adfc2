/* Shared helpers of the C host tests: checks, deterministic test images, PNG read/write (libpng). */
#ifndef SRCORE_TESTUTIL_H
#define SRCORE_TESTUTIL_H
#include <srcore.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tu_failures = 0;
static int tu_checks = 0;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        tu_checks++;                                                                   \
        if (!(cond)) {                                                                 \
            tu_failures++;                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                              \
    } while (0)

/* expr must return `code`; a failure must leave a non-empty message naming the function. */
#define CHECK_RC(expr, code)                                                                       \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        tu_checks++;                                                                               \
        if (rc_ != (code)) {                                                                       \
            tu_failures++;                                                                         \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d; last error: %s\n", __FILE__, \
                    __LINE__, #expr, rc_, sr_status_string(rc_), (int)(code), sr_last_error());    \
        } else if ((code) != SR_OK && (sr_last_error()[0] == '\0' || !strstr(sr_last_error(), "sr_"))) { \
            tu_failures++;                                                                         \
            fprintf(stderr, "%s:%d: %s failed without a proper message: '%s'\n", __FILE__, __LINE__, \
                    #expr, sr_last_error());                                                       \
        }                                                                                          \
    } while (0)

static inline int tu_report(const char *name) {
    if (tu_failures) {
        fprintf(stderr, "%s: %d of %d checks FAILED\n", name, tu_failures, tu_checks);
        return 1;
    }
    printf("%s: all %d checks passed\n", name, tu_checks);
    return 0;
}

/* A deterministic pseudo-random generator (LCG), so images are the same on every run. */
static inline uint32_t tu_rand(uint32_t *s) {
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* A smooth pattern plus noise, sample (x, y, c) scaled to `maxv`. */
static inline unsigned tu_sample(unsigned x, unsigned y, unsigned c, unsigned maxv, uint32_t *s) {
    unsigned base = (x * 7 + y * 5 + c * 50) % 200;
    unsigned noise = tu_rand(s) % 40;
    unsigned v = (base + noise) * maxv / 255u;
    return v > maxv ? maxv : v;
}

static inline int tu_channels(int format) {
    switch (format) {
    case SR_FORMAT_GRAYA8: case SR_FORMAT_GRAYA16: return 2;
    case SR_FORMAT_RGB8: case SR_FORMAT_RGB16: return 3;
    case SR_FORMAT_RGBA8: case SR_FORMAT_RGBA16: return 4;
    default: return 1;
    }
}

static inline int tu_is16(int format) {
    return format == SR_FORMAT_GRAY16 || format == SR_FORMAT_GRAYA16 || format == SR_FORMAT_RGB16 ||
           format == SR_FORMAT_RGBA16;
}

/* Allocates an image with `pad` extra bytes per row, filled with a pattern (padding = 0xA5). */
static inline sr_image tu_make_image(int format, uint32_t w, uint32_t h, size_t pad, uint32_t seed) {
    size_t bpp = sr_format_bytes_per_pixel(format);
    sr_image img;
    img.format = format;
    img.width = w;
    img.height = h;
    img.stride = w * bpp + pad;
    img.data = malloc(img.stride * h);
    memset(img.data, 0xA5, img.stride * h);
    int ch = tu_channels(format);
    for (uint32_t y = 0; y < h; y++) {
        unsigned char *row = (unsigned char *)img.data + y * img.stride;
        for (uint32_t x = 0; x < w; x++) {
            for (int c = 0; c < ch; c++) {
                if (format == SR_FORMAT_Y_F32) {
                    float v = (float)tu_sample(x, y, (unsigned)c, 255, &seed) + 0.25f;
                    memcpy(row + x * 4, &v, 4);
                } else if (tu_is16(format)) {
                    uint16_t v = (uint16_t)tu_sample(x, y, (unsigned)c, 65535, &seed);
                    memcpy(row + (x * ch + c) * 2, &v, 2);
                } else {
                    row[x * ch + c] = (unsigned char)tu_sample(x, y, (unsigned)c, 255, &seed);
                }
            }
        }
    }
    return img;
}

/* An output buffer for `in` (with `pad` bytes per row, filled with 0x5A). */
static inline sr_image tu_make_output(const sr_model *m, int format, uint32_t w, uint32_t h, size_t pad) {
    sr_image out;
    size_t stride = 0, bytes = 0;
    memset(&out, 0, sizeof out);
    if (sr_output_size(m, format, w, h, &out.width, &out.height, &stride, &bytes) != SR_OK) return out;
    out.format = format;
    out.stride = stride + pad;
    out.data = malloc(out.stride * out.height);
    memset(out.data, 0x5A, out.stride * out.height);
    return out;
}

/* Whether two images have the same pixels (ignoring padding). */
static inline int tu_same_pixels(const sr_image *a, const sr_image *b) {
    if (a->width != b->width || a->height != b->height || a->format != b->format) return 0;
    size_t row = a->width * sr_format_bytes_per_pixel(a->format);
    for (uint32_t y = 0; y < a->height; y++)
        if (memcmp((const char *)a->data + y * a->stride, (const char *)b->data + y * b->stride, row)) return 0;
    return 1;
}

/* Whether every padding byte of every row still holds `fill`. */
static inline int tu_padding_intact(const sr_image *a, unsigned char fill) {
    size_t row = a->width * sr_format_bytes_per_pixel(a->format);
    for (uint32_t y = 0; y < a->height; y++)
        for (size_t i = row; i < a->stride; i++)
            if (((const unsigned char *)a->data)[y * a->stride + i] != fill) return 0;
    return 1;
}

/* Reads a gray/GA/RGB/RGBA PNG into a tight buffer of the matching sr_format (16-bit samples in host
   order); 0 on failure. */
/* Whether two files have the same bytes. */
static inline int tu_same_file(const char *a, const char *b) {
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb) same = 0;
        if (ca == EOF || cb == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

static inline int tu_read_png(const char *path, sr_image *out) {
    static const int f8[] = {0, SR_FORMAT_GRAY8, SR_FORMAT_GRAYA8, SR_FORMAT_RGB8, SR_FORMAT_RGBA8};
    static const int f16[] = {0, SR_FORMAT_GRAY16, SR_FORMAT_GRAYA16, SR_FORMAT_RGB16, SR_FORMAT_RGBA16};
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(p);
    memset(out, 0, sizeof *out);
    if (setjmp(png_jmpbuf(p))) {
        png_destroy_read_struct(&p, &info, NULL);
        fclose(f);
        return 0;
    }
    png_init_io(p, f);
    png_read_info(p, info);
    png_set_expand(p);
    if (png_get_bit_depth(p, info) == 16) png_set_swap(p); /* host (little-endian) order */
    png_read_update_info(p, info);
    int ch = png_get_channels(p, info);
    int depth = png_get_bit_depth(p, info);
    out->format = depth == 16 ? f16[ch] : f8[ch];
    out->width = png_get_image_width(p, info);
    out->height = png_get_image_height(p, info);
    out->stride = sr_format_bytes_per_pixel(out->format) * out->width;
    out->data = malloc(out->stride * out->height);
    for (uint32_t y = 0; y < out->height; y++) png_read_row(p, (unsigned char *)out->data + y * out->stride, NULL);
    png_read_end(p, NULL);
    png_destroy_read_struct(&p, &info, NULL);
    fclose(f);
    return 1;
}

/* Writes an sr_image of an integer format as a PNG; 0 on failure. */
static inline int tu_write_png(const char *path, const sr_image *img) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(p);
    if (setjmp(png_jmpbuf(p))) {
        png_destroy_write_struct(&p, &info);
        fclose(f);
        return 0;
    }
    static const int types[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                PNG_COLOR_TYPE_RGB_ALPHA};
    png_init_io(p, f);
    png_set_IHDR(p, info, img->width, img->height, tu_is16(img->format) ? 16 : 8, types[tu_channels(img->format)],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(p, info);
    if (tu_is16(img->format)) png_set_swap(p);
    for (uint32_t y = 0; y < img->height; y++) png_write_row(p, (unsigned char *)img->data + y * img->stride);
    png_write_end(p, NULL);
    png_destroy_write_struct(&p, &info);
    fclose(f);
    return 1;
}
#endif
