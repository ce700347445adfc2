/* sr_upscale_file with JPEG (docs/image-formats.md): a JPEG input (RGB, gray, and an EXIF-rotated one)
   upscales to the very bytes `sr upscale` writes, as PNG and as JPEG; a truncated JPEG and a file of
   unknown signature are SR_ERROR_FORMAT with the file named and no output left. The JPEGs are written
   here with libjpeg. Usage: test_photos MODEL.safetensors SR_BINARY SCRATCH_DIR */
#include "testutil.h"
#include <jpeglib.h>
#include <unistd.h>

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
    /* The rotated photo comes out upright: 21 x 29 stored sideways -> 42 x 58. */
    char out[4096];
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
    snprintf(bad, sizeof bad, "%s/photo-unknown.jpg", dir);
    f = fopen(bad, "wb");
    if (f) { fputs("GIF89a not really", f); fclose(f); }
    CHECK_RC(sr_upscale_file(m, NULL, bad, out), SR_ERROR_FORMAT);
    CHECK(strstr(sr_last_error(), bad) != NULL);
    CHECK(access(out, F_OK) != 0);
    sr_model_free(m);
    return tu_report("test_photos");
}
