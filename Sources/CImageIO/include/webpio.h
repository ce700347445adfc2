#ifndef SRCORE_WEBPIO_H
#define SRCORE_WEBPIO_H
/*
 * WebP decoding and encoding through libwebp, metadata (ICCP, EXIF chunks) through libwebpmux
 * (docs/image-formats.md). WebP is decoded and encoded whole: opening a reader parses only the
 * header (WebPGetFeatures) and the chunks, so the caller checks its pixel limit before the first
 * read_rows decodes the picture. Status codes are the SRPNG_* codes of cimageio.h.
 * Rows are interleaved 8-bit RGB (3 channels) or RGBA (4, when the file has alpha).
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srwebp_reader srwebp_reader;

/** Reads a WebP file into memory and parses its header and chunks. Free *out with srwebp_reader_free. */
int srwebp_reader_open_file(const char *path, srwebp_reader **out, char *msg, size_t msglen);
/** Parses WebP bytes held in memory (copied). */
int srwebp_reader_open_memory(const void *data, size_t size, srwebp_reader **out, char *msg, size_t msglen);
/** Size and channels (3, or 4 with alpha) of the image. */
void srwebp_reader_info(const srwebp_reader *r, uint32_t *width, uint32_t *height, int *channels);
/** 1 when the image data is lossy (VP8), 0 when lossless (VP8L) or mixed. */
int srwebp_reader_lossy(const srwebp_reader *r);
/** The EXIF chunk (TIFF header first; a leading "Exif\0\0" is skipped) or NULL; valid until freed. */
const uint8_t *srwebp_reader_exif(const srwebp_reader *r, size_t *size);
/** The ICCP chunk (the ICC profile) or NULL; valid until freed. */
const uint8_t *srwebp_reader_icc(const srwebp_reader *r, size_t *size);
/** Reads the next `count` rows (count * width * channels bytes); the first call decodes the image. */
int srwebp_reader_read_rows(srwebp_reader *r, uint8_t *buf, uint32_t count, char *msg, size_t msglen);
/** Frees a reader; NULL is a no-op. */
void srwebp_reader_free(srwebp_reader *r);

/** Encodes interleaved 8-bit RGB (3) or RGBA (4) pixels, lossy at `quality` 1...100 or lossless
 *  (exact: RGB under transparent pixels kept), with optional EXIF and ICC chunks, into `path`. */
int srwebp_write_file(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height, int channels,
                      int quality, int lossless, const uint8_t *exif, size_t exif_size,
                      const uint8_t *icc, size_t icc_size, char *msg, size_t msglen);

#ifdef __cplusplus
}
#endif
#endif
