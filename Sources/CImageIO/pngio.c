// libpng wrapper: every libpng call runs under setjmp so errors become status codes.
#include "cimageio.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SRPNG_LITTLE_ENDIAN 1
#else
#define SRPNG_LITTLE_ENDIAN 0
#endif

#define ERRLEN 256

static void set_msg(char *msg, size_t msglen, const char *text) {
    if (msg && msglen > 0) {
        snprintf(msg, msglen, "%s", text ? text : "unknown error");
    }
}

/* The error pointer of every png_struct is a `char err[ERRLEN]` buffer at the start of
 * the owning reader/writer, followed by an int telling whether an I/O (not format) error happened. */
typedef struct err_ctx {
    char err[ERRLEN];
    int io_error;
} err_ctx;

static void on_error(png_structp png, png_const_charp text) {
    err_ctx *e = (err_ctx *)png_get_error_ptr(png);
    if (e && e->err[0] == 0) snprintf(e->err, ERRLEN, "%s", text ? text : "libpng error");
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) {
    (void)png; (void)text; /* warnings (bad ancillary chunks, ...) are not fatal */
}

/* ---------------------------------------------------------------- reader */

struct srpng_reader {
    err_ctx e;
    png_structp png;
    png_infop info;
    FILE *fp;
    const uint8_t *mem;
    size_t mem_size;
    size_t mem_pos;
    srpng_header h;
    size_t rowbytes;
    uint8_t *full;          /* interlaced images: the whole image, read on the first request */
    uint32_t next_row;
    int ended;
};

static void read_file_fn(png_structp png, png_bytep data, size_t length) {
    srpng_reader *r = (srpng_reader *)png_get_io_ptr(png);
    size_t n = fread(data, 1, length, r->fp);
    if (n != length) {
        if (ferror(r->fp)) {
            r->e.io_error = 1;
            png_error(png, "read error");
        }
        png_error(png, "unexpected end of file (truncated)");
    }
}

static void read_mem_fn(png_structp png, png_bytep data, size_t length) {
    srpng_reader *r = (srpng_reader *)png_get_io_ptr(png);
    if (r->mem_size - r->mem_pos < length) png_error(png, "unexpected end of data (truncated)");
    memcpy(data, r->mem + r->mem_pos, length);
    r->mem_pos += length;
}

static int fail_reader(srpng_reader *r, int code, char *msg, size_t msglen) {
    set_msg(msg, msglen, r->e.err[0] ? r->e.err : "libpng error");
    return r->e.io_error ? SRPNG_ERR_IO : code;
}

/* Reads the signature (already available) and the header, sets up the expansions. */
static int reader_start(srpng_reader *r, const uint8_t sig[8], size_t sig_len, char *msg, size_t msglen) {
    if (sig_len < 8 || png_sig_cmp(sig, 0, 8) != 0) {
        set_msg(msg, msglen, sig_len < 8 ? "not a PNG file (too short for a signature)"
                                         : "not a PNG file (bad signature)");
        return SRPNG_ERR_FORMAT;
    }
    r->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &r->e, on_error, on_warning);
    if (!r->png) { set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    r->info = png_create_info_struct(r->png);
    if (!r->info) { set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    if (setjmp(png_jmpbuf(r->png))) return fail_reader(r, SRPNG_ERR_FORMAT, msg, msglen);
    if (r->fp) png_set_read_fn(r->png, r, read_file_fn);
    else png_set_read_fn(r->png, r, read_mem_fn);
    png_set_sig_bytes(r->png, 8);
    png_read_info(r->png, r->info);
    png_uint_32 w = 0, hgt = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(r->png, r->info, &w, &hgt, &bit_depth, &color_type, &interlace, NULL, NULL);
    r->h.width = w;
    r->h.height = hgt;
    r->h.source_bit_depth = bit_depth;
    r->h.source_color_type = color_type;
    r->h.interlaced = interlace != PNG_INTERLACE_NONE;
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(r->png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(r->png);
    if (png_get_valid(r->png, r->info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(r->png);
    if (bit_depth == 16 && SRPNG_LITTLE_ENDIAN) png_set_swap(r->png);
    if (r->h.interlaced) (void)png_set_interlace_handling(r->png);
    png_read_update_info(r->png, r->info);
    r->h.channels = png_get_channels(r->png, r->info);
    r->h.bit_depth = png_get_bit_depth(r->png, r->info);
    r->rowbytes = png_get_rowbytes(r->png, r->info);
    size_t expect = (size_t)w * (size_t)r->h.channels * (size_t)(r->h.bit_depth / 8);
    if ((r->h.bit_depth != 8 && r->h.bit_depth != 16) || r->h.channels < 1 || r->h.channels > 4 ||
        r->rowbytes != expect) {
        set_msg(msg, msglen, "unsupported pixel layout after expansion");
        return SRPNG_ERR_FORMAT;
    }
    return SRPNG_OK;
}

int srpng_reader_open_file(const char *path, srpng_reader **out, char *msg, size_t msglen) {
    *out = NULL;
    if (!path) { set_msg(msg, msglen, "no path"); return SRPNG_ERR_ARG; }
    srpng_reader *r = (srpng_reader *)calloc(1, sizeof *r);
    if (!r) { set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    r->fp = fopen(path, "rb");
    if (!r->fp) {
        snprintf(msg, msglen, "cannot open: %s", strerror(errno));
        free(r);
        return SRPNG_ERR_IO;
    }
    uint8_t sig[8];
    size_t n = fread(sig, 1, 8, r->fp);
    int rc = reader_start(r, sig, n, msg, msglen);
    if (rc != SRPNG_OK) { srpng_reader_free(r); return rc; }
    *out = r;
    return SRPNG_OK;
}

int srpng_reader_open_memory(const void *data, size_t size, srpng_reader **out, char *msg, size_t msglen) {
    *out = NULL;
    if (!data && size > 0) { set_msg(msg, msglen, "no data"); return SRPNG_ERR_ARG; }
    srpng_reader *r = (srpng_reader *)calloc(1, sizeof *r);
    if (!r) { set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    r->mem = (const uint8_t *)data;
    r->mem_size = size;
    r->mem_pos = size < 8 ? size : 8;
    int rc = reader_start(r, r->mem, size, msg, msglen);
    if (rc != SRPNG_OK) { srpng_reader_free(r); return rc; }
    *out = r;
    return SRPNG_OK;
}

void srpng_reader_header(const srpng_reader *r, srpng_header *h) { *h = r->h; }

int srpng_reader_read_rows(srpng_reader *r, void *buf, uint32_t count, char *msg, size_t msglen) {
    if (!r || (!buf && count > 0)) { set_msg(msg, msglen, "invalid argument"); return SRPNG_ERR_ARG; }
    if (count > r->h.height - r->next_row) { set_msg(msg, msglen, "read past the last row"); return SRPNG_ERR_ARG; }
    uint8_t *dst = (uint8_t *)buf;
    if (setjmp(png_jmpbuf(r->png))) return fail_reader(r, SRPNG_ERR_FORMAT, msg, msglen);
    if (r->h.interlaced) {
        if (!r->full) {
            size_t total = r->rowbytes * (size_t)r->h.height;
            if (r->h.height != 0 && total / r->h.height != r->rowbytes) {
                set_msg(msg, msglen, "image too large"); return SRPNG_ERR_MEMORY;
            }
            r->full = (uint8_t *)malloc(total ? total : 1);
            png_bytep *rows = (png_bytep *)malloc(sizeof(png_bytep) * (r->h.height ? r->h.height : 1));
            if (!r->full || !rows) {
                free(rows);
                set_msg(msg, msglen, "out of memory (interlaced image)"); return SRPNG_ERR_MEMORY;
            }
            for (uint32_t y = 0; y < r->h.height; y++) rows[y] = r->full + (size_t)y * r->rowbytes;
            r->e.err[0] = 0;
            /* png_read_image may longjmp: catch it here so `rows` is freed. */
            if (setjmp(png_jmpbuf(r->png))) { free(rows); return fail_reader(r, SRPNG_ERR_FORMAT, msg, msglen); }
            png_read_image(r->png, rows);
            free(rows);
        }
        memcpy(dst, r->full + (size_t)r->next_row * r->rowbytes, (size_t)count * r->rowbytes);
        r->next_row += count;
    } else {
        for (uint32_t i = 0; i < count; i++) {
            png_read_row(r->png, dst + (size_t)i * r->rowbytes, NULL);
            r->next_row++;
        }
    }
    if (r->next_row == r->h.height && !r->ended) {
        r->ended = 1;
        png_read_end(r->png, NULL);
    }
    return SRPNG_OK;
}

void srpng_reader_free(srpng_reader *r) {
    if (!r) return;
    if (r->png) png_destroy_read_struct(&r->png, r->info ? &r->info : NULL, NULL);
    if (r->fp) fclose(r->fp);
    free(r->full);
    free(r);
}

/* ---------------------------------------------------------------- writer */

struct srpng_writer {
    err_ctx e;
    png_structp png;
    png_infop info;
    FILE *fp;
    uint8_t *mem;
    size_t mem_size;
    size_t mem_cap;
    uint32_t width, height;
    int interlaced;
    size_t in_rowbytes;
    uint8_t *full;
    uint32_t rows_written;
    int finished;
};

static void write_file_fn(png_structp png, png_bytep data, size_t length) {
    srpng_writer *w = (srpng_writer *)png_get_io_ptr(png);
    if (fwrite(data, 1, length, w->fp) != length) {
        w->e.io_error = 1;
        png_error(png, "write error");
    }
}

static void flush_file_fn(png_structp png) {
    srpng_writer *w = (srpng_writer *)png_get_io_ptr(png);
    fflush(w->fp);
}

static void write_mem_fn(png_structp png, png_bytep data, size_t length) {
    srpng_writer *w = (srpng_writer *)png_get_io_ptr(png);
    if (w->mem_cap - w->mem_size < length) {
        size_t cap = w->mem_cap ? w->mem_cap : 4096;
        while (cap - w->mem_size < length) {
            if (cap > SIZE_MAX / 2) png_error(png, "out of memory");
            cap *= 2;
        }
        uint8_t *m = (uint8_t *)realloc(w->mem, cap);
        if (!m) png_error(png, "out of memory");
        w->mem = m;
        w->mem_cap = cap;
    }
    memcpy(w->mem + w->mem_size, data, length);
    w->mem_size += length;
}

static void flush_mem_fn(png_structp png) { (void)png; }

static int fail_writer(srpng_writer *w, char *msg, size_t msglen) {
    set_msg(msg, msglen, w->e.err[0] ? w->e.err : "libpng error");
    return w->e.io_error ? SRPNG_ERR_IO : SRPNG_ERR_FORMAT;
}

static int check_params(const srpng_write_params *p, int *channels, char *msg, size_t msglen) {
    if (!p || p->width == 0 || p->height == 0 || p->width > 0x7fffffffu || p->height > 0x7fffffffu) {
        set_msg(msg, msglen, "invalid image size"); return SRPNG_ERR_ARG;
    }
    int ok;
    switch (p->color_type) {
    case 0: *channels = 1; ok = p->bit_depth == 1 || p->bit_depth == 2 || p->bit_depth == 4 || p->bit_depth == 8 || p->bit_depth == 16; break;
    case 3: *channels = 1; ok = (p->bit_depth == 1 || p->bit_depth == 2 || p->bit_depth == 4 || p->bit_depth == 8) &&
                             p->palette && p->palette_count >= 1 && p->palette_count <= 256 &&
                             p->palette_count <= (1 << p->bit_depth); break;
    case 2: *channels = 3; ok = p->bit_depth == 8 || p->bit_depth == 16; break;
    case 4: *channels = 2; ok = p->bit_depth == 8 || p->bit_depth == 16; break;
    case 6: *channels = 4; ok = p->bit_depth == 8 || p->bit_depth == 16; break;
    default: ok = 0;
    }
    if (!ok) { set_msg(msg, msglen, "invalid colour type / bit depth / palette"); return SRPNG_ERR_ARG; }
    if (p->trns_count < 0 || p->trns_count > p->palette_count || (p->trns_count > 0 && !p->trns_alpha)) {
        set_msg(msg, msglen, "invalid tRNS"); return SRPNG_ERR_ARG;
    }
    return SRPNG_OK;
}

static int writer_start(srpng_writer *w, const srpng_write_params *p, char *msg, size_t msglen) {
    int channels = 0;
    int rc = check_params(p, &channels, msg, msglen);
    if (rc != SRPNG_OK) return rc;
    w->width = p->width;
    w->height = p->height;
    w->interlaced = p->interlaced != 0;
    w->in_rowbytes = (size_t)p->width * (size_t)channels * (p->bit_depth == 16 ? 2 : 1);
    w->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &w->e, on_error, on_warning);
    if (!w->png) { set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    w->info = png_create_info_struct(w->png);
    if (!w->info) { set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    if (w->interlaced) {
        size_t total = w->in_rowbytes * (size_t)p->height;
        if (total / p->height != w->in_rowbytes) { set_msg(msg, msglen, "image too large"); return SRPNG_ERR_MEMORY; }
        w->full = (uint8_t *)malloc(total);
        if (!w->full) { set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    }
    if (setjmp(png_jmpbuf(w->png))) return fail_writer(w, msg, msglen);
    if (w->fp) png_set_write_fn(w->png, w, write_file_fn, flush_file_fn);
    else png_set_write_fn(w->png, w, write_mem_fn, flush_mem_fn);
    if (p->compression_level >= 0 && p->compression_level <= 9) png_set_compression_level(w->png, p->compression_level);
    png_set_IHDR(w->png, w->info, p->width, p->height, p->bit_depth, p->color_type,
                 w->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (p->color_type == 3) {
        png_color pal[256];
        for (int i = 0; i < p->palette_count; i++) {
            pal[i].red = p->palette[3 * i];
            pal[i].green = p->palette[3 * i + 1];
            pal[i].blue = p->palette[3 * i + 2];
        }
        png_set_PLTE(w->png, w->info, pal, p->palette_count);
        if (p->trns_count > 0) png_set_tRNS(w->png, w->info, p->trns_alpha, p->trns_count, NULL);
    } else if (p->has_trns_color && (p->color_type == 0 || p->color_type == 2)) {
        png_color_16 c;
        memset(&c, 0, sizeof c);
        c.red = p->trns_red; c.green = p->trns_green; c.blue = p->trns_blue; c.gray = p->trns_gray;
        png_set_tRNS(w->png, w->info, NULL, 0, &c);
    }
    png_write_info(w->png, w->info);
    if (p->bit_depth < 8) png_set_packing(w->png);
    if (p->bit_depth == 16 && SRPNG_LITTLE_ENDIAN) png_set_swap(w->png);
    return SRPNG_OK;
}

int srpng_writer_open_file(const char *path, const srpng_write_params *p, srpng_writer **out, char *msg, size_t msglen) {
    *out = NULL;
    if (!path) { set_msg(msg, msglen, "no path"); return SRPNG_ERR_ARG; }
    srpng_writer *w = (srpng_writer *)calloc(1, sizeof *w);
    if (!w) { set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    w->fp = fopen(path, "wb");
    if (!w->fp) {
        snprintf(msg, msglen, "cannot create: %s", strerror(errno));
        free(w);
        return SRPNG_ERR_IO;
    }
    int rc = writer_start(w, p, msg, msglen);
    if (rc != SRPNG_OK) { srpng_writer_free(w); return rc; }
    *out = w;
    return SRPNG_OK;
}

int srpng_writer_open_memory(const srpng_write_params *p, srpng_writer **out, char *msg, size_t msglen) {
    *out = NULL;
    srpng_writer *w = (srpng_writer *)calloc(1, sizeof *w);
    if (!w) { set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    int rc = writer_start(w, p, msg, msglen);
    if (rc != SRPNG_OK) { srpng_writer_free(w); return rc; }
    *out = w;
    return SRPNG_OK;
}

int srpng_writer_write_rows(srpng_writer *w, const void *rows, uint32_t count, char *msg, size_t msglen) {
    if (!w || (!rows && count > 0) || w->finished) { set_msg(msg, msglen, "invalid argument"); return SRPNG_ERR_ARG; }
    if (count > w->height - w->rows_written) { set_msg(msg, msglen, "more rows than the image height"); return SRPNG_ERR_ARG; }
    const uint8_t *src = (const uint8_t *)rows;
    if (w->interlaced) {
        memcpy(w->full + (size_t)w->rows_written * w->in_rowbytes, src, (size_t)count * w->in_rowbytes);
        w->rows_written += count;
        return SRPNG_OK;
    }
    if (setjmp(png_jmpbuf(w->png))) return fail_writer(w, msg, msglen);
    for (uint32_t i = 0; i < count; i++) {
        png_write_row(w->png, (png_const_bytep)(src + (size_t)i * w->in_rowbytes));
        w->rows_written++;
    }
    return SRPNG_OK;
}

int srpng_writer_finish(srpng_writer *w, char *msg, size_t msglen) {
    if (!w || w->finished) { set_msg(msg, msglen, "invalid argument"); return SRPNG_ERR_ARG; }
    if (w->rows_written != w->height) { set_msg(msg, msglen, "not all rows were written"); return SRPNG_ERR_ARG; }
    png_bytep *volatile rowp = NULL;
    if (setjmp(png_jmpbuf(w->png))) { free(rowp); return fail_writer(w, msg, msglen); }
    if (w->interlaced) {
        rowp = (png_bytep *)malloc(sizeof(png_bytep) * w->height);
        if (!rowp) { set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
        for (uint32_t y = 0; y < w->height; y++) rowp[y] = w->full + (size_t)y * w->in_rowbytes;
        png_write_image(w->png, rowp);
        free(rowp);
        rowp = NULL;
    }
    png_write_end(w->png, NULL);
    w->finished = 1;
    if (w->fp) {
        int bad = fflush(w->fp) != 0 || ferror(w->fp);
        bad |= fclose(w->fp) != 0;
        w->fp = NULL;
        if (bad) { set_msg(msg, msglen, "write error (disk full?)"); return SRPNG_ERR_IO; }
    }
    return SRPNG_OK;
}

const uint8_t *srpng_writer_memory(const srpng_writer *w, size_t *size) {
    *size = w ? w->mem_size : 0;
    return w ? w->mem : NULL;
}

void srpng_writer_free(srpng_writer *w) {
    if (!w) return;
    if (w->png) png_destroy_write_struct(&w->png, w->info ? &w->info : NULL);
    if (w->fp) fclose(w->fp);
    free(w->full);
    free(w->mem);
    free(w);
}
