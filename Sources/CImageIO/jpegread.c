// libjpeg-turbo reader: JPEG files or memory to rows of 8-bit gray or RGB, a few rows at a time
// (docs/image-formats.md). Every libjpeg call runs under setjmp (jpeg_internal.h).
#include "jpeg_internal.h"

struct srjpeg_reader {
    srjpeg_err e;
    struct jpeg_decompress_struct cinfo;
    int created;
    int started;
    FILE *fp;
    uint32_t width, height;
    int channels;       /* delivered: 1 or 3 */
    int cmyk;           /* libjpeg delivers 4-channel CMYK, converted here */
    int adobe_inverted; /* CMYK stored inverted (Adobe APP14, as Photoshop writes it) */
    uint8_t *row4;      /* one CMYK row */
    uint8_t *exif;      /* copy of the APP1 Exif payload (TIFF header first) */
    size_t exif_size;
    uint8_t *icc;       /* reassembled APP2 ICC profile (malloc'ed by libjpeg) */
    unsigned int icc_size;
    uint32_t next_row;
};

static int fail(srjpeg_reader *r, char *msg, size_t msglen) {
    srjpeg_msg(msg, msglen, r->e.text[0] ? r->e.text : "libjpeg error");
    return SRPNG_ERR_FORMAT;
}

static int reader_start(srjpeg_reader *r, const void *mem, size_t size, char *msg, size_t msglen) {
    srjpeg_install(&r->e, &r->cinfo.err);
    if (setjmp(r->e.jump)) return fail(r, msg, msglen);
    jpeg_create_decompress(&r->cinfo);
    r->created = 1;
    if (r->fp) jpeg_stdio_src(&r->cinfo, r->fp);
    else jpeg_mem_src(&r->cinfo, (const unsigned char *)mem, (unsigned long)size);
    jpeg_save_markers(&r->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_save_markers(&r->cinfo, JPEG_APP0 + 2, 0xFFFF);
    (void)jpeg_read_header(&r->cinfo, TRUE);
    for (jpeg_saved_marker_ptr m = r->cinfo.marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 && memcmp(m->data, "Exif\0\0", 6) == 0 && !r->exif) {
            r->exif_size = m->data_length - 6;
            r->exif = (uint8_t *)malloc(r->exif_size);
            if (!r->exif) { srjpeg_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
            memcpy(r->exif, m->data + 6, r->exif_size);
        }
    }
    JOCTET *icc = NULL;
    if (jpeg_read_icc_profile(&r->cinfo, &icc, &r->icc_size)) r->icc = icc;
    else r->icc_size = 0;
    switch (r->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        r->cinfo.out_color_space = JCS_GRAYSCALE; r->channels = 1; break;
    case JCS_CMYK: case JCS_YCCK:
        r->cinfo.out_color_space = JCS_CMYK; r->channels = 3; r->cmyk = 1;
        r->adobe_inverted = r->cinfo.saw_Adobe_marker;
        break;
    default:
        r->cinfo.out_color_space = JCS_RGB; r->channels = 3; break;
    }
    r->cinfo.dct_method = JDCT_ISLOW;
    (void)jpeg_start_decompress(&r->cinfo);
    r->started = 1;
    r->width = r->cinfo.output_width;
    r->height = r->cinfo.output_height;
    int want = r->cmyk ? 4 : r->channels;
    if (r->cinfo.output_components != want || r->width == 0 || r->height == 0) {
        srjpeg_msg(msg, msglen, "unsupported JPEG pixel layout");
        return SRPNG_ERR_FORMAT;
    }
    if (r->cmyk) {
        r->row4 = (uint8_t *)calloc((size_t)r->width, 4);
        if (!r->row4) { srjpeg_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    }
    return SRPNG_OK;
}

int srjpeg_reader_open_file(const char *path, srjpeg_reader **out, char *msg, size_t msglen) {
    *out = NULL;
    if (!path) { srjpeg_msg(msg, msglen, "no path"); return SRPNG_ERR_ARG; }
    srjpeg_reader *r = (srjpeg_reader *)calloc(1, sizeof *r);
    if (!r) { srjpeg_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    r->fp = fopen(path, "rb");
    if (!r->fp) {
        snprintf(msg, msglen, "cannot open: %s", strerror(errno));
        free(r);
        return SRPNG_ERR_IO;
    }
    int rc = reader_start(r, NULL, 0, msg, msglen);
    if (rc != SRPNG_OK) { srjpeg_reader_free(r); return rc; }
    *out = r;
    return SRPNG_OK;
}

int srjpeg_reader_open_memory(const void *data, size_t size, srjpeg_reader **out, char *msg, size_t msglen) {
    *out = NULL;
    if (!data || size == 0) { srjpeg_msg(msg, msglen, "no data (empty file)"); return SRPNG_ERR_FORMAT; }
    srjpeg_reader *r = (srjpeg_reader *)calloc(1, sizeof *r);
    if (!r) { srjpeg_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    int rc = reader_start(r, data, size, msg, msglen);
    if (rc != SRPNG_OK) { srjpeg_reader_free(r); return rc; }
    *out = r;
    return SRPNG_OK;
}

void srjpeg_reader_info(const srjpeg_reader *r, uint32_t *width, uint32_t *height, int *channels) {
    *width = r->width; *height = r->height; *channels = r->channels;
}

const uint8_t *srjpeg_reader_exif(const srjpeg_reader *r, size_t *size) { *size = r->exif_size; return r->exif; }
const uint8_t *srjpeg_reader_icc(const srjpeg_reader *r, size_t *size) { *size = r->icc_size; return r->icc; }

/* CMYK to RGB: R = (255 - C)(255 - K)/255 on plain CMYK; Adobe files store the inverse, so there
 * R = C'K'/255 (the conversion Pillow applies to "CMYK;I"). */
static void cmyk_to_rgb(const uint8_t *src, uint8_t *dst, uint32_t width, int inverted) {
    for (uint32_t x = 0; x < width; x++) {
        unsigned c = src[4 * x], m = src[4 * x + 1], y = src[4 * x + 2], k = src[4 * x + 3];
        if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
        dst[3 * x] = (uint8_t)((c * k + 127) / 255);
        dst[3 * x + 1] = (uint8_t)((m * k + 127) / 255);
        dst[3 * x + 2] = (uint8_t)((y * k + 127) / 255);
    }
}

int srjpeg_reader_read_rows(srjpeg_reader *r, uint8_t *buf, uint32_t count, char *msg, size_t msglen) {
    if (!r || (!buf && count > 0)) { srjpeg_msg(msg, msglen, "invalid argument"); return SRPNG_ERR_ARG; }
    if (count > r->height - r->next_row) { srjpeg_msg(msg, msglen, "read past the last row"); return SRPNG_ERR_ARG; }
    if (setjmp(r->e.jump)) return fail(r, msg, msglen);
    size_t rowbytes = (size_t)r->width * (size_t)r->channels;
    uint32_t done = 0;
    while (done < count) {
        JSAMPROW row = r->cmyk ? r->row4 : buf + (size_t)done * rowbytes;
        JDIMENSION got = jpeg_read_scanlines(&r->cinfo, &row, 1);
        if (got != 1) { srjpeg_msg(msg, msglen, "premature end of JPEG data (truncated file)"); return SRPNG_ERR_FORMAT; }
        if (r->cmyk) cmyk_to_rgb(r->row4, buf + (size_t)done * rowbytes, r->width, r->adobe_inverted);
        done++;
        r->next_row++;
    }
    if (r->next_row == r->height) (void)jpeg_finish_decompress(&r->cinfo);
    return SRPNG_OK;
}

void srjpeg_reader_free(srjpeg_reader *r) {
    if (!r) return;
    if (r->created) {
        if (!setjmp(r->e.jump)) jpeg_destroy_decompress(&r->cinfo);
    }
    if (r->fp) fclose(r->fp);
    free(r->row4);
    free(r->exif);
    free(r->icc);
    free(r);
}
