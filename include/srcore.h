/*
 * srcore.h — the C API of libsrcore: DCSCN single-image super-resolution, in-process.
 *
 * This is the only public header of libsrcore. Link with `-lsrcore`, or use pkg-config:
 *
 *     cc host.c $(pkg-config --cflags --libs srcore)
 *
 * A minimal host:
 *
 *     sr_model *model = NULL;
 *     if (sr_model_load_builtin(2, &model) != SR_OK) { fprintf(stderr, "%s\n", sr_last_error()); ... }
 *     sr_image in = { SR_FORMAT_RGB8, w, h, w * 3, pixels };
 *     uint32_t ow, oh; size_t ostride, obytes;
 *     sr_output_size(model, SR_FORMAT_RGB8, w, h, &ow, &oh, &ostride, &obytes);
 *     sr_image out = { SR_FORMAT_RGB8, ow, oh, ostride, malloc(obytes) };
 *     int rc = sr_upscale(model, NULL, &in, &out);   // NULL options = defaults
 *     ...
 *     sr_model_free(model);
 *
 * Conventions (see also docs/c-api.md):
 *  - Every fallible function returns an `int` status: SR_OK (0) or one of the SR_ERROR_* codes. The
 *    numbers are stable and only ever added to. A detailed message for the last failure on the calling
 *    thread is returned by sr_last_error().
 *  - Handles are opaque; every create has a free, and freeing NULL is a no-op.
 *  - The caller owns every pixel buffer. sr_output_size() says how large the output must be.
 *  - The library never prints, never aborts and never exits. Invalid arguments (NULL pointers, zero or
 *    overflowing sizes, strides smaller than a row, unknown formats, a model of another scale, an
 *    options struct that is too small) are reported as error codes, never as crashes. Pointers that are
 *    not NULL must be valid: the library cannot detect dangling or garbage pointers.
 *  - Thread safety is stated per function. In short: a loaded model is immutable and may be used by any
 *    number of threads at once; only sr_model_free() must not race with other uses of the same model.
 */
#ifndef SRCORE_H
#define SRCORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------------ */
/* Version                                                                                           */
/* ------------------------------------------------------------------------------------------------ */

#define SR_VERSION_MAJOR 0
#define SR_VERSION_MINOR 1
#define SR_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH, e.g. 100 for 0.1.0. */
#define SR_VERSION_NUMBER (SR_VERSION_MAJOR * 10000 + SR_VERSION_MINOR * 100 + SR_VERSION_PATCH)
#define SR_VERSION_STRING "0.1.0"

/** The library's version number (SR_VERSION_NUMBER of the headers it was built with). Thread-safe. */
unsigned sr_version_number(void);

/** The library's version as a static string, e.g. "0.1.0". Thread-safe. */
const char *sr_version_string(void);

/* ------------------------------------------------------------------------------------------------ */
/* Status codes and errors                                                                           */
/* ------------------------------------------------------------------------------------------------ */

/** Status codes returned by every fallible function. Stable numbers; only ever added to. */
enum sr_status {
    SR_OK = 0,
    SR_ERROR_INVALID_ARGUMENT = 1, /**< NULL, zero or overflowing size, bad stride, wrong scale ... */
    SR_ERROR_IO = 2,               /**< a file could not be opened, read, written or renamed */
    SR_ERROR_FORMAT = 3,           /**< a file's contents are corrupt, truncated or not what they claim */
    SR_ERROR_UNSUPPORTED = 4,      /**< valid but unsupported input (unknown pixel format, file version) */
    SR_ERROR_SHAPE_MISMATCH = 5,   /**< a tensor or image has the wrong shape */
    SR_ERROR_OUT_OF_MEMORY = 6,    /**< an allocation failed or would exceed the memory available */
    SR_ERROR_CANCELLED = 7,        /**< the progress callback asked to stop */
    SR_ERROR_INTERNAL = 8,         /**< a bug in srcore */
    SR_ERROR_EXISTS = 9            /**< the destination exists and replacing it was not asked for */
};

/**
 * A static, human-readable name for a status code ("ok", "invalid argument", ...); unknown codes give
 * "unknown status". Never NULL. Thread-safe.
 */
const char *sr_status_string(int status);

/**
 * The message of the most recent failing sr_* call made on the calling thread (it names the argument,
 * file, layer or shape involved), or "" when no call on this thread has failed yet. Successful calls do
 * not clear it. The string is owned by the library and stays valid until the next failing sr_* call on
 * the same thread (or the thread's exit). Never NULL. Thread-safe (the message is per thread).
 */
const char *sr_last_error(void);

/* ------------------------------------------------------------------------------------------------ */
/* Models                                                                                            */
/* ------------------------------------------------------------------------------------------------ */

/** An immutable, loaded DCSCN network. Opaque. */
typedef struct sr_model sr_model;

/**
 * Loads a model from an srcore weights file in the safetensors layout (`format="srcore.weights"`,
 * format_version 2.x, as written by `sr train`, `sr import-tf -o x.safetensors` and `sr convert`, or
 * 3.x, written for models trained with a structural knob such as `--no-residual`; docs/weights.md). Every byte is checked by srcore's own parser, so a file from anywhere is safe to
 * load. Legacy HDF5 weights files are refused with SR_ERROR_UNSUPPORTED (convert them once with
 * `sr convert IN.h5 -o OUT.safetensors`). On success stores a new handle in *model (free it with
 * sr_model_free); on failure stores NULL. Errors: SR_ERROR_INVALID_ARGUMENT (NULL path or model),
 * SR_ERROR_IO (cannot open), SR_ERROR_FORMAT / SR_ERROR_UNSUPPORTED / SR_ERROR_SHAPE_MISMATCH (not a
 * valid weights file), SR_ERROR_OUT_OF_MEMORY (a file over 256 MiB). Thread-safe.
 */
int sr_model_load(const char *path, sr_model **model);

/**
 * Loads a model from a weights file image held in memory (the bytes of a model.safetensors file; HDF5
 * is refused as in sr_model_load). The bytes are copied; the caller may free them when the call
 * returns. Errors as sr_model_load. Thread-safe.
 */
int sr_model_load_memory(const void *data, size_t size, sr_model **model);

/**
 * Loads the project's own trained model for `scale` (2, 3 or 4) that is compiled into the library, so
 * no file has to be found. Errors: SR_ERROR_INVALID_ARGUMENT (NULL model), SR_ERROR_UNSUPPORTED (no
 * builtin model for that scale in this build; see sr_builtin_model_available). Thread-safe.
 */
int sr_model_load_builtin(int scale, sr_model **model);

/** 1 if a builtin model for `scale` is compiled into this library, 0 otherwise. Thread-safe. */
int sr_builtin_model_available(int scale);

/**
 * Loads a builtin model by name: "compact" (the model sr_model_load_builtin loads: c-DCSCN's size,
 * about 27k parameters) or "best" (the mid-size model: more quality for about 5x the multiply-adds per
 * pixel; x2 only in this release). Errors: SR_ERROR_INVALID_ARGUMENT (NULL name or model, an unknown
 * name), SR_ERROR_UNSUPPORTED (no such model for that scale in this build; see
 * sr_builtin_model_named_available). Thread-safe.
 */
int sr_model_load_builtin_named(const char *name, int scale, sr_model **model);

/** 1 if the builtin model `name` ("compact" or "best") for `scale` is compiled into this library, 0
 * otherwise (also for NULL or an unknown name). Thread-safe. */
int sr_builtin_model_named_available(const char *name, int scale);

/**
 * Frees a model. NULL is a no-op. Must not be called while another thread uses the same model, and the
 * handle must not be used afterwards.
 */
void sr_model_free(sr_model *model);

/** The model's upscaling factor (2, 3, 4 ...), or 0 if model is NULL. Thread-safe. */
int sr_model_scale(const sr_model *model);

/**
 * LR pixels on each side that one output pixel depends on (10 for every c-DCSCN model), or 0 if model
 * is NULL. Tiles overlapping by this halo reproduce whole-image results exactly. Thread-safe.
 */
int sr_model_receptive_field(const sr_model *model);

/** The architecture of a model (sr_model_get_info). Set struct_size = sizeof(sr_model_info) first. */
typedef struct sr_model_info {
    size_t struct_size;         /**< in: sizeof(sr_model_info) */
    int scale;                  /**< upscaling factor */
    int receptive_field;        /**< LR pixels each side */
    int feature_layers;         /**< number of feature-extraction convs (CNN1..CNN_L) */
    int first_feature_width;    /**< output channels of CNN1 */
    int last_feature_width;     /**< output channels of CNN_L */
    int nin_a;                  /**< width of the 1x1 NIN branch A1 */
    int nin_b;                  /**< width of the NIN branch B1/B2 */
    int output_channels;        /**< channels after the final depth-to-space */
    int kernel_size;            /**< size of every "3x3" conv */
    int conv_layers;            /**< number of convolutions in the network */
    int64_t parameter_count;    /**< trainable parameters */
    int64_t macs_per_lr_pixel;  /**< multiply-adds per LR pixel of one forward pass */
} sr_model_info;

/**
 * Fills *info with the model's architecture. info->struct_size must be at least
 * sizeof(sr_model_info) of version 0.1 (otherwise SR_ERROR_INVALID_ARGUMENT); fields the library does
 * not know are left untouched. Thread-safe.
 */
int sr_model_get_info(const sr_model *model, sr_model_info *info);

/**
 * Copies the output widths of the feature layers CNN1..CNN_L into widths[0..capacity) and stores their
 * number in *count (count may be NULL; widths may be NULL when capacity is 0, to ask for the count).
 * Fails with SR_ERROR_INVALID_ARGUMENT if capacity is non-zero but smaller than the count. Thread-safe.
 */
int sr_model_feature_widths(const sr_model *model, int *widths, size_t capacity, size_t *count);

/* ------------------------------------------------------------------------------------------------ */
/* Pixels                                                                                            */
/* ------------------------------------------------------------------------------------------------ */

/**
 * Pixel formats. Samples are interleaved (RGBRGB..., GAGA...); 16-bit samples are uint16_t in the
 * host's byte order (not PNG's big-endian order); float samples are native float.
 *
 * SR_FORMAT_Y_F32 is luma on the 0..255 scale: the network's own domain. The output is the raw network
 * output (net + bicubic) — neither rounded nor clipped — exactly what `sr eval` scores.
 * The integer formats follow `sr upscale`: colour images go through BT.601 YCbCr, luma through the
 * network, chroma and alpha through bicubic in float; results are rounded and clipped to the format's
 * range. 16-bit samples are processed at full precision (scaled to 0..255 floats and back).
 */
enum sr_format {
    SR_FORMAT_Y_F32 = 1,   /**< 1 x float: luma 0..255 (4 bytes per pixel) */
    SR_FORMAT_GRAY8 = 2,   /**< 1 x uint8 */
    SR_FORMAT_GRAY16 = 3,  /**< 1 x uint16 */
    SR_FORMAT_GRAYA8 = 4,  /**< gray + alpha, 2 x uint8 */
    SR_FORMAT_GRAYA16 = 5, /**< gray + alpha, 2 x uint16 */
    SR_FORMAT_RGB8 = 6,    /**< 3 x uint8 */
    SR_FORMAT_RGB16 = 7,   /**< 3 x uint16 */
    SR_FORMAT_RGBA8 = 8,   /**< 4 x uint8, straight (not premultiplied) alpha */
    SR_FORMAT_RGBA16 = 9   /**< 4 x uint16, straight alpha */
};

/** Bytes per pixel of a format (4 for Y_F32, 3 for RGB8 ...), or 0 for an unknown format. Thread-safe. */
size_t sr_format_bytes_per_pixel(int format);

/**
 * A caller-owned pixel buffer: `height` rows of `width` pixels; row y starts at
 * (char *)data + y * stride. stride is in bytes and must be at least width * bytes-per-pixel; it need
 * not be a multiple of anything (unaligned rows are handled). For Y_F32 the stride must be a multiple of
 * 4 and data 4-byte aligned; for 16-bit formats, a multiple of 2 and 2-byte aligned.
 * Designated initialisers are recommended:
 *     sr_image img = { .format = SR_FORMAT_RGB8, .width = w, .height = h, .stride = w * 3, .data = p };
 */
typedef struct sr_image {
    int format;      /**< an sr_format value */
    uint32_t width;  /**< pixels per row, > 0 */
    uint32_t height; /**< rows, > 0 */
    size_t stride;   /**< bytes from one row to the next, >= width * sr_format_bytes_per_pixel(format) */
    void *data;      /**< first pixel; read for inputs, written for outputs */
} sr_image;

/**
 * The size of the output for an input of `width` x `height` pixels in `format`: width and height times
 * the model's scale, the tight row stride in bytes and the total bytes (stride * height). Each output
 * pointer may be NULL. Errors: SR_ERROR_INVALID_ARGUMENT (NULL model, zero width or height, an output
 * side over 2^31-1 pixels, or a byte count that overflows size_t), SR_ERROR_UNSUPPORTED (unknown
 * format). Thread-safe.
 */
int sr_output_size(const sr_model *model, int format, uint32_t width, uint32_t height,
                   uint32_t *out_width, uint32_t *out_height, size_t *out_stride, size_t *out_bytes);

/* ------------------------------------------------------------------------------------------------ */
/* Options                                                                                           */
/* ------------------------------------------------------------------------------------------------ */

/**
 * Progress callback: `fraction` goes from 0 (reported first) to 1 (reported last) as tiles or strips
 * complete, never decreasing. Return 0 to
 * continue, anything else to cancel: the call then stops as soon as possible and returns
 * SR_ERROR_CANCELLED (the output buffer's contents are then unspecified). Calls for one sr_upscale are
 * never concurrent with each other, but may come from a worker thread rather than the calling thread.
 */
typedef int (*sr_progress_fn)(void *user_data, double fraction);

/**
 * Options for sr_upscale and sr_upscale_file. Always initialise with SR_OPTIONS_INIT or
 * sr_options_init(); a zero-filled struct with struct_size set is also the defaults. New fields are only
 * ever appended: a library reads the fields its version knows and ignores any beyond them (a host built
 * against a newer header), uses defaults for fields beyond struct_size (a host built against an older
 * header), and refuses a struct_size smaller than version 0.1's sizeof(sr_options).
 */
typedef struct sr_options {
    size_t struct_size;      /**< sizeof(sr_options); smaller than version 0.1's (40), or between the sizes
                                  of two versions (41..47) -> SR_ERROR_INVALID_ARGUMENT */
    int threads;             /**< worker threads: 0 = all cores (default), 1 = the calling thread only.
                                  Hosts that already run many upscales in parallel should pass 1. */
    int tile_size;           /**< LR tile edge in pixels (the 10-pixel halo is added); 0 = from a memory budget */
    int self_ensemble;       /**< 0 or 1 = off (default); 2..8 = average that many dihedral transforms */
    int png_compression;     /**< sr_upscale_file only: 0 = default (zlib level 3, as `sr upscale`),
                                  1..9 = zlib level, -1 = stored (level 0) */
    sr_progress_fn progress; /**< may be NULL */
    void *user_data;         /**< passed to progress */
    /* appended after version 0.1.0: a struct_size of 40 (0.1's) leaves the fields below at their defaults */
    uint64_t max_pixels;     /**< sr_upscale_file only: the largest input (width x height) decoded,
                                  checked from the PNG header before anything is allocated (over it:
                                  SR_ERROR_OUT_OF_MEMORY). 0 = SR_DEFAULT_MAX_PIXELS, SR_NO_PIXEL_LIMIT
                                  = none (a PNG of 100 bytes may declare gigapixels) */
} sr_options;

/** The default max_pixels: 16384 x 16384 = 2^28 pixels (docs/c-api.md). */
#define SR_DEFAULT_MAX_PIXELS 268435456u
/** max_pixels that turns the pixel limit off. */
#define SR_NO_PIXEL_LIMIT UINT64_MAX

/** Default options, for `sr_options opt = SR_OPTIONS_INIT;`. */
#define SR_OPTIONS_INIT { sizeof(sr_options), 0, 0, 0, 0, NULL, NULL, 0 }

/**
 * Zero-fills the `size` bytes of *options (the host's sizeof(sr_options)), sets the defaults of the
 * fields this library knows and struct_size = size. NULL or a size below sizeof(size_t) is a no-op.
 * Thread-safe.
 */
void sr_options_init_size(sr_options *options, size_t size);

/**
 * Fills *options with the defaults (struct_size = sizeof(sr_options)). NULL is a no-op. Thread-safe.
 * A macro over sr_options_init_size with this header's sizeof(sr_options), so that a library never
 * writes more than the host's struct holds. The exported function of the same name (what hosts built
 * against version 0.1 call, and bindings such as ctypes) fills exactly version 0.1's 40 bytes.
 */
void sr_options_init(sr_options *options);
#define sr_options_init(options) sr_options_init_size((options), sizeof(sr_options))

/* ------------------------------------------------------------------------------------------------ */
/* Upscaling                                                                                         */
/* ------------------------------------------------------------------------------------------------ */

/**
 * Upscales `in` into the caller-owned `out`. options may be NULL (defaults).
 * out->format must equal in->format; out->width/height must equal sr_output_size()'s; out->stride must
 * hold a row; the two buffers must not overlap. Results are identical whatever the thread count and tile
 * size, and bit for bit what `sr upscale` produces for the same pixels.
 * Errors: SR_ERROR_INVALID_ARGUMENT (NULL, zero or mismatched sizes, short stride, misalignment,
 * overlap, struct_size too small, threads outside 0..1024, tile_size outside 0..2^20, self_ensemble
 * outside 0..8), SR_ERROR_UNSUPPORTED (unknown format), SR_ERROR_OUT_OF_MEMORY (the working buffers
 * would exceed physical memory; checked before anything is read or allocated), SR_ERROR_CANCELLED.
 * Thread-safe: any number of threads may upscale with the same model at the same time.
 */
int sr_upscale(const sr_model *model, const sr_options *options, const sr_image *in, const sr_image *out);

/**
 * Reads the image `in_path` (its format from its first bytes, never its name: PNG gray, gray+alpha,
 * RGB, RGBA or palette, 8 or 16 bits; JPEG baseline or progressive, gray, YCbCr or CMYK/YCCK; WebP
 * lossy or lossless, RGB or RGBA; turned upright by its EXIF orientation), upscales it as sr_upscale
 * does and writes `out_path` in the format its extension names (.jpg/.jpeg/.jpe/.jfif: JPEG at quality
 * 92; .webp: lossy WebP at quality 92, alpha kept, gray written as RGB; both with the input's EXIF,
 * orientation reset to 1, and ICC profile; anything else: PNG, same channels and bit depth, with the
 * ICC profile and a PNG input's text chunks and sRGB/gAMA), through a temporary
 * file in the same folder renamed at the end (docs/image-formats.md). The file is byte for byte what
 * `sr upscale in_path -o out_path` writes (with `--compression` = options->png_compression when that
 * is set). The image is streamed in strips, so memory stays near the size of the input's planes
 * whatever the output size (a WebP output is encoded whole: its 8-bit samples are held until the end).
 * Errors: SR_ERROR_INVALID_ARGUMENT (also: alpha to a JPEG, a WebP output over 16383 pixels a side),
 * SR_ERROR_IO, SR_ERROR_FORMAT (not a readable PNG/JPEG/WebP, or a truncated/corrupt one: the message
 * names the file),
 * SR_ERROR_OUT_OF_MEMORY (also: the input exceeds options->max_pixels), SR_ERROR_CANCELLED. Thread-safe.
 */
int sr_upscale_file(const sr_model *model, const sr_options *options, const char *in_path, const char *out_path);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SRCORE_H */
