// libpng reader: PNG files or memory to rows of 8/16-bit samples, one call at a time.
#include "png_internal.h"

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
    unsigned dropped;       /* metadata chunk types skipped as oversized (bit i: meta_types[i]) */
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
    srpng_set_msg(msg, msglen, r->e.err[0] ? r->e.err : "libpng error");
    return r->e.io_error ? SRPNG_ERR_IO : code;
}

/* The largest metadata chunk (iCCP, eXIf, tEXt, zTXt, iTXt) kept, as stored: libpng buffers such a
 * chunk whole, sized by its own length field, before any limit applies (a 53-byte file declaring a
 * 2 GB iTXt made libpng 1.6.39 malloc 2 GB: found by fuzzing, docs/fuzzing.md). */
#define SRPNG_META_MAX (4u << 20)

static const char *const meta_types[] = { "iCCP", "eXIf", "tEXt", "zTXt", "iTXt" };
#define SRPNG_META_TYPES 5

/* Walks the chunk list (lengths and types only) from offset 8 and sets bit i of the result when a
 * chunk of meta_types[i] is longer than SRPNG_META_MAX: that type is then skipped unread. */
static unsigned oversized_meta(srpng_reader *r) {
    unsigned mask = 0;
    long start = r->fp ? ftell(r->fp) : 0;
    size_t pos = 8;
    for (int guard = 0; guard < (1 << 24); guard++) {
        uint8_t hdr[8];
        if (r->fp) {
            if (fread(hdr, 1, 8, r->fp) != 8) break;
        } else {
            if (r->mem_size < 8 || pos > r->mem_size - 8) break;
            memcpy(hdr, r->mem + pos, 8);
        }
        uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
        for (int i = 0; i < SRPNG_META_TYPES; i++)
            if (memcmp(hdr + 4, meta_types[i], 4) == 0 && len > SRPNG_META_MAX) mask |= 1u << i;
        if (memcmp(hdr + 4, "IEND", 4) == 0 || len > 0x7fffffffu) break;
        if (r->fp) {
            if (fseek(r->fp, (long)len + 4, SEEK_CUR) != 0) break;
        } else {
            if ((size_t)len + 12 > r->mem_size - pos) break;
            pos += (size_t)len + 12;
        }
    }
    if (r->fp) { clearerr(r->fp); (void)fseek(r->fp, start, SEEK_SET); }
    return mask;
}

/* Reads the signature (already available) and the header, sets up the expansions. */
static int reader_start(srpng_reader *r, const uint8_t sig[8], size_t sig_len, char *msg, size_t msglen) {
    if (sig_len < 8 || png_sig_cmp(sig, 0, 8) != 0) {
        srpng_set_msg(msg, msglen, sig_len < 8 ? "not a PNG file (too short for a signature)"
                                         : "not a PNG file (bad signature)");
        return SRPNG_ERR_FORMAT;
    }
    r->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &r->e, srpng_on_error, srpng_on_warning);
    if (!r->png) { srpng_set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    r->info = png_create_info_struct(r->png);
    if (!r->info) { srpng_set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
    if (setjmp(png_jmpbuf(r->png))) return fail_reader(r, SRPNG_ERR_FORMAT, msg, msglen);
    if (r->fp) png_set_read_fn(r->png, r, read_file_fn);
    else png_set_read_fn(r->png, r, read_mem_fn);
    png_set_sig_bytes(r->png, 8);
    /* Ancillary chunks that srcore does not use and that libpng would buffer whole, sized by the
     * chunk's own length field (a 53-byte file declaring a 2 GB iTXt made libpng 1.6.39 malloc 2 GB:
     * found by fuzzing, docs/fuzzing.md): skip them unread, and cap any other chunk buffer. */
    /* Kept (their metadata is carried to the output, docs/image-formats.md): iCCP, eXIf, tEXt, zTXt,
     * iTXt, sRGB, gAMA; at most 16 text chunks are cached, a compressed one that inflates beyond the
     * chunk limit below is dropped by libpng, and a type with a chunk over SRPNG_META_MAX is skipped
     * unread (each of its chunks: dropped metadata, never a huge allocation). sPLT is always skipped. */
    static const png_byte splt[] = { 's', 'P', 'L', 'T', '\0' };
    png_set_keep_unknown_chunks(r->png, PNG_HANDLE_CHUNK_NEVER, splt, 1);
    r->dropped = oversized_meta(r);
    for (int i = 0; i < SRPNG_META_TYPES; i++) {
        if (!(r->dropped & (1u << i))) continue;
        png_byte name[5];
        memcpy(name, meta_types[i], 4);
        name[4] = 0;
        png_set_keep_unknown_chunks(r->png, PNG_HANDLE_CHUNK_NEVER, name, 1);
    }
    png_set_chunk_malloc_max(r->png, SRPNG_CHUNK_MALLOC_MAX);
    png_set_chunk_cache_max(r->png, 17);
#ifdef SRCORE_FUZZING
    /* Fuzzing builds only (Tests/fuzz/build.sh, docs/fuzzing.md): chunk CRCs and the zlib Adler-32 are
     * not checked, so that mutated inputs reach the decoder instead of failing their checksums. */
    png_set_crc_action(r->png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
#ifdef PNG_IGNORE_ADLER32
    png_set_option(r->png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
#endif
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
        srpng_set_msg(msg, msglen, "unsupported pixel layout after expansion");
        return SRPNG_ERR_FORMAT;
    }
    return SRPNG_OK;
}

int srpng_reader_open_file(const char *path, srpng_reader **out, char *msg, size_t msglen) {
    *out = NULL;
    if (!path) { srpng_set_msg(msg, msglen, "no path"); return SRPNG_ERR_ARG; }
    srpng_reader *r = (srpng_reader *)calloc(1, sizeof *r);
    if (!r) { srpng_set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
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
    if (!data && size > 0) { srpng_set_msg(msg, msglen, "no data"); return SRPNG_ERR_ARG; }
    srpng_reader *r = (srpng_reader *)calloc(1, sizeof *r);
    if (!r) { srpng_set_msg(msg, msglen, "out of memory"); return SRPNG_ERR_MEMORY; }
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
    if (!r || (!buf && count > 0)) { srpng_set_msg(msg, msglen, "invalid argument"); return SRPNG_ERR_ARG; }
    if (count > r->h.height - r->next_row) { srpng_set_msg(msg, msglen, "read past the last row"); return SRPNG_ERR_ARG; }
    uint8_t *dst = (uint8_t *)buf;
    if (setjmp(png_jmpbuf(r->png))) return fail_reader(r, SRPNG_ERR_FORMAT, msg, msglen);
    if (r->h.interlaced) {
        if (!r->full) {
            size_t total = r->rowbytes * (size_t)r->h.height;
            if (r->h.height != 0 && total / r->h.height != r->rowbytes) {
                srpng_set_msg(msg, msglen, "image too large"); return SRPNG_ERR_MEMORY;
            }
            r->full = (uint8_t *)malloc(total ? total : 1);
            png_bytep *rows = (png_bytep *)malloc(sizeof(png_bytep) * (r->h.height ? r->h.height : 1));
            if (!r->full || !rows) {
                free(rows);
                srpng_set_msg(msg, msglen, "out of memory (interlaced image)"); return SRPNG_ERR_MEMORY;
            }
            for (uint32_t y = 0; y < r->h.height; y++) rows[y] = r->full + (size_t)y * r->rowbytes;
            r->e.err[0] = 0;
            /* png_read_image may longjmp: catch it here so `rows` is freed. */
            if (setjmp(png_jmpbuf(r->png))) { free(rows); return fail_reader(r, SRPNG_ERR_FORMAT, msg, msglen); }
            png_read_image(r->png, rows);
            free(rows);
            /* Re-arm the plain handler: the one above frees `rows` and must not stay armed for the
             * png_read_end below (a damaged IEND would longjmp into it and free `rows` twice). */
            if (setjmp(png_jmpbuf(r->png))) return fail_reader(r, SRPNG_ERR_FORMAT, msg, msglen);
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

const uint8_t *srpng_reader_icc(const srpng_reader *r, size_t *size) {
    png_charp name = NULL;
    int comp = 0;
    png_bytep profile = NULL;
    png_uint_32 len = 0;
    *size = 0;
    if (!png_get_valid(r->png, r->info, PNG_INFO_iCCP) ||
        !png_get_iCCP(r->png, r->info, &name, &comp, &profile, &len) || !profile || len == 0) return NULL;
    *size = len;
    return profile;
}

const uint8_t *srpng_reader_exif(const srpng_reader *r, size_t *size) {
    png_bytep exif = NULL;
    png_uint_32 n = 0;
    *size = 0;
    if (!png_get_valid(r->png, r->info, PNG_INFO_eXIf) || !png_get_eXIf_1(r->png, r->info, &n, &exif) || !exif || n == 0)
        return NULL;
    *size = n;
    return exif;
}

int srpng_reader_text_count(const srpng_reader *r) {
    png_textp t = NULL;
    int n = 0;
    (void)png_get_text(r->png, r->info, &t, &n);
    return t ? n : 0;
}

void srpng_reader_text(const srpng_reader *r, int i, srpng_text *out) {
    png_textp t = NULL;
    int n = 0;
    memset(out, 0, sizeof *out);
    (void)png_get_text(r->png, r->info, &t, &n);
    if (!t || i < 0 || i >= n) return;
    out->compression = t[i].compression;
    out->key = t[i].key;
    out->text = t[i].text ? t[i].text : "";
#ifdef PNG_iTXt_SUPPORTED
    out->lang = t[i].lang;
    out->lang_key = t[i].lang_key;
#endif
}

int srpng_reader_dropped_metadata(const srpng_reader *r) { return (int)r->dropped; }

int srpng_reader_srgb(const srpng_reader *r) {
    int intent = 0;
    if (!png_get_valid(r->png, r->info, PNG_INFO_sRGB) || !png_get_sRGB(r->png, r->info, &intent)) return -1;
    return intent;
}

int srpng_reader_gamma(const srpng_reader *r) {
    png_fixed_point g = 0;
    if (!png_get_valid(r->png, r->info, PNG_INFO_gAMA) || !png_get_gAMA_fixed(r->png, r->info, &g)) return 0;
    return g > 0 ? (int)g : 0;
}

void srpng_reader_free(srpng_reader *r) {
    if (!r) return;
    if (r->png) png_destroy_read_struct(&r->png, r->info ? &r->info : NULL, NULL);
    if (r->fp) fclose(r->fp);
    free(r->full);
    free(r);
}

