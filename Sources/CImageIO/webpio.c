// libwebp reader and writer (docs/image-formats.md): whole images, metadata through libwebpmux.
// The header is parsed first (WebPGetFeatures), so a caller can refuse an oversized image before
// the decoder allocates anything for it.
#include "cimageio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>
#include <webp/encode.h>
#include <webp/mux.h>

/* RIFF sizes are 32-bit: no valid WebP file is larger. */
#define SRWEBP_MAX_FILE ((size_t)0xFFFFFFFFu)

static void msgf(char *msg, size_t msglen, const char *text) {
    if (msg && msglen > 0) snprintf(msg, msglen, "%s", text);
}

struct srwebp_reader {
    uint8_t *data;
    size_t size;
    uint32_t width, height;
    int channels;
    int lossy;
    uint8_t *exif, *icc;
    size_t exif_size, icc_size;
    uint8_t *pixels;    /* decoded on the first read_rows */
    uint32_t next_row;
};

static const char *status_text(VP8StatusCode s) {
    switch (s) {
    case VP8_STATUS_NOT_ENOUGH_DATA: return "truncated WebP data";
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory decoding WebP";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported WebP feature";
    default: return "corrupt WebP data";
    }
}

static uint8_t *copy_chunk(const WebPData *d, size_t skip, size_t *size) {
    if (d->size <= skip) return NULL;
    uint8_t *p = (uint8_t *)malloc(d->size - skip);
    if (!p) return NULL;
    memcpy(p, d->bytes + skip, d->size - skip);
    *size = d->size - skip;
    return p;
}

static int reader_start(srwebp_reader *r, char *msg, size_t msglen) {
    WebPBitstreamFeatures f;
    VP8StatusCode s = WebPGetFeatures(r->data, r->size, &f);
    if (s != VP8_STATUS_OK) { msgf(msg, msglen, s == VP8_STATUS_NOT_ENOUGH_DATA ? "truncated WebP header" : status_text(s)); return SRPNG_ERR_FORMAT; }
    if (f.has_animation) { msgf(msg, msglen, "animated WebP is not supported"); return SRPNG_ERR_FORMAT; }
    if (f.width <= 0 || f.height <= 0) { msgf(msg, msglen, "corrupt WebP header (empty image)"); return SRPNG_ERR_FORMAT; }
    r->width = (uint32_t)f.width;
    r->height = (uint32_t)f.height;
    r->channels = f.has_alpha ? 4 : 3;
    r->lossy = f.format == 1;
    /* Metadata chunks (only a VP8X file has them); a file the muxer cannot parse simply has none. */
    WebPData whole = { r->data, r->size };
    WebPMux *mux = WebPMuxCreate(&whole, 0);
    if (mux) {
        WebPData c;
        if (WebPMuxGetChunk(mux, "ICCP", &c) == WEBP_MUX_OK) r->icc = copy_chunk(&c, 0, &r->icc_size);
        if (WebPMuxGetChunk(mux, "EXIF", &c) == WEBP_MUX_OK) {
            size_t skip = c.size >= 6 && memcmp(c.bytes, "Exif\0\0", 6) == 0 ? 6 : 0;
            r->exif = copy_chunk(&c, skip, &r->exif_size);
        }
        WebPMuxDelete(mux);
    }
    return SRPNG_OK;
}

static int open_owned(uint8_t *data, size_t size, srwebp_reader **out, char *msg, size_t msglen) {
    srwebp_reader *r = (srwebp_reader *)calloc(1, sizeof *r);
    if (!r) { free(data); msgf(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    r->data = data;
    r->size = size;
    int rc = reader_start(r, msg, msglen);
    if (rc != SRPNG_OK) { srwebp_reader_free(r); return rc; }
    *out = r;
    return SRPNG_OK;
}

int srwebp_reader_open_file(const char *path, srwebp_reader **out, char *msg, size_t msglen) {
    *out = NULL;
    if (!path) { msgf(msg, msglen, "no path"); return SRPNG_ERR_ARG; }
    FILE *fp = fopen(path, "rb");
    if (!fp) { snprintf(msg, msglen, "cannot open: %s", strerror(errno)); return SRPNG_ERR_IO; }
    size_t cap = 1 << 16, size = 0;
    uint8_t *data = (uint8_t *)malloc(cap);
    while (data) {
        size_t n = fread(data + size, 1, cap - size, fp);
        size += n;
        if (n == 0) break;
        if (size == cap) {
            if (cap > SRWEBP_MAX_FILE) { free(data); data = NULL; fclose(fp); msgf(msg, msglen, "file too large for WebP (over 4 GiB)"); return SRPNG_ERR_FORMAT; }
            uint8_t *m = (uint8_t *)realloc(data, cap * 2);
            if (!m) { free(data); data = NULL; break; }
            data = m;
            cap *= 2;
        }
    }
    if (!data) { fclose(fp); msgf(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    int bad = ferror(fp);
    int err = errno;
    fclose(fp);
    if (bad) { free(data); snprintf(msg, msglen, "read error: %s", strerror(err)); return SRPNG_ERR_IO; }
    return open_owned(data, size, out, msg, msglen);
}

int srwebp_reader_open_memory(const void *data, size_t size, srwebp_reader **out, char *msg, size_t msglen) {
    *out = NULL;
    if (!data || size == 0) { msgf(msg, msglen, "no data (empty file)"); return SRPNG_ERR_FORMAT; }
    uint8_t *copy = (uint8_t *)malloc(size);
    if (!copy) { msgf(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    memcpy(copy, data, size);
    return open_owned(copy, size, out, msg, msglen);
}

void srwebp_reader_info(const srwebp_reader *r, uint32_t *width, uint32_t *height, int *channels) {
    *width = r->width; *height = r->height; *channels = r->channels;
}

int srwebp_reader_lossy(const srwebp_reader *r) { return r->lossy; }
const uint8_t *srwebp_reader_exif(const srwebp_reader *r, size_t *size) { *size = r->exif_size; return r->exif; }
const uint8_t *srwebp_reader_icc(const srwebp_reader *r, size_t *size) { *size = r->icc_size; return r->icc; }

int srwebp_reader_read_rows(srwebp_reader *r, uint8_t *buf, uint32_t count, char *msg, size_t msglen) {
    if (!r || (!buf && count > 0)) { msgf(msg, msglen, "invalid argument"); return SRPNG_ERR_ARG; }
    if (count > r->height - r->next_row) { msgf(msg, msglen, "read past the last row"); return SRPNG_ERR_ARG; }
    size_t stride = (size_t)r->width * (size_t)r->channels;
    if (!r->pixels) {
        size_t total = stride * (size_t)r->height;
        if (total / r->height != stride || stride > 0x7fffffffu) { msgf(msg, msglen, "image too large"); return SRPNG_ERR_MEMORY; }
        r->pixels = (uint8_t *)malloc(total);
        if (!r->pixels) { msgf(msg, msglen, "out of memory decoding WebP"); return SRPNG_ERR_MEMORY; }
        uint8_t *got = r->channels == 4 ? WebPDecodeRGBAInto(r->data, r->size, r->pixels, total, (int)stride)
                                        : WebPDecodeRGBInto(r->data, r->size, r->pixels, total, (int)stride);
        if (!got) {
            /* Tell a truncated file from a damaged one: the incremental decoder says which. */
            WebPDecoderConfig config;
            VP8StatusCode s = VP8_STATUS_BITSTREAM_ERROR;
            if (WebPInitDecoderConfig(&config)) {
                config.output.colorspace = r->channels == 4 ? MODE_RGBA : MODE_RGB;
                config.output.is_external_memory = 1;
                config.output.u.RGBA.rgba = r->pixels;
                config.output.u.RGBA.stride = (int)stride;
                config.output.u.RGBA.size = total;
                s = WebPDecode(r->data, r->size, &config);
                WebPFreeDecBuffer(&config.output);
            }
            free(r->pixels);
            r->pixels = NULL;
            msgf(msg, msglen, s == VP8_STATUS_OK ? "corrupt WebP data" : status_text(s));
            return SRPNG_ERR_FORMAT;
        }
        free(r->data); /* the compressed bytes are no longer needed */
        r->data = NULL;
        r->size = 0;
    }
    memcpy(buf, r->pixels + (size_t)r->next_row * stride, (size_t)count * stride);
    r->next_row += count;
    return SRPNG_OK;
}

void srwebp_reader_free(srwebp_reader *r) {
    if (!r) return;
    free(r->data);
    free(r->pixels);
    free(r->exif);
    free(r->icc);
    free(r);
}

static const char *encode_error(WebPEncodingError e) {
    switch (e) {
    case VP8_ENC_ERROR_OUT_OF_MEMORY: case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY: return "out of memory encoding WebP";
    case VP8_ENC_ERROR_BAD_DIMENSION: return "image too large for WebP (at most 16383 pixels a side)";
    case VP8_ENC_ERROR_PARTITION0_OVERFLOW: case VP8_ENC_ERROR_PARTITION_OVERFLOW: return "WebP partition overflow";
    case VP8_ENC_ERROR_FILE_TOO_BIG: return "image too large for a WebP file (4 GiB)";
    default: return "WebP encoding failed";
    }
}

int srwebp_write_file(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height, int channels,
                      int quality, int lossless, const uint8_t *exif, size_t exif_size,
                      const uint8_t *icc, size_t icc_size, char *msg, size_t msglen) {
    if (!path || !pixels || (channels != 3 && channels != 4) || quality < 1 || quality > 100) {
        msgf(msg, msglen, "invalid WebP writer parameters"); return SRPNG_ERR_ARG;
    }
    if (width == 0 || height == 0 || width > WEBP_MAX_DIMENSION || height > WEBP_MAX_DIMENSION) {
        msgf(msg, msglen, "image too large for WebP (at most 16383 pixels a side)"); return SRPNG_ERR_ARG;
    }
    WebPConfig config;
    WebPPicture pic;
    if (!WebPConfigInit(&config) || !WebPPictureInit(&pic)) { msgf(msg, msglen, "libwebp version mismatch"); return SRPNG_ERR_ARG; }
    config.quality = (float)quality;
    config.lossless = lossless ? 1 : 0;
    config.exact = lossless ? 1 : 0;
    if (!lossless) config.method = 4;
    pic.use_argb = lossless ? 1 : 0;
    pic.width = (int)width;
    pic.height = (int)height;
    int stride = (int)(width * (uint32_t)channels);
    int ok = channels == 4 ? WebPPictureImportRGBA(&pic, pixels, stride) : WebPPictureImportRGB(&pic, pixels, stride);
    if (!ok) { WebPPictureFree(&pic); msgf(msg, msglen, "out of memory encoding WebP"); return SRPNG_ERR_MEMORY; }
    WebPMemoryWriter wr;
    WebPMemoryWriterInit(&wr);
    pic.writer = WebPMemoryWrite;
    pic.custom_ptr = &wr;
    ok = WebPEncode(&config, &pic);
    WebPEncodingError err = pic.error_code;
    WebPPictureFree(&pic);
    if (!ok) {
        WebPMemoryWriterClear(&wr);
        msgf(msg, msglen, encode_error(err));
        return err == VP8_ENC_ERROR_OUT_OF_MEMORY || err == VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY ? SRPNG_ERR_MEMORY : SRPNG_ERR_FORMAT;
    }
    WebPData out = { wr.mem, wr.size };
    WebPData assembled = { NULL, 0 };
    if ((exif && exif_size > 0) || (icc && icc_size > 0)) {
        WebPData image = { wr.mem, wr.size };
        WebPMux *mux = WebPMuxCreate(&image, 0);
        WebPMuxError me = mux ? WEBP_MUX_OK : WEBP_MUX_MEMORY_ERROR;
        if (me == WEBP_MUX_OK && icc && icc_size > 0) {
            WebPData c = { icc, icc_size };
            me = WebPMuxSetChunk(mux, "ICCP", &c, 1);
        }
        if (me == WEBP_MUX_OK && exif && exif_size > 0) {
            WebPData c = { exif, exif_size };
            me = WebPMuxSetChunk(mux, "EXIF", &c, 1);
        }
        if (me == WEBP_MUX_OK) me = WebPMuxAssemble(mux, &assembled);
        WebPMuxDelete(mux);
        if (me != WEBP_MUX_OK) {
            WebPMemoryWriterClear(&wr);
            WebPDataClear(&assembled);
            msgf(msg, msglen, "cannot add metadata to WebP (libwebpmux)");
            return me == WEBP_MUX_MEMORY_ERROR ? SRPNG_ERR_MEMORY : SRPNG_ERR_FORMAT;
        }
        out = assembled;
    }
    int rc = SRPNG_OK;
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        snprintf(msg, msglen, "cannot create: %s", strerror(errno));
        rc = SRPNG_ERR_IO;
    } else {
        int bad = fwrite(out.bytes, 1, out.size, fp) != out.size || fflush(fp) != 0 || ferror(fp);
        int e = errno;
        int closed = fclose(fp);
        if (bad || closed != 0) {
            snprintf(msg, msglen, "write error: %s", strerror(bad ? e : errno));
            rc = SRPNG_ERR_IO;
        }
    }
    WebPMemoryWriterClear(&wr);
    WebPDataClear(&assembled);
    return rc;
}
