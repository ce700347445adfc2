#ifndef SRCORE_JPEGIO_H
#define SRCORE_JPEGIO_H
/*
 * JPEG decoding and encoding through libjpeg-turbo's scanline API (docs/image-formats.md).
 *
 * libjpeg reports fatal errors through error_exit, which here longjmps back to the caller and
 * becomes a status (the SRPNG_* codes of cimageio.h) with a message; its "premature end of data"
 * warning (a truncated file, which libjpeg would pad with grey) is an error too.
 * Rows are interleaved 8-bit samples: 1 (gray) or 3 (RGB) channels. CMYK/YCCK files are converted
 * to RGB (Adobe-inverted CMYK as Photoshop writes it, plain CMYK otherwise).
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srjpeg_reader srjpeg_reader;

/** Opens a JPEG file and reads its header and markers. Free *out with srjpeg_reader_free. */
int srjpeg_reader_open_file(const char *path, srjpeg_reader **out, char *msg, size_t msglen);
/** Opens a JPEG held in memory (the bytes must stay valid until the reader is freed). */
int srjpeg_reader_open_memory(const void *data, size_t size, srjpeg_reader **out, char *msg, size_t msglen);
/** Size and channels (1 or 3) of the decoded image. */
void srjpeg_reader_info(const srjpeg_reader *r, uint32_t *width, uint32_t *height, int *channels);
/** The EXIF (APP1 "Exif\0\0" payload, TIFF header first) or NULL; valid until the reader is freed. */
const uint8_t *srjpeg_reader_exif(const srjpeg_reader *r, size_t *size);
/** The ICC profile reassembled from its APP2 segments, or NULL; valid until the reader is freed. */
const uint8_t *srjpeg_reader_icc(const srjpeg_reader *r, size_t *size);
/** Reads the next `count` rows (count * width * channels bytes). */
int srjpeg_reader_read_rows(srjpeg_reader *r, uint8_t *buf, uint32_t count, char *msg, size_t msglen);
/** Frees a reader; NULL is a no-op. */
void srjpeg_reader_free(srjpeg_reader *r);

typedef struct srjpeg_writer srjpeg_writer;

/** Starts a baseline JPEG (4:2:0 for colour, quality 1...100) at `path`; exif/icc may be NULL. */
int srjpeg_writer_open_file(const char *path, uint32_t width, uint32_t height, int channels, int quality,
                            const uint8_t *exif, size_t exif_size, const uint8_t *icc, size_t icc_size,
                            srjpeg_writer **out, char *msg, size_t msglen);
/** Appends `count` interleaved 8-bit rows. */
int srjpeg_writer_write_rows(srjpeg_writer *w, const uint8_t *rows, uint32_t count, char *msg, size_t msglen);
/** Finishes the image (all rows written), flushes and closes the file. */
int srjpeg_writer_finish(srjpeg_writer *w, char *msg, size_t msglen);
/** Frees a writer (closing its file if still open); NULL is a no-op. */
void srjpeg_writer_free(srjpeg_writer *w);

#ifdef __cplusplus
}
#endif
#endif
