// libjpeg-turbo writer: rows of 8-bit gray or RGB to a baseline JPEG file, a few rows at a time
// (docs/image-formats.md). EXIF goes in one APP1 segment, the ICC profile in APP2 segments.
#include "jpeg_internal.h"

struct srjpeg_writer {
    srjpeg_err e;
    struct jpeg_compress_struct cinfo;
    int created;
    FILE *fp;
    uint32_t width, height;
    int channels;
    uint32_t next_row;
};

static int fail(srjpeg_writer *w, char *msg, size_t msglen) {
    srjpeg_msg(msg, msglen, w->e.text[0] ? w->e.text : "libjpeg error");
    return SRPNG_ERR_FORMAT;
}

int srjpeg_writer_open_file(const char *path, uint32_t width, uint32_t height, int channels, int quality,
                            const uint8_t *exif, size_t exif_size, const uint8_t *icc, size_t icc_size,
                            srjpeg_writer **out, char *msg, size_t msglen) {
    *out = NULL;
    if (!path || width == 0 || height == 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION ||
        (channels != 1 && channels != 3) || quality < 1 || quality > 100) {
        srjpeg_msg(msg, msglen, width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION
                                    ? "image too large for JPEG (at most 65500 pixels a side)"
                                    : "invalid JPEG writer parameters");
        return SRPNG_ERR_ARG;
    }
    if (exif && exif_size > 65533 - 6) exif = NULL; /* does not fit one APP1 segment: dropped */
    srjpeg_writer *w = (srjpeg_writer *)calloc(1, sizeof *w);
    if (!w) { srjpeg_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    w->fp = fopen(path, "wb");
    if (!w->fp) {
        snprintf(msg, msglen, "cannot create: %s", strerror(errno));
        free(w);
        return SRPNG_ERR_IO;
    }
    w->width = width; w->height = height; w->channels = channels;
    srjpeg_install(&w->e, &w->cinfo.err);
    uint8_t *app1 = NULL;
    if (setjmp(w->e.jump)) {
        free(app1);
        int rc = fail(w, msg, msglen);
        srjpeg_writer_free(w);
        return rc;
    }
    jpeg_create_compress(&w->cinfo);
    w->created = 1;
    jpeg_stdio_dest(&w->cinfo, w->fp);
    w->cinfo.image_width = width;
    w->cinfo.image_height = height;
    w->cinfo.input_components = channels;
    w->cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&w->cinfo);
    jpeg_set_quality(&w->cinfo, quality, TRUE);
    w->cinfo.dct_method = JDCT_ISLOW;
    jpeg_start_compress(&w->cinfo, TRUE);
    if (exif && exif_size > 0) {
        app1 = (uint8_t *)malloc(exif_size + 6);
        if (!app1) { srjpeg_writer_free(w); srjpeg_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
        memcpy(app1, "Exif\0\0", 6);
        memcpy(app1 + 6, exif, exif_size);
        jpeg_write_marker(&w->cinfo, JPEG_APP0 + 1, app1, (unsigned int)(exif_size + 6));
        free(app1);
        app1 = NULL;
    }
    if (icc && icc_size > 0) jpeg_write_icc_profile(&w->cinfo, icc, (unsigned int)icc_size);
    *out = w;
    return SRPNG_OK;
}

int srjpeg_writer_write_rows(srjpeg_writer *w, const uint8_t *rows, uint32_t count, char *msg, size_t msglen) {
    if (!w || (!rows && count > 0)) { srjpeg_msg(msg, msglen, "invalid argument"); return SRPNG_ERR_ARG; }
    if (count > w->height - w->next_row) { srjpeg_msg(msg, msglen, "more rows than the image height"); return SRPNG_ERR_ARG; }
    if (setjmp(w->e.jump)) return fail(w, msg, msglen);
    size_t rowbytes = (size_t)w->width * (size_t)w->channels;
    for (uint32_t i = 0; i < count; i++) {
        JSAMPROW row = (JSAMPROW)(rows + (size_t)i * rowbytes);
        (void)jpeg_write_scanlines(&w->cinfo, &row, 1);
        w->next_row++;
    }
    return SRPNG_OK;
}

int srjpeg_writer_finish(srjpeg_writer *w, char *msg, size_t msglen) {
    if (!w || !w->fp) { srjpeg_msg(msg, msglen, "invalid argument"); return SRPNG_ERR_ARG; }
    if (w->next_row != w->height) { srjpeg_msg(msg, msglen, "not all rows were written"); return SRPNG_ERR_ARG; }
    if (setjmp(w->e.jump)) return fail(w, msg, msglen);
    jpeg_finish_compress(&w->cinfo);
    int bad = fflush(w->fp) != 0 || ferror(w->fp);
    int err = errno;
    int closed = fclose(w->fp);
    w->fp = NULL;
    if (bad || closed != 0) {
        snprintf(msg, msglen, "write error: %s", strerror(bad ? err : errno));
        return SRPNG_ERR_IO;
    }
    return SRPNG_OK;
}

void srjpeg_writer_free(srjpeg_writer *w) {
    if (!w) return;
    if (w->created) {
        if (!setjmp(w->e.jump)) jpeg_destroy_compress(&w->cinfo);
    }
    if (w->fp) fclose(w->fp);
    free(w);
}
