/* sr_options versioning and max_pixels (docs/c-api.md, "Options"): a host built against version 0.1
   (a 40-byte struct without max_pixels) is still accepted and gets the default pixel limit; the
   exported sr_options_init symbol writes exactly those 40 bytes, the header's macro the whole struct;
   max_pixels refuses an input from its header (SR_ERROR_OUT_OF_MEMORY) before anything is allocated,
   a 145-byte PNG declaring 26000 x 26000 included, and SR_NO_PIXEL_LIMIT turns the limit off.
   Usage: test_options MODEL SCRATCH_DIR */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */
#include "testutil.h"
#include <time.h>

/* sr_options as version 0.1 declared it (LP64: 40 bytes). */
typedef struct options_v01 {
    size_t struct_size;
    int threads, tile_size, self_ensemble, png_compression;
    sr_progress_fn progress;
    void *user_data;
} options_v01;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16); p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

static uint32_t crc32_png(const unsigned char *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
}

static size_t chunk(unsigned char *out, const char *type, const unsigned char *data, uint32_t n) {
    put32(out, n);
    memcpy(out + 4, type, 4);
    if (n) memcpy(out + 8, data, n);
    put32(out + 8 + n, crc32_png(out + 4, n + 4));
    return 12 + n;
}

/* The 145-byte PNG of the pixel-limit test: IHDR 26000 x 26000 RGB, one stored zlib block of 77 zeros. */
static int write_huge_png(const char *path) {
    unsigned char png[145], ihdr[13], z[88] = {0x78, 0x01, 0x01, 77, 0, (unsigned char)~77, 0xFF};
    size_t n = 0;
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    n = 8;
    put32(ihdr, 26000); put32(ihdr + 4, 26000);
    ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = ihdr[11] = ihdr[12] = 0;
    n += chunk(png + n, "IHDR", ihdr, 13);
    put32(z + 84, (77u << 16) | 1); /* Adler-32 of 77 zero bytes */
    n += chunk(png + n, "IDAT", z, sizeof z);
    n += chunk(png + n, "IEND", NULL, 0);
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    int ok = n == sizeof png && fwrite(png, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: test_options MODEL SCRATCH_DIR\n"); return 2; }
    sr_model *m = NULL;
    CHECK_RC(sr_model_load(argv[1], &m), SR_OK);
    if (!m) return tu_report("test_options");
    char small[4096], huge[4096], out[4096];
    snprintf(small, sizeof small, "%s/options-small.png", argv[2]);
    snprintf(huge, sizeof huge, "%s/options-huge.png", argv[2]);
    snprintf(out, sizeof out, "%s/options-out.png", argv[2]);
    sr_image img = tu_make_image(SR_FORMAT_RGB8, 30, 20, 0, 7);
    CHECK(tu_write_png(small, &img));
    free(img.data);
    CHECK(write_huge_png(huge));

    /* The exported function fills version 0.1's 40 bytes only; the macro the whole struct. */
    CHECK(sizeof(options_v01) == 40 && sizeof(sr_options) == 48);
    unsigned char raw[sizeof(sr_options)];
    memset(raw, 0xAB, sizeof raw);
    (sr_options_init)((sr_options *)(void *)raw);
    CHECK(((sr_options *)(void *)raw)->struct_size == 40 && raw[39] == 0 && raw[40] == 0xAB && raw[47] == 0xAB);
    sr_options o;
    memset(&o, 0xAB, sizeof o);
    sr_options_init(&o);
    CHECK(o.struct_size == sizeof o && o.max_pixels == 0 && o.threads == 0 && o.progress == NULL);
    sr_options_init_size(NULL, sizeof o); /* no-op */

    /* A 0.1 host: accepted, default limit (the 30 x 20 image passes, the 145-byte file does not). */
    options_v01 old = {sizeof old, 1, 0, 0, 0, NULL, NULL};
    CHECK_RC(sr_upscale_file(m, (const sr_options *)(const void *)&old, small, out), SR_OK);
    double t0 = now();
    CHECK_RC(sr_upscale_file(m, (const sr_options *)(const void *)&old, huge, out), SR_ERROR_OUT_OF_MEMORY);
    CHECK(now() - t0 < 1.0);
    CHECK(strstr(sr_last_error(), "26000x26000 = 676000000 pixels exceeds the limit of 268435456") != NULL);

    /* A size between two versions' (0.1's 40, now 48) is no struct at all. */
    sr_options mid = SR_OPTIONS_INIT;
    mid.struct_size = 44;
    CHECK_RC(sr_upscale_file(m, &mid, small, out), SR_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(sr_last_error(), "struct_size 44 is not the size of any version") != NULL);

    /* max_pixels: at the image's size it passes, one below it is refused; SR_NO_PIXEL_LIMIT = none. */
    sr_options lim = SR_OPTIONS_INIT;
    lim.threads = 1;
    lim.max_pixels = 600;
    CHECK_RC(sr_upscale_file(m, &lim, small, out), SR_OK);
    lim.max_pixels = 599;
    CHECK_RC(sr_upscale_file(m, &lim, small, out), SR_ERROR_OUT_OF_MEMORY);
    CHECK(strstr(sr_last_error(), "30x20 = 600 pixels exceeds the limit of 599") != NULL);
    lim.max_pixels = SR_DEFAULT_MAX_PIXELS;
    CHECK_RC(sr_upscale_file(m, &lim, huge, out), SR_ERROR_OUT_OF_MEMORY);
    lim.max_pixels = SR_NO_PIXEL_LIMIT;
    CHECK_RC(sr_upscale_file(m, &lim, small, out), SR_OK);
    sr_model_free(m);
    return tu_report("test_options");
}
