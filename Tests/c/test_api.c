/* libsrcore C API tests: versions, status strings, model loading and its errors, queries, all pixel
   formats and strides, tiling/thread invariance, self-ensemble (error paths of the calls: test_api_errors.c).
   Usage: test_api MODEL.safetensors SCRATCH_DIR */
#include "testutil.h"
#include <pthread.h>
#include <math.h>
#include <stdint.h>

static const int formats[] = {SR_FORMAT_Y_F32,  SR_FORMAT_GRAY8, SR_FORMAT_GRAY16, SR_FORMAT_GRAYA8, SR_FORMAT_GRAYA16,
                              SR_FORMAT_RGB8,   SR_FORMAT_RGB16, SR_FORMAT_RGBA8,  SR_FORMAT_RGBA16};
#define NFORMATS (sizeof formats / sizeof formats[0])

/* SRCORE_TEST_QUICK=1 (the valgrind run): smaller images, same code paths. */
static int quick = 0;

static void test_version_and_status(void) {
    CHECK(sr_version_number() == SR_VERSION_NUMBER);
    CHECK(strcmp(sr_version_string(), SR_VERSION_STRING) == 0);
    CHECK(strcmp(sr_status_string(SR_OK), "ok") == 0);
    CHECK(strcmp(sr_status_string(SR_ERROR_INVALID_ARGUMENT), "invalid argument") == 0);
    CHECK(strcmp(sr_status_string(SR_ERROR_CANCELLED), "cancelled") == 0);
    CHECK(strcmp(sr_status_string(SR_ERROR_INTERNAL), "internal error") == 0);
    CHECK(strcmp(sr_status_string(999), "unknown status") == 0);
    CHECK(strcmp(sr_status_string(-1), "unknown status") == 0);
    /* stable numbers (they equal SRError.Code raw values) */
    CHECK(SR_ERROR_INVALID_ARGUMENT == 1 && SR_ERROR_IO == 2 && SR_ERROR_FORMAT == 3 && SR_ERROR_UNSUPPORTED == 4 &&
          SR_ERROR_SHAPE_MISMATCH == 5 && SR_ERROR_OUT_OF_MEMORY == 6 && SR_ERROR_CANCELLED == 7 &&
          SR_ERROR_INTERNAL == 8 && SR_ERROR_EXISTS == 9);
    CHECK(strcmp(sr_status_string(SR_ERROR_EXISTS), "already exists") == 0);
    CHECK(sr_format_bytes_per_pixel(SR_FORMAT_Y_F32) == 4);
    CHECK(sr_format_bytes_per_pixel(SR_FORMAT_GRAY8) == 1);
    CHECK(sr_format_bytes_per_pixel(SR_FORMAT_GRAYA16) == 4);
    CHECK(sr_format_bytes_per_pixel(SR_FORMAT_RGB8) == 3);
    CHECK(sr_format_bytes_per_pixel(SR_FORMAT_RGBA16) == 8);
    CHECK(sr_format_bytes_per_pixel(0) == 0);
    CHECK(sr_format_bytes_per_pixel(10) == 0);
    sr_options o;
    memset(&o, 0xFF, sizeof o);
    sr_options_init(&o);
    sr_options d = SR_OPTIONS_INIT;
    CHECK(o.struct_size == sizeof(sr_options) && d.struct_size == sizeof(sr_options));
    CHECK(o.threads == 0 && o.tile_size == 0 && o.self_ensemble == 0 && o.png_compression == 0 &&
          o.progress == NULL && o.user_data == NULL);
    CHECK(d.threads == 0 && d.tile_size == 0 && d.self_ensemble == 0 && d.png_compression == 0 &&
          d.progress == NULL && d.user_data == NULL);
    sr_options_init(NULL); /* no-op */
}

static void *first_error_of_new_thread(void *arg) {
    *(int *)arg = sr_last_error()[0] == '\0';
    return NULL;
}

static void test_load_errors(const char *model_path, const char *scratch) {
    sr_model *m = (sr_model *)(uintptr_t)1; /* must be overwritten with NULL on failure */
    char path[4096];
    CHECK_RC(sr_model_load(NULL, &m), SR_ERROR_INVALID_ARGUMENT);
    CHECK(m == NULL);
    CHECK_RC(sr_model_load(model_path, NULL), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_model_load("", &m), SR_ERROR_INVALID_ARGUMENT);
    m = (sr_model *)(uintptr_t)1;
    CHECK_RC(sr_model_load("/nonexistent/dir/model.h5", &m), SR_ERROR_IO);
    CHECK(m == NULL);
    CHECK(strstr(sr_last_error(), "/nonexistent/dir/model.h5") != NULL);

    /* the per-thread message: a fresh thread has none */
    pthread_t t;
    int empty = 0;
    pthread_create(&t, NULL, first_error_of_new_thread, &empty);
    pthread_join(t, NULL);
    CHECK(empty);

    /* garbage and truncated model files */
    snprintf(path, sizeof path, "%s/garbage.h5", scratch);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 4096; i++) fputc((i * 7919) & 0xFF, f);
    fclose(f);
    CHECK_RC(sr_model_load(path, &m), SR_ERROR_FORMAT);
    CHECK(m == NULL);

    FILE *src = fopen(model_path, "rb");
    CHECK(src != NULL);
    if (src) {
        fseek(src, 0, SEEK_END);
        long n = ftell(src);
        fseek(src, 0, SEEK_SET);
        unsigned char *bytes = malloc((size_t)n);
        CHECK(fread(bytes, 1, (size_t)n, src) == (size_t)n);
        fclose(src);
        snprintf(path, sizeof path, "%s/truncated.h5", scratch);
        f = fopen(path, "wb");
        fwrite(bytes, 1, (size_t)n / 2, f);
        fclose(f);
        int rc = sr_model_load(path, &m);
        CHECK(rc == SR_ERROR_FORMAT || rc == SR_ERROR_SHAPE_MISMATCH);
        CHECK(m == NULL && sr_last_error()[0] != '\0');
        /* memory loads: the same file from memory works, garbage and truncation fail */
        CHECK_RC(sr_model_load_memory(bytes, (size_t)n, &m), SR_OK);
        CHECK(m != NULL && sr_model_scale(m) >= 2);
        sr_model_free(m);
        m = NULL;
        rc = sr_model_load_memory(bytes, (size_t)n / 2, &m);
        CHECK(rc == SR_ERROR_FORMAT || rc == SR_ERROR_SHAPE_MISMATCH);
        CHECK(m == NULL);
        memset(bytes, 0x42, (size_t)n);
        CHECK_RC(sr_model_load_memory(bytes, (size_t)n, &m), SR_ERROR_FORMAT);
        CHECK_RC(sr_model_load_memory(NULL, 100, &m), SR_ERROR_INVALID_ARGUMENT);
        CHECK_RC(sr_model_load_memory(bytes, 0, &m), SR_ERROR_INVALID_ARGUMENT);
        CHECK_RC(sr_model_load_memory(bytes, SIZE_MAX, &m), SR_ERROR_INVALID_ARGUMENT);
        CHECK_RC(sr_model_load_memory(bytes, (size_t)n, NULL), SR_ERROR_INVALID_ARGUMENT);
        free(bytes);
    }
    CHECK_RC(sr_model_load_builtin(7, &m), SR_ERROR_UNSUPPORTED);
    CHECK(m == NULL && strstr(sr_last_error(), "no builtin model for scale 7") != NULL);
    CHECK(sr_builtin_model_available(7) == 0 && sr_builtin_model_available(0) == 0 &&
          sr_builtin_model_available(-3) == 0);
    CHECK_RC(sr_model_load_builtin(2, NULL), SR_ERROR_INVALID_ARGUMENT);
    for (int s = 2; s <= 4; s++) {
        if (sr_builtin_model_available(s)) {
            CHECK_RC(sr_model_load_builtin(s, &m), SR_OK);
            CHECK(sr_model_scale(m) == s);
            sr_model_free(m);
            m = NULL;
        } else {
            CHECK_RC(sr_model_load_builtin(s, &m), SR_ERROR_UNSUPPORTED);
        }
    }
    /* named builtins: "compact" is sr_model_load_builtin's model; "best" the mid-size one */
    CHECK_RC(sr_model_load_builtin_named(NULL, 2, &m), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_model_load_builtin_named("bestest", 2, &m), SR_ERROR_INVALID_ARGUMENT);
    CHECK(m == NULL && strstr(sr_last_error(), "unknown builtin model name") != NULL);
    CHECK_RC(sr_model_load_builtin_named("compact", 2, NULL), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_model_load_builtin_named("best", 7, &m), SR_ERROR_UNSUPPORTED);
    CHECK(m == NULL && strstr(sr_last_error(), "no builtin best model for scale 7") != NULL);
    CHECK(sr_builtin_model_named_available(NULL, 2) == 0 && sr_builtin_model_named_available("Best", 2) == 0 &&
          sr_builtin_model_named_available("best", 7) == 0 && sr_builtin_model_named_available("compact", 0) == 0);
    for (int s = 2; s <= 4; s++) {
        CHECK(sr_builtin_model_named_available("compact", s) == sr_builtin_model_available(s));
        for (int named = 0; named < 2; named++) {
            const char *name = named ? "best" : "compact";
            if (sr_builtin_model_named_available(name, s)) {
                CHECK_RC(sr_model_load_builtin_named(name, s, &m), SR_OK);
                CHECK(sr_model_scale(m) == s);
                sr_model_free(m);
                m = NULL;
            } else {
                CHECK_RC(sr_model_load_builtin_named(name, s, &m), SR_ERROR_UNSUPPORTED);
            }
        }
    }
    sr_model_free(NULL); /* no-op */
}

static void test_info(sr_model *m) {
    int s = sr_model_scale(m);
    CHECK(s >= 2 && s <= 8);
    CHECK(sr_model_scale(NULL) == 0 && sr_model_receptive_field(NULL) == 0);
    CHECK(sr_model_receptive_field(m) > 0);
    sr_model_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK_RC(sr_model_get_info(m, &info), SR_OK);
    CHECK(info.scale == s && info.receptive_field == sr_model_receptive_field(m));
    CHECK(info.feature_layers > 0 && info.first_feature_width >= info.last_feature_width);
    CHECK(info.nin_a > 0 && info.nin_b > 0 && info.kernel_size == 3 && info.parameter_count > 0);
    CHECK(info.conv_layers >= info.feature_layers + 5 && info.macs_per_lr_pixel > info.parameter_count / 2);
    CHECK(info.struct_size == sizeof info);
    size_t n = 0;
    CHECK_RC(sr_model_feature_widths(m, NULL, 0, &n), SR_OK);
    CHECK(n == (size_t)info.feature_layers);
    int widths[64] = {0};
    CHECK_RC(sr_model_feature_widths(m, widths, 64, &n), SR_OK);
    CHECK(widths[0] == info.first_feature_width && widths[n - 1] == info.last_feature_width);
    CHECK_RC(sr_model_feature_widths(m, widths, n - 1, &n), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_model_feature_widths(m, NULL, 5, NULL), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_model_feature_widths(NULL, widths, 64, &n), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_model_get_info(NULL, &info), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_model_get_info(m, NULL), SR_ERROR_INVALID_ARGUMENT);
    info.struct_size = 0;
    CHECK_RC(sr_model_get_info(m, &info), SR_ERROR_INVALID_ARGUMENT);
    info.struct_size = sizeof info - 1;
    CHECK_RC(sr_model_get_info(m, &info), SR_ERROR_INVALID_ARGUMENT);
}

static void test_output_size(sr_model *m) {
    int s = sr_model_scale(m);
    uint32_t w = 0, h = 0;
    size_t stride = 0, bytes = 0;
    CHECK_RC(sr_output_size(m, SR_FORMAT_RGB16, 13, 7, &w, &h, &stride, &bytes), SR_OK);
    CHECK(w == 13u * s && h == 7u * s && stride == w * 6 && bytes == stride * h);
    CHECK_RC(sr_output_size(m, SR_FORMAT_Y_F32, 1, 1, NULL, NULL, NULL, NULL), SR_OK);
    CHECK_RC(sr_output_size(NULL, SR_FORMAT_RGB8, 13, 7, &w, &h, &stride, &bytes), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_output_size(m, 0, 13, 7, &w, &h, &stride, &bytes), SR_ERROR_UNSUPPORTED);
    CHECK_RC(sr_output_size(m, 10, 13, 7, &w, &h, &stride, &bytes), SR_ERROR_UNSUPPORTED);
    CHECK_RC(sr_output_size(m, -1, 13, 7, &w, &h, &stride, &bytes), SR_ERROR_UNSUPPORTED);
    CHECK_RC(sr_output_size(m, SR_FORMAT_RGB8, 0, 7, &w, &h, &stride, &bytes), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_output_size(m, SR_FORMAT_RGB8, 13, 0, &w, &h, &stride, &bytes), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_output_size(m, SR_FORMAT_RGB8, UINT32_MAX, 7, &w, &h, &stride, &bytes), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_output_size(m, SR_FORMAT_RGB8, 7, UINT32_MAX, &w, &h, &stride, &bytes), SR_ERROR_INVALID_ARGUMENT);
    CHECK_RC(sr_output_size(m, SR_FORMAT_RGBA16, 1u << 30, 1u << 30, &w, &h, &stride, &bytes),
             SR_ERROR_INVALID_ARGUMENT);
}

static void test_formats_and_strides(sr_model *m) {
    const uint32_t w = quick ? 11 : 23, h = quick ? 9 : 17;
    sr_options o = SR_OPTIONS_INIT;
    o.threads = 1;
    for (size_t i = 0; i < NFORMATS; i++) {
        int f = formats[i];
        size_t pad = tu_is16(f) ? 6 : f == SR_FORMAT_Y_F32 ? 12 : 5;
        sr_image in = tu_make_image(f, w, h, 0, 77);
        sr_image inp = tu_make_image(f, w, h, pad, 77);
        sr_image out = tu_make_output(m, f, w, h, 0);
        sr_image outp = tu_make_output(m, f, w, h, 2 * pad);
        CHECK_RC(sr_upscale(m, &o, &in, &out), SR_OK);
        CHECK_RC(sr_upscale(m, &o, &inp, &outp), SR_OK);
        CHECK(tu_same_pixels(&out, &outp));
        CHECK(tu_padding_intact(&outp, 0x5A));
        CHECK(tu_padding_intact(&inp, 0xA5));
        /* tiles and threads do not change a bit */
        sr_options t = o;
        t.tile_size = 7;
        t.threads = 2;
        sr_image outt = tu_make_output(m, f, w, h, 0);
        CHECK_RC(sr_upscale(m, &t, &in, &outt), SR_OK);
        CHECK(tu_same_pixels(&out, &outt));
        if (!tu_same_pixels(&out, &outt)) fprintf(stderr, "  (format %d)\n", f);
        free(outt.data);
        free(in.data);
        free(inp.data);
        free(out.data);
        free(outp.data);
    }
    /* tiny images (smaller than the receptive field) work in every layout */
    const uint32_t tiny[4][2] = {{1, 1}, {1, 7}, {7, 1}, {2, 3}};
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < NFORMATS; i += 2) {
            sr_image in = tu_make_image(formats[i], tiny[k][0], tiny[k][1], 0, 3);
            sr_image out = tu_make_output(m, formats[i], tiny[k][0], tiny[k][1], 0);
            CHECK_RC(sr_upscale(m, &o, &in, &out), SR_OK);
            free(in.data);
            free(out.data);
        }
    }
    /* GRAY8 / GRAY16 = the Y-float path, rounded (half to even) and clipped */
    sr_image g8 = tu_make_image(SR_FORMAT_GRAY8, w, h, 0, 5);
    sr_image g16 = tu_make_image(SR_FORMAT_GRAY16, w, h, 0, 5);
    sr_image y8 = tu_make_image(SR_FORMAT_Y_F32, w, h, 0, 5), y16 = tu_make_image(SR_FORMAT_Y_F32, w, h, 0, 5);
    for (uint32_t k = 0; k < w * h; k++) {
        ((float *)y8.data)[k] = (float)((unsigned char *)g8.data)[k];
        ((float *)y16.data)[k] = (float)((uint16_t *)g16.data)[k] / 257.0f;
    }
    sr_image og8 = tu_make_output(m, SR_FORMAT_GRAY8, w, h, 0), og16 = tu_make_output(m, SR_FORMAT_GRAY16, w, h, 0);
    sr_image oy8 = tu_make_output(m, SR_FORMAT_Y_F32, w, h, 0), oy16 = tu_make_output(m, SR_FORMAT_Y_F32, w, h, 0);
    CHECK_RC(sr_upscale(m, &o, &g8, &og8), SR_OK);
    CHECK_RC(sr_upscale(m, &o, &g16, &og16), SR_OK);
    CHECK_RC(sr_upscale(m, &o, &y8, &oy8), SR_OK);
    CHECK_RC(sr_upscale(m, &o, &y16, &oy16), SR_OK);
    int same8 = 1, same16 = 1, differs = 0;
    for (uint32_t k = 0; k < og8.width * og8.height; k++) {
        float v = ((float *)oy8.data)[k];
        unsigned e = v <= 0 ? 0 : v >= 255 ? 255 : (unsigned)nearbyintf(v);
        if (((unsigned char *)og8.data)[k] != e) same8 = 0;
        double d = (double)((float *)oy16.data)[k] * 257.0;
        unsigned e16 = d <= 0 ? 0 : d >= 65535 ? 65535 : (unsigned)nearbyint(d);
        if (((uint16_t *)og16.data)[k] != e16) same16 = 0;
        if (v != ((float *)y8.data)[(k / og8.width / (uint32_t)sr_model_scale(m)) * w + (k % og8.width) / (uint32_t)sr_model_scale(m)]) differs = 1;
    }
    CHECK(same8);
    CHECK(same16);
    CHECK(differs); /* the network did something */
    free(g8.data); free(g16.data); free(y8.data); free(y16.data);
    free(og8.data); free(og16.data); free(oy8.data); free(oy16.data);
}

/* Self-ensemble: deterministic, and (with a trained model) not the plain result. */
static void test_ensemble(sr_model *m) {
    const uint32_t w = quick ? 7 : 16, h = quick ? 6 : 14;
    sr_image in = tu_make_image(SR_FORMAT_Y_F32, w, h, 0, 9);
    sr_image a = tu_make_output(m, SR_FORMAT_Y_F32, w, h, 0), b = tu_make_output(m, SR_FORMAT_Y_F32, w, h, 0);
    sr_image c = tu_make_output(m, SR_FORMAT_Y_F32, w, h, 0);
    sr_options o = SR_OPTIONS_INIT;
    o.self_ensemble = 8;
    CHECK_RC(sr_upscale(m, &o, &in, &a), SR_OK);
    o.threads = 1;
    o.tile_size = quick ? 4 : 5;
    CHECK_RC(sr_upscale(m, &o, &in, &b), SR_OK);
    CHECK(tu_same_pixels(&a, &b));
    o.self_ensemble = 1;
    CHECK_RC(sr_upscale(m, &o, &in, &c), SR_OK);
    CHECK(!tu_same_pixels(&a, &c));
    free(in.data); free(a.data); free(b.data); free(c.data);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL.safetensors SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    quick = getenv("SRCORE_TEST_QUICK") != NULL;
    test_version_and_status();
    test_load_errors(argv[1], argv[2]);
    sr_model *m = NULL;
    CHECK_RC(sr_model_load(argv[1], &m), SR_OK);
    if (!m) return tu_report("test_api");
    test_info(m);
    test_output_size(m);
    test_formats_and_strides(m);
    test_ensemble(m);
    sr_model_free(m);
    return tu_report("test_api");
}
