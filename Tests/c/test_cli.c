/* sr_upscale (caller buffers, padded strides) and sr_upscale_file give exactly what `sr upscale`
   writes, for every PNG layout (gray, gray+alpha, RGB, RGBA; 8 and 16 bits), with and without
   self-ensemble. Usage: test_cli MODEL.safetensors SR_BINARY SCRATCH_DIR */
#include "testutil.h"

static const char *names[] = {"", "yf32", "gray8", "gray16", "graya8", "graya16", "rgb8", "rgb16", "rgba8", "rgba16"};

static int run_cli(const char *sr, const char *model, const char *in, const char *out, const char *extra) {
    char cmd[20000];
    snprintf(cmd, sizeof cmd, "'%s' upscale '%s' -o '%s' --model '%s' --force --quiet %s", sr, in, out, model, extra);
    int rc = system(cmd);
    if (rc != 0) fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
    return rc == 0;
}


static void compare_with_cli(sr_model *m, const char *model, const char *sr, const char *dir, int format,
                             int ensemble, int compression) {
    char in_path[4096], ref_path[4096], out_path[4096];
    const char *tag = ensemble > 1 ? "-se" : "";
    snprintf(in_path, sizeof in_path, "%s/cli-%s%s.png", dir, names[format], tag);
    snprintf(ref_path, sizeof ref_path, "%s/cli-%s%s-sr.png", dir, names[format], tag);
    snprintf(out_path, sizeof out_path, "%s/cli-%s%s-capi.png", dir, names[format], tag);
    sr_image in = tu_make_image(format, 27, 19, 3 * (size_t)sr_format_bytes_per_pixel(format), (uint32_t)format);
    CHECK(tu_write_png(in_path, &in));
    char extra[64];
    if (compression)
        snprintf(extra, sizeof extra, "--ensemble %d --compression %d", ensemble, compression < 0 ? 0 : compression);
    else
        snprintf(extra, sizeof extra, "--ensemble %d", ensemble);
    CHECK(run_cli(sr, model, in_path, ref_path, extra));
    sr_image ref;
    CHECK(tu_read_png(ref_path, &ref));
    CHECK(ref.format == format);

    sr_options o = SR_OPTIONS_INIT;
    o.self_ensemble = ensemble;
    o.tile_size = 8; /* tiles must not change a bit */
    o.png_compression = compression;
    CHECK_RC(sr_upscale_file(m, &o, in_path, out_path), SR_OK);
    CHECK(tu_same_file(out_path, ref_path)); /* the very bytes `sr upscale` writes */
    sr_image got;
    CHECK(tu_read_png(out_path, &got));
    CHECK(tu_same_pixels(&got, &ref));

    sr_image out = tu_make_output(m, format, in.width, in.height, 7 * (size_t)sr_format_bytes_per_pixel(format));
    CHECK_RC(sr_upscale(m, &o, &in, &out), SR_OK);
    int same = tu_same_pixels(&out, &ref);
    CHECK(same);
    if (!same) fprintf(stderr, "  format %s ensemble %d differs from sr upscale\n", names[format], ensemble);
    free(in.data);
    free(ref.data);
    free(got.data);
    free(out.data);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL.safetensors SR_BINARY SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    sr_model *m = NULL;
    CHECK_RC(sr_model_load(argv[1], &m), SR_OK);
    if (!m) return tu_report("test_cli");
    for (int f = SR_FORMAT_GRAY8; f <= SR_FORMAT_RGBA16; f++) compare_with_cli(m, argv[1], argv[2], argv[3], f, 1, 0);
    compare_with_cli(m, argv[1], argv[2], argv[3], SR_FORMAT_RGB8, 8, 9);
    compare_with_cli(m, argv[1], argv[2], argv[3], SR_FORMAT_GRAYA16, 8, -1);

    /* each builtin model (when compiled in) is the shipped Models/dcscn-x<scale>.safetensors (compact) or
       Models/dcscn-best-x<scale>.safetensors (best), byte for byte:
       loading both gives identical results */
    const char *models = getenv("SRCORE_MODELS_DIR");
    for (int i = 0; i < 6 && models; i++) {
        const int s = 2 + i % 3, best = i >= 3; /* the compact models, then the "best" ones */
        char shipped[4096];
        snprintf(shipped, sizeof shipped, "%s/dcscn-%sx%d.safetensors", models, best ? "best-" : "", s);
        FILE *probe = fopen(shipped, "rb");
        if (probe) fclose(probe);
        if (!sr_builtin_model_named_available(best ? "best" : "compact", s)) {
            if (probe) fprintf(stderr, "note: %s exists but is not compiled in (run `make lib`)\n", shipped);
            continue;
        }
        CHECK(probe != NULL);
        if (!probe) continue;
        sr_model *b = NULL, *f = NULL;
        CHECK_RC(sr_model_load_builtin_named(best ? "best" : "compact", s, &b), SR_OK);
        CHECK_RC(sr_model_load(shipped, &f), SR_OK);
        if (!b || !f) continue;
        sr_image in = tu_make_image(SR_FORMAT_RGBA8, 19, 23, 0, 5);
        sr_image ob = tu_make_output(b, in.format, in.width, in.height, 0);
        sr_image of = tu_make_output(f, in.format, in.width, in.height, 0);
        CHECK_RC(sr_upscale(b, NULL, &in, &ob), SR_OK);
        CHECK_RC(sr_upscale(f, NULL, &in, &of), SR_OK);
        CHECK(sr_model_scale(b) == s && tu_same_pixels(&ob, &of));
        printf("builtin %s x%d model equals %s\n", best ? "best" : "compact", s, shipped);
        free(in.data);
        free(ob.data);
        free(of.data);
        sr_model_free(b);
        sr_model_free(f);
    }
    sr_model_free(m);
    return tu_report("test_cli");
}
