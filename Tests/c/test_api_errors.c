/* libsrcore C API error paths: every invalid argument of sr_upscale and sr_upscale_file, progress
   callbacks (monotonic, called, cancel) and file errors. Usage: test_api_errors MODEL.safetensors SCRATCH_DIR */
#include "testutil.h"
#include <math.h>
#include <stdint.h>

static int cancel_at_once(void *user, double fraction) {
    (void)fraction;
    (*(int *)user)++;
    return 1;
}

struct progress_log {
    int calls;
    int monotonic;
    double last;
};

static int log_progress(void *user, double fraction) {
    struct progress_log *p = user;
    if (fraction < p->last || fraction < 0 || fraction > 1) p->monotonic = 0;
    p->last = fraction;
    p->calls++;
    return 0;
}

static void test_upscale_errors(sr_model *m) {
    int s = sr_model_scale(m);
    sr_image in = tu_make_image(SR_FORMAT_RGB8, 12, 10, 0, 1);
    sr_image out = tu_make_output(m, SR_FORMAT_RGB8, 12, 10, 0);
    sr_options o = SR_OPTIONS_INIT;
    o.threads = 1;
    CHECK_RC(sr_upscale(m, &o, &in, &out), SR_OK);
    CHECK_RC(sr_upscale(m, NULL, &in, &out), SR_OK);
    CHECK_RC(sr_upscale(NULL, &o, &in, &out), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_upscale(m, &o, NULL, &out), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_upscale(m, &o, &in, NULL), SR_ERROR_INVALID_ARGUMENT);

    sr_image bad = in;
    bad.data = NULL;
    CHECK_RC(sr_upscale(m, &o, &bad, &out), SR_ERROR_INVALID_ARGUMENT);
    bad = out;
    bad.data = NULL;
    CHECK_RC(sr_upscale(m, &o, &in, &bad), SR_ERROR_INVALID_ARGUMENT);
    bad = in;
    bad.width = 0;
    CHECK_RC(sr_upscale(m, &o, &bad, &out), SR_ERROR_INVALID_ARGUMENT);
    bad = in;
    bad.height = 0;
    CHECK_RC(sr_upscale(m, &o, &bad, &out), SR_ERROR_INVALID_ARGUMENT);
    bad = in;
    bad.stride = in.width * 3 - 1; /* smaller than a row */
    CHECK_RC(sr_upscale(m, &o, &bad, &out), SR_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(sr_last_error(), "stride") != NULL);
    bad = out;
    bad.stride = 0;
    CHECK_RC(sr_upscale(m, &o, &in, &bad), SR_ERROR_INVALID_ARGUMENT);
    bad = in;
    bad.stride = SIZE_MAX; /* overflows */
    CHECK_RC(sr_upscale(m, &o, &bad, &out), SR_ERROR_INVALID_ARGUMENT);
    bad = in;
    bad.stride = SIZE_MAX / 2;
    CHECK_RC(sr_upscale(m, &o, &bad, &out), SR_ERROR_INVALID_ARGUMENT);
    bad = in;
    bad.format = 0;
    CHECK_RC(sr_upscale(m, &o, &bad, &out), SR_ERROR_UNSUPPORTED);
    bad.format = 42;
    CHECK_RC(sr_upscale(m, &o, &bad, &out), SR_ERROR_UNSUPPORTED);
    bad = out;
    bad.format = SR_FORMAT_RGBA8; /* in and out formats differ */
    CHECK_RC(sr_upscale(m, &o, &in, &bad), SR_ERROR_INVALID_ARGUMENT);
    /* RGB8 rows declared RGBA8: the message names the format/channel mismatch, not just the stride */
    bad = in;
    bad.format = SR_FORMAT_RGBA8;
    bad.stride = (size_t)in.width * 3;
    CHECK_RC(sr_upscale(m, &o, &bad, &out), SR_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(sr_last_error(), "format/channel mismatch") != NULL && strstr(sr_last_error(), "RGB8 pixels") != NULL);
    /* an output sized for a model of another scale */
    bad = out;
    bad.width = in.width * (uint32_t)(s + 1);
    bad.height = in.height * (uint32_t)(s + 1);
    bad.stride = bad.width * 3;
    bad.data = malloc(bad.stride * bad.height);
    CHECK_RC(sr_upscale(m, &o, &in, &bad), SR_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(sr_last_error(), "sr_output_size") != NULL);
    free(bad.data);
    bad = out;
    bad.width -= 1;
    CHECK_RC(sr_upscale(m, &o, &in, &bad), SR_ERROR_INVALID_ARGUMENT);
    /* overlapping buffers */
    sr_image alias = out;
    alias.width = in.width;
    alias.height = in.height;
    alias.stride = in.stride;
    memcpy(out.data, in.data, in.stride * in.height);
    CHECK_RC(sr_upscale(m, &o, &alias, &out), SR_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(sr_last_error(), "overlap") != NULL);
    /* misaligned float and 16-bit buffers */
    sr_image fin = tu_make_image(SR_FORMAT_Y_F32, 12, 10, 4, 2);
    sr_image fout = tu_make_output(m, SR_FORMAT_Y_F32, 12, 10, 0);
    bad = fin;
    bad.stride = fin.stride - 1;
    CHECK_RC(sr_upscale(m, &o, &bad, &fout), SR_ERROR_INVALID_ARGUMENT);
    bad = fin;
    bad.data = (char *)fin.data + 1;
    bad.height -= 1;
    CHECK_RC(sr_upscale(m, &o, &bad, &fout), SR_ERROR_INVALID_ARGUMENT);
    free(fin.data);
    free(fout.data);
    /* options */
    sr_options bo = o;
    bo.struct_size = 0;
    CHECK_RC(sr_upscale(m, &bo, &in, &out), SR_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(sr_last_error(), "struct_size") != NULL);
    bo.struct_size = 40 - 1;   /* one byte short of version 0.1's sizeof(sr_options), the smallest accepted */
    CHECK_RC(sr_upscale(m, &bo, &in, &out), SR_ERROR_INVALID_ARGUMENT);
    bo = o;
    bo.threads = -1;
    CHECK_RC(sr_upscale(m, &bo, &in, &out), SR_ERROR_INVALID_ARGUMENT);
    bo.threads = 1 << 20;
    CHECK_RC(sr_upscale(m, &bo, &in, &out), SR_ERROR_INVALID_ARGUMENT);
    bo = o;
    bo.tile_size = -5;
    CHECK_RC(sr_upscale(m, &bo, &in, &out), SR_ERROR_INVALID_ARGUMENT);
    bo = o;
    bo.self_ensemble = 9;
    CHECK_RC(sr_upscale(m, &bo, &in, &out), SR_ERROR_INVALID_ARGUMENT);
    bo.self_ensemble = -1;
    CHECK_RC(sr_upscale(m, &bo, &in, &out), SR_ERROR_INVALID_ARGUMENT);
    bo = o;
    bo.png_compression = 10;
    CHECK_RC(sr_upscale(m, &bo, &in, &out), SR_ERROR_INVALID_ARGUMENT);
    bo.png_compression = -2;
    CHECK_RC(sr_upscale(m, &bo, &in, &out), SR_ERROR_INVALID_ARGUMENT);
    /* a huge image is refused before anything is read or allocated */
    sr_image huge = in, hugeout = out;
    huge.width = 300000;
    huge.height = 300000;
    huge.stride = huge.width * 3;
    hugeout.width = huge.width * (uint32_t)s;
    hugeout.height = huge.height * (uint32_t)s;
    hugeout.stride = hugeout.width * 3;
    hugeout.data = (void *)(uintptr_t)0x100000000000ull; /* never touched */
    CHECK_RC(sr_upscale(m, &o, &huge, &hugeout), SR_ERROR_OUT_OF_MEMORY);
    /* cancel from the progress callback */
    int calls = 0;
    bo = o;
    bo.progress = cancel_at_once;
    bo.user_data = &calls;
    CHECK_RC(sr_upscale(m, &bo, &in, &out), SR_ERROR_CANCELLED);
    CHECK(calls == 1);
    /* progress: monotonic, ends at 1 */
    struct progress_log log = {0, 1, 0.0};
    bo.progress = log_progress;
    bo.user_data = &log;
    bo.tile_size = 4;
    CHECK_RC(sr_upscale(m, &bo, &in, &out), SR_OK);
    CHECK(log.calls >= 2 && log.monotonic && log.last == 1.0);
    free(in.data);
    free(out.data);
}

static void test_file_errors(sr_model *m, const char *scratch) {
    char path[4096], outp[4096];
    sr_options o = SR_OPTIONS_INIT;
    snprintf(path, sizeof path, "%s/in-err.png", scratch);
    snprintf(outp, sizeof outp, "%s/out-err.png", scratch);
    sr_image in = tu_make_image(SR_FORMAT_RGB8, 9, 8, 0, 3);
    CHECK(tu_write_png(path, &in));
    CHECK_RC(sr_upscale_file(NULL, &o, path, outp), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_upscale_file(m, &o, NULL, outp), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_upscale_file(m, &o, path, NULL), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_upscale_file(m, &o, "", outp), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_upscale_file(m, &o, "/nonexistent/in.png", outp), SR_ERROR_IO);
    CHECK_RC(sr_upscale_file(m, &o, path, "/nonexistent/dir/out.png"), SR_ERROR_IO);
    /* a truncated PNG: the header reads, the pixel data ends early */
    char cut[4096];
    snprintf(cut, sizeof cut, "%s/truncated.png", scratch);
    FILE *src = fopen(path, "rb"), *dst = fopen(cut, "wb");
    CHECK(src && dst);
    if (src && dst) {
        unsigned char buf[65536];
        size_t n = fread(buf, 1, sizeof buf, src);
        fwrite(buf, 1, n * 2 / 3, dst);
    }
    if (src) fclose(src);
    if (dst) fclose(dst);
    CHECK_RC(sr_upscale_file(m, &o, cut, outp), SR_ERROR_FORMAT);
    FILE *leftover = fopen(outp, "rb"); /* nothing written on failure (temp file removed) */
    CHECK(leftover == NULL);
    if (leftover) fclose(leftover);
    snprintf(path, sizeof path, "%s/garbage.h5", scratch); /* not a PNG */
    CHECK_RC(sr_upscale_file(m, &o, path, outp), SR_ERROR_FORMAT);
    sr_options bo = o;
    bo.struct_size = 4;
    CHECK_RC(sr_upscale_file(m, &bo, path, outp), SR_ERROR_INVALID_ARGUMENT);
    free(in.data);
}

/* Every format, tight and padded strides, odd sizes: the padded result equals the tight one, padding
   is untouched, and the integer gray formats equal the quantised Y-float path. */

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL.safetensors SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    sr_model *m = NULL;
    CHECK_RC(sr_model_load(argv[1], &m), SR_OK);
    if (!m) return tu_report("test_api_errors");
    test_upscale_errors(m);
    test_file_errors(m, argv[2]);
    sr_model_free(m);
    return tu_report("test_api_errors");
}
