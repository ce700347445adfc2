/* sr_upscale_file with JPEG and WebP (docs/image-formats.md): a JPEG input (RGB, gray, and an
   EXIF-rotated one) and a WebP input (lossy RGB, lossless RGBA, and an EXIF-rotated one) upscale to
   the very bytes `sr upscale` writes, as PNG, JPEG and WebP; truncated JPEG/WebP files and a file of
   unknown signature are SR_ERROR_FORMAT with the file named and no output left. The inputs are
   written here with libjpeg and libwebp (+ libwebpmux for the EXIF chunk).
   Usage: test_photos MODEL.safetensors SR_BINARY SCRATCH_DIR */
#include "testutil.h"
#include <jpeglib.h>
#include <unistd.h>
#include <webp/encode.h>
#include <webp/mux.h>

static int run_cli(const char *sr, const char *model, const char *in, const char *out) {
    char cmd[20000];
    snprintf(cmd, sizeof cmd, "'%s' upscale '%s' -o '%s' --model '%s' --force --quiet", sr, in, out, model);
    int rc = system(cmd);
    if (rc != 0) fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
    return rc == 0;
}

/* A w x h JPEG (1 or 3 channels) with, when orientation > 1, an EXIF APP1 holding that orientation. */
static int write_jpeg(const char *path, unsigned w, unsigned h, int channels, int orientation) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, f);
    c.image_width = w;
    c.image_height = h;
    c.input_components = channels;
    c.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    if (orientation > 1) {
        /* "Exif\0\0" + little-endian TIFF header + IFD0 with one entry: 0x0112 SHORT 1 = orientation */
        JOCTET exif[] = {'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0,
                         0x12, 0x01, 3, 0, 1, 0, 0, 0, (JOCTET)orientation, 0, 0, 0, 0, 0, 0, 0};
        jpeg_write_marker(&c, JPEG_APP0 + 1, exif, sizeof exif);
    }
    unsigned char *row = malloc((size_t)w * (size_t)channels);
    uint32_t s = 7;
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < w * (unsigned)channels; x++) row[x] = (unsigned char)((x * 5 + y * 3 + (tu_rand(&s) & 15)) & 0xFF);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    return fclose(f) == 0;
}

/* A w x h WebP (3 channels lossy, 4 lossless) with, when orientation > 1, an EXIF chunk holding it. */
static int write_webp(const char *path, unsigned w, unsigned h, int channels, int orientation) {
    unsigned char *px = malloc((size_t)w * h * (size_t)channels);
    if (!px) return 0;
    uint32_t s = 11;
    for (size_t i = 0; i < (size_t)w * h * (size_t)channels; i++) px[i] = (unsigned char)((i * 7 + (tu_rand(&s) & 31)) & 0xFF);
    uint8_t *enc = NULL;
    size_t n = channels == 4 ? WebPEncodeLosslessRGBA(px, (int)w, (int)h, (int)(w * 4), &enc)
                             : WebPEncodeRGB(px, (int)w, (int)h, (int)(w * 3), 85.0f, &enc);
    free(px);
    if (n == 0) return 0;
    WebPData out = { enc, n }, assembled = { NULL, 0 };
    if (orientation > 1) {
        static uint8_t exif[] = {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        exif[18] = (uint8_t)orientation;
        WebPData image = { enc, n }, chunk = { exif, sizeof exif };
        WebPMux *mux = WebPMuxCreate(&image, 0);
        int ok = mux && WebPMuxSetChunk(mux, "EXIF", &chunk, 1) == WEBP_MUX_OK && WebPMuxAssemble(mux, &assembled) == WEBP_MUX_OK;
        WebPMuxDelete(mux);
        if (!ok) { WebPFree(enc); WebPDataClear(&assembled); return 0; }
        out = assembled;
    }
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(out.bytes, 1, out.size, f) == out.size;
    if (f) ok &= fclose(f) == 0;
    WebPFree(enc);
    WebPDataClear(&assembled);
    return ok;
}

/* Writes the first `percent` % of `src` into `dst`. */
static void truncate_copy(const char *src, const char *dst, int percent) {
    FILE *f = fopen(src, "rb");
    static unsigned char buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    f = fopen(dst, "wb");
    if (f) { fwrite(buf, 1, n * (size_t)percent / 100, f); fclose(f); }
}

static void same_as_cli(sr_model *m, const char *model, const char *sr, const char *in, const char *dir,
                        const char *tag, const char *ext) {
    char ref[4096], out[4096];
    snprintf(ref, sizeof ref, "%s/photo-%s-sr.%s", dir, tag, ext);
    snprintf(out, sizeof out, "%s/photo-%s-capi.%s", dir, tag, ext);
    CHECK(run_cli(sr, model, in, ref));
    CHECK_RC(sr_upscale_file(m, NULL, in, out), SR_OK);
    int same = tu_same_file(out, ref);
    CHECK(same);
    if (!same) fprintf(stderr, "  %s -> .%s differs from sr upscale\n", in, ext);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL.safetensors SR_BINARY SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    const char *model = argv[1], *sr = argv[2], *dir = argv[3];
    sr_model *m = NULL;
    CHECK_RC(sr_model_load(model, &m), SR_OK);
    if (!m) return tu_report("test_photos");
    char in[4096];
    const struct { const char *tag; int channels, orientation; } cases[] = {{"rgb", 3, 1}, {"gray", 1, 1}, {"rot6", 3, 6}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(in, sizeof in, "%s/photo-%s.jpg", dir, cases[i].tag);
        CHECK(write_jpeg(in, 29, 21, cases[i].channels, cases[i].orientation));
        same_as_cli(m, model, sr, in, dir, cases[i].tag, "png");
        same_as_cli(m, model, sr, in, dir, cases[i].tag, "jpg");
    }
    const struct { const char *tag; int channels, orientation; } webps[] = {{"wrgb", 3, 1}, {"wrgba", 4, 1}, {"wrot6", 3, 6}};
    for (size_t i = 0; i < sizeof webps / sizeof webps[0]; i++) {
        snprintf(in, sizeof in, "%s/photo-%s.webp", dir, webps[i].tag);
        CHECK(write_webp(in, 29, 21, webps[i].channels, webps[i].orientation));
        same_as_cli(m, model, sr, in, dir, webps[i].tag, "png");
        same_as_cli(m, model, sr, in, dir, webps[i].tag, "webp");
        if (webps[i].channels == 3) same_as_cli(m, model, sr, in, dir, webps[i].tag, "jpg");
    }
    /* The rotated photos come out upright: 21 x 29 stored sideways -> 42 x 58. */
    char out[4096];
    snprintf(out, sizeof out, "%s/photo-wrot6-capi.png", dir);
    sr_image wup;
    CHECK(tu_read_png(out, &wup));
    CHECK(wup.width == 42 && wup.height == 58);
    free(wup.data);
    snprintf(out, sizeof out, "%s/photo-rot6-capi.png", dir);
    sr_image up;
    CHECK(tu_read_png(out, &up));
    CHECK(up.width == 42 && up.height == 58);
    free(up.data);

    /* Damaged inputs: SR_ERROR_FORMAT naming the file, no output. */
    snprintf(in, sizeof in, "%s/photo-rgb.jpg", dir);
    FILE *f = fopen(in, "rb");
    unsigned char buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    char bad[4096];
    snprintf(bad, sizeof bad, "%s/photo-truncated.jpg", dir);
    f = fopen(bad, "wb");
    if (f) { fwrite(buf, 1, n * 6 / 10, f); fclose(f); }
    snprintf(out, sizeof out, "%s/photo-truncated-out.png", dir);
    CHECK_RC(sr_upscale_file(m, NULL, bad, out), SR_ERROR_FORMAT);
    CHECK(strstr(sr_last_error(), bad) != NULL);
    CHECK(access(out, F_OK) != 0);
    snprintf(in, sizeof in, "%s/photo-wrgb.webp", dir);
    snprintf(bad, sizeof bad, "%s/photo-truncated.webp", dir);
    truncate_copy(in, bad, 60);
    snprintf(out, sizeof out, "%s/photo-truncated-out.webp", dir);
    CHECK_RC(sr_upscale_file(m, NULL, bad, out), SR_ERROR_FORMAT);
    CHECK(strstr(sr_last_error(), bad) != NULL);
    CHECK(access(out, F_OK) != 0);
    snprintf(out, sizeof out, "%s/photo-truncated-out.png", dir);
    snprintf(bad, sizeof bad, "%s/photo-unknown.jpg", dir);
    f = fopen(bad, "wb");
    if (f) { fputs("GIF89a not really", f); fclose(f); }
    CHECK_RC(sr_upscale_file(m, NULL, bad, out), SR_ERROR_FORMAT);
    CHECK(strstr(sr_last_error(), bad) != NULL);
    CHECK(access(out, F_OK) != 0);
    sr_model_free(m);
    return tu_report("test_photos");
}
