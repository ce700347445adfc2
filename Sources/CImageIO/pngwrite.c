// libpng writer: rows of 8/16-bit samples to a PNG file or memory buffer.
#include "png_internal.h"

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
        char text[96];
        snprintf(text, sizeof text, "write error (%s)", strerror(errno));
        w->e.io_error = 1;
        png_error(png, text);   /* the error handler copies the text before it jumps */
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
    srpng_set_msg(msg, msglen, w->e.err[0] ? w->e.err : "libpng error");
    return w->e.io_error ? SRPNG_ERR_IO : SRPNG_ERR_FORMAT;
}

static int check_params(const srpng_write_params *p, int *channels, char *msg, size_t msglen) {
    if (!p || p->width == 0 || p->height == 0 || p->width > 0x7fffffffu || p->height > 0x7fffffffu) {
        srpng_set_msg(msg, msglen, "invalid image size"); return SRPNG_ERR_ARG;
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
    if (!ok) { srpng_set_msg(msg, msglen, "invalid colour type / bit depth / palette"); return SRPNG_ERR_ARG; }
    if (p->trns_count < 0 || p->trns_count > p->palette_count || (p->trns_count > 0 && !p->trns_alpha)) {
        srpng_set_msg(msg, msglen, "invalid tRNS"); return SRPNG_ERR_ARG;
    }
    return SRPNG_OK;
}

/* Whether libpng can write `key` as a keyword: it needs a printable Latin-1 character (libpng
 * turns others into spaces and errors on a keyword left empty). */
static int keyword_usable(const char *key) {
    for (const unsigned char *k = (const unsigned char *)key; *k; k++)
        if ((*k > 32 && *k <= 126) || *k >= 161) return 1;
    return 0;
}

static int writer_start(srpng_writer *w, const srpng_write_params *p, char *msg, size_t msglen) {
    int channels = 0;
    int rc = check_params(p, &channels, msg, msglen);
    if (rc != SRPNG_OK) return rc;
    w->width = p->width;
    w->height = p->height;
    w->interlaced = p->interlaced != 0;
    w->in_rowbytes = (size_t)p->width * (size_t)channels * (p->bit_depth == 16 ? 2 : 1);
    w->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &w->e, srpng_on_error, srpng_on_warning);
    if (!w->png) { srpng_set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    w->info = png_create_info_struct(w->png);
    if (!w->info) { srpng_set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    if (w->interlaced) {
        size_t total = w->in_rowbytes * (size_t)p->height;
        if (total / p->height != w->in_rowbytes) { srpng_set_msg(msg, msglen, "image too large"); return SRPNG_ERR_MEMORY; }
        w->full = (uint8_t *)malloc(total);
        if (!w->full) { srpng_set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
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
    /* Metadata libpng finds inconsistent (a bad profile, a gAMA that contradicts sRGB) is a benign
     * error: dropped with a warning, not a failure. */
    png_set_benign_errors(w->png, 1);
    if (p->gamma > 0) png_set_gAMA_fixed(w->png, w->info, p->gamma);
    if (p->has_srgb && p->srgb_intent >= 0 && p->srgb_intent <= 3) png_set_sRGB(w->png, w->info, p->srgb_intent);
    if (p->text && p->text_count > 0) {
        for (int i = 0; i < p->text_count; i++) {
            const srpng_text *s = &p->text[i];
            if (!s->key || !keyword_usable(s->key)) continue;
            png_text t;
            memset(&t, 0, sizeof t);
            t.compression = s->compression >= -1 && s->compression <= 2 ? s->compression : -1;
            t.key = (png_charp)s->key;
            t.text = (png_charp)(s->text ? s->text : "");
#ifdef PNG_iTXt_SUPPORTED
            t.lang = (png_charp)s->lang;
            t.lang_key = (png_charp)s->lang_key;
#endif
            png_set_text(w->png, w->info, &t, 1);
        }
    }
    if (p->icc && p->icc_size >= 132 && p->icc_size < 0x7fffffffu) {
        png_set_iCCP(w->png, w->info, "ICC Profile", PNG_COMPRESSION_TYPE_BASE, p->icc, (png_uint_32)p->icc_size);
    }
    png_write_info(w->png, w->info);
    if (p->bit_depth < 8) png_set_packing(w->png);
    if (p->bit_depth == 16 && SRPNG_LITTLE_ENDIAN) png_set_swap(w->png);
    return SRPNG_OK;
}

int srpng_writer_open_file(const char *path, const srpng_write_params *p, srpng_writer **out, char *msg, size_t msglen) {
    *out = NULL;
    if (!path) { srpng_set_msg(msg, msglen, "no path"); return SRPNG_ERR_ARG; }
    srpng_writer *w = (srpng_writer *)calloc(1, sizeof *w);
    if (!w) { srpng_set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
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
    if (!w) { srpng_set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    int rc = writer_start(w, p, msg, msglen);
    if (rc != SRPNG_OK) { srpng_writer_free(w); return rc; }
    *out = w;
    return SRPNG_OK;
}

int srpng_writer_write_rows(srpng_writer *w, const void *rows, uint32_t count, char *msg, size_t msglen) {
    if (!w || (!rows && count > 0) || w->finished) { srpng_set_msg(msg, msglen, "invalid argument"); return SRPNG_ERR_ARG; }
    if (count > w->height - w->rows_written) { srpng_set_msg(msg, msglen, "more rows than the image height"); return SRPNG_ERR_ARG; }
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
    if (!w || w->finished) { srpng_set_msg(msg, msglen, "invalid argument"); return SRPNG_ERR_ARG; }
    if (w->rows_written != w->height) { srpng_set_msg(msg, msglen, "not all rows were written"); return SRPNG_ERR_ARG; }
    png_bytep *volatile rowp = NULL;
    if (setjmp(png_jmpbuf(w->png))) { free(rowp); return fail_writer(w, msg, msglen); }
    if (w->interlaced) {
        rowp = (png_bytep *)malloc(sizeof(png_bytep) * w->height);
        if (!rowp) { srpng_set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
        for (uint32_t y = 0; y < w->height; y++) rowp[y] = w->full + (size_t)y * w->in_rowbytes;
        png_write_image(w->png, rowp);
        free(rowp);
        rowp = NULL;
    }
    png_write_end(w->png, NULL);
    w->finished = 1;
    if (w->fp) {
        errno = 0;
        int bad = fflush(w->fp) != 0 || ferror(w->fp);
        bad |= fclose(w->fp) != 0;
        w->fp = NULL;
        if (bad) {
            char text[96];
            snprintf(text, sizeof text, "write error (%s)", errno ? strerror(errno) : "disk full?");
            srpng_set_msg(msg, msglen, text);
            return SRPNG_ERR_IO;
        }
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
