// Shared by the libjpeg-turbo reader (jpegread.c) and writer (jpegwrite.c): libjpeg's error_exit
// longjmps back into the calling function, which turns it into a status code and a message
// (docs/image-formats.md).
#ifndef SRJPEG_INTERNAL_H
#define SRJPEG_INTERNAL_H
#include "cimageio.h"
#include "jpegio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

#define SRJPEG_ERRLEN 256

typedef struct srjpeg_err {
    struct jpeg_error_mgr pub;  /* must be first: libjpeg hands back this pointer */
    jmp_buf jump;
    char text[SRJPEG_ERRLEN];
} srjpeg_err;

static inline void srjpeg_msg(char *msg, size_t msglen, const char *text) {
    if (msg && msglen > 0) snprintf(msg, msglen, "%s", text ? text : "unknown error");
}

/* Fatal errors: keep the first message and jump back (libjpeg's default would exit()). */
static inline void srjpeg_error_exit(j_common_ptr cinfo) {
    srjpeg_err *e = (srjpeg_err *)cinfo->err;
    if (e->text[0] == 0) {
        char buf[JMSG_LENGTH_MAX];
        memset(buf, 0, sizeof buf);
        (*cinfo->err->format_message)(cinfo, buf);
        snprintf(e->text, SRJPEG_ERRLEN, "%s", buf);
    }
    longjmp(e->jump, 1);
}

/* Warnings (level -1) about damaged data are errors: libjpeg would otherwise pad a truncated file
 * with grey. Extraneous bytes before a marker (common in camera files, harmless) and other
 * warnings stay warnings; trace messages (level >= 0) are ignored. */
static inline void srjpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    int code = cinfo->err->msg_code;
    if (code == JWRN_JPEG_EOF) {
        srjpeg_err *e = (srjpeg_err *)cinfo->err;
        if (e->text[0] == 0) snprintf(e->text, SRJPEG_ERRLEN, "premature end of JPEG data (truncated file)");
        longjmp(e->jump, 1);
    }
    if (code == JWRN_HIT_MARKER || code == JWRN_MUST_RESYNC || code == JWRN_NOT_SEQUENTIAL ||
        code == JWRN_HUFF_BAD_CODE || code == JWRN_ARITH_BAD_CODE || code == JWRN_BOGUS_PROGRESSION) {
        srjpeg_error_exit(cinfo);
    }
}

static inline void srjpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

/* `e` must be zeroed (the reader and writer are calloc'ed). */
static inline void srjpeg_install(srjpeg_err *e, struct jpeg_error_mgr **slot) {
    *slot = jpeg_std_error(&e->pub);
    e->pub.error_exit = srjpeg_error_exit;
    e->pub.emit_message = srjpeg_emit_message;
    e->pub.output_message = srjpeg_output_message;
    e->text[0] = 0;
}
#endif
