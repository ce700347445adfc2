#ifndef SRCORE_CIMAGEIO_H
#define SRCORE_CIMAGEIO_H
/*
 * CImageIO: a small C wrapper around libpng.
 *
 * libpng reports errors with setjmp/longjmp, which Swift cannot do; every function here
 * catches them and returns a status instead (0 = OK, non-zero = failure with a message
 * copied into the caller's `msg` buffer of `msglen` bytes).
 *
 * Samples are delivered interleaved, one byte per sample for 8-bit images and one
 * host-order uint16 per sample for 16-bit images.
 */
#include <stddef.h>
#include <stdint.h>

#include "resample.h"
#include "metrics.h"
#include "jpegio.h"
#include "webpio.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes. */
enum {
    SRPNG_OK = 0,
    SRPNG_ERR_IO = 1,      /**< the file could not be opened, read or written */
    SRPNG_ERR_FORMAT = 2,  /**< not a PNG, corrupt or truncated */
    SRPNG_ERR_ARG = 3,     /**< invalid argument (size, bit depth, call order) */
    SRPNG_ERR_MEMORY = 4   /**< allocation failed or the image is too large */
};

/** Header of a decoded image, after the expansions this reader applies. */
typedef struct srpng_header {
    uint32_t width;
    uint32_t height;
    int channels;        /**< 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (palette/tRNS expanded) */
    int bit_depth;       /**< 8 or 16 */
    int source_bit_depth;/**< bit depth stored in the file (1, 2, 4, 8, 16) */
    int source_color_type; /**< PNG colour type in the file (0, 2, 3, 4, 6) */
    int interlaced;      /**< 1 if Adam7 */
} srpng_header;

typedef struct srpng_reader srpng_reader;

/** Opens a PNG file and reads its header. On success *out must be freed with srpng_reader_free. */
int srpng_reader_open_file(const char *path, srpng_reader **out, char *msg, size_t msglen);
/** Opens a PNG held in memory (the bytes must stay valid until the reader is freed). */
int srpng_reader_open_memory(const void *data, size_t size, srpng_reader **out, char *msg, size_t msglen);
/** The header (expanded channel count and bit depth). */
void srpng_reader_header(const srpng_reader *r, srpng_header *h);
/** Reads the next `count` rows into `buf` (count * width * channels * bit_depth/8 bytes). */
int srpng_reader_read_rows(srpng_reader *r, void *buf, uint32_t count, char *msg, size_t msglen);
/** Frees a reader; NULL is a no-op. */
void srpng_reader_free(srpng_reader *r);

/** A PNG text chunk. compression: -1 tEXt, 0 zTXt, 1 iTXt, 2 compressed iTXt; key and text are
 *  NUL-terminated (Latin-1, UTF-8 for iTXt); lang and lang_key are iTXt's (may be NULL). */
typedef struct srpng_text {
    int compression;
    const char *key;
    const char *text;
    const char *lang;
    const char *lang_key;
} srpng_text;

/* Metadata of the chunks before the image data (docs/image-formats.md); pointers stay valid until the
 * reader is freed. A compressed chunk (iCCP, zTXt, iTXt) whose data would exceed the chunk limit
 * (8 MiB) is dropped by libpng, as are text chunks beyond the 16th, and a chunk type with any chunk
 * over 4 MiB as stored is skipped unread (srpng_reader_dropped_metadata). */
/** The ICC profile of an iCCP chunk (decompressed), or NULL. */
const uint8_t *srpng_reader_icc(const srpng_reader *r, size_t *size);
/** The eXIf chunk (TIFF header first), or NULL. */
const uint8_t *srpng_reader_exif(const srpng_reader *r, size_t *size);
/** The number of text chunks, and text chunk `i` (0 <= i < count) into *t. */
int srpng_reader_text_count(const srpng_reader *r);
void srpng_reader_text(const srpng_reader *r, int i, srpng_text *t);
/** Metadata chunk types skipped unread because one of their chunks is over 4 MiB: bit 0 iCCP,
 *  1 eXIf, 2 tEXt, 3 zTXt, 4 iTXt. */
int srpng_reader_dropped_metadata(const srpng_reader *r);
/** The sRGB rendering intent (0...3), or -1 without sRGB. */
int srpng_reader_srgb(const srpng_reader *r);
/** The gAMA value (gamma x 100000), or 0 without gAMA. */
int srpng_reader_gamma(const srpng_reader *r);

/** Parameters of an image to write. Rows are given in this layout:
 *  color_type 0 gray / 2 RGB / 3 palette (indices) / 4 gray+alpha / 6 RGBA;
 *  bit_depth 1/2/4 (one byte per sample, unpacked), 8 (one byte), 16 (host-order uint16). */
typedef struct srpng_write_params {
    uint32_t width;
    uint32_t height;
    int color_type;
    int bit_depth;
    int interlaced;             /**< 1: Adam7 (rows are buffered until finish) */
    int compression_level;      /**< -1 default, 0..9 */
    const uint8_t *palette;     /**< RGB triples, for color_type 3 */
    int palette_count;
    const uint8_t *trns_alpha;  /**< palette alpha entries (color_type 3) */
    int trns_count;
    int has_trns_color;         /**< gray/RGB transparent colour (color_type 0/2) */
    uint16_t trns_red, trns_green, trns_blue, trns_gray;
    const uint8_t *icc;         /**< ICC profile written as iCCP, or NULL (one libpng rejects is left out) */
    size_t icc_size;
    const srpng_text *text;     /**< text chunks to write (tEXt/zTXt/iTXt), text_count of them */
    int text_count;
    int has_srgb;               /**< 1: write sRGB with srgb_intent (0...3) */
    int srgb_intent;
    int gamma;                  /**< > 0: write gAMA (gamma x 100000) */
} srpng_write_params;

typedef struct srpng_writer srpng_writer;

/** Starts writing a PNG to `path` (created/truncated). */
int srpng_writer_open_file(const char *path, const srpng_write_params *p, srpng_writer **out, char *msg, size_t msglen);
/** Starts writing a PNG into a growing memory buffer. */
int srpng_writer_open_memory(const srpng_write_params *p, srpng_writer **out, char *msg, size_t msglen);
/** Appends `count` rows. */
int srpng_writer_write_rows(srpng_writer *w, const void *rows, uint32_t count, char *msg, size_t msglen);
/** Writes the end of the image (all rows must have been written) and closes the file. */
int srpng_writer_finish(srpng_writer *w, char *msg, size_t msglen);
/** The encoded bytes of a finished memory writer (valid until the writer is freed). */
const uint8_t *srpng_writer_memory(const srpng_writer *w, size_t *size);
/** Frees a writer (closing its file if still open); NULL is a no-op. */
void srpng_writer_free(srpng_writer *w);

#ifdef __cplusplus
}
#endif
#endif
