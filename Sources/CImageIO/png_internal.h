// Shared by the libpng reader (pngread.c) and writer (pngwrite.c): every libpng call runs under
// setjmp, and libpng's errors land in an err_ctx so they become status codes with a message.
#ifndef SRPNG_INTERNAL_H
#define SRPNG_INTERNAL_H
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

/* The largest buffer libpng may allocate for one non-IDAT chunk (PLTE, tRNS and the like are bytes). */
#define SRPNG_CHUNK_MALLOC_MAX (8u << 20)

static inline void srpng_set_msg(char *msg, size_t msglen, const char *text) {
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

static inline void srpng_on_error(png_structp png, png_const_charp text) {
    err_ctx *e = (err_ctx *)png_get_error_ptr(png);
    if (e && e->err[0] == 0) snprintf(e->err, ERRLEN, "%s", text ? text : "libpng error");
    png_longjmp(png, 1);
}

static inline void srpng_on_warning(png_structp png, png_const_charp text) {
    (void)png; (void)text; /* warnings (bad ancillary chunks, ...) are not fatal */
}

#endif
