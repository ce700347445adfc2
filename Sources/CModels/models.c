/* The shipped weights, embedded byte for byte from Models/dcscn-x{2,3,4}.safetensors (the compact models)
   and Models/dcscn-best-x{2,3,4}.safetensors (the mid-size "best" models) (C23 #embed; clang >= 19, which
   is the compiler SwiftPM uses). A file missing at build time simply leaves that model out:
   sr_model_load_builtin then reports "no builtin model for scale N". After adding a model file to a
   tree that was already built, `make lib` touches this file so it is recompiled. */
#include "cmodels.h"

#pragma clang diagnostic ignored "-Wc23-extensions"

#if __has_embed("../../Models/dcscn-x2.safetensors")
static const unsigned char model_x2[] = {
#embed "../../Models/dcscn-x2.safetensors"
};
#define SRM_HAVE_X2 1
#endif

#if __has_embed("../../Models/dcscn-x3.safetensors")
static const unsigned char model_x3[] = {
#embed "../../Models/dcscn-x3.safetensors"
};
#define SRM_HAVE_X3 1
#endif

#if __has_embed("../../Models/dcscn-x4.safetensors")
static const unsigned char model_x4[] = {
#embed "../../Models/dcscn-x4.safetensors"
};
#define SRM_HAVE_X4 1
#endif

#if __has_embed("../../Models/dcscn-best-x2.safetensors")
static const unsigned char model_best_x2[] = {
#embed "../../Models/dcscn-best-x2.safetensors"
};
#define SRM_HAVE_BEST_X2 1
#endif

#if __has_embed("../../Models/dcscn-best-x3.safetensors")
static const unsigned char model_best_x3[] = {
#embed "../../Models/dcscn-best-x3.safetensors"
};
#define SRM_HAVE_BEST_X3 1
#endif

#if __has_embed("../../Models/dcscn-best-x4.safetensors")
static const unsigned char model_best_x4[] = {
#embed "../../Models/dcscn-best-x4.safetensors"
};
#define SRM_HAVE_BEST_X4 1
#endif

/* [family][scale - 2]: family 0 the compact models, 1 the "best" ones; NULL where not compiled in. */
typedef struct { const unsigned char *data; size_t size; } srm_blob;
#define SRM_BLOB(name) {name, sizeof name}
static const srm_blob k_models[2][3] = {
    {
#ifdef SRM_HAVE_X2
        SRM_BLOB(model_x2),
#else
        {NULL, 0},
#endif
#ifdef SRM_HAVE_X3
        SRM_BLOB(model_x3),
#else
        {NULL, 0},
#endif
#ifdef SRM_HAVE_X4
        SRM_BLOB(model_x4),
#else
        {NULL, 0},
#endif
    },
    {
#ifdef SRM_HAVE_BEST_X2
        SRM_BLOB(model_best_x2),
#else
        {NULL, 0},
#endif
#ifdef SRM_HAVE_BEST_X3
        SRM_BLOB(model_best_x3),
#else
        {NULL, 0},
#endif
#ifdef SRM_HAVE_BEST_X4
        SRM_BLOB(model_best_x4),
#else
        {NULL, 0},
#endif
    },
};

static int lookup(int family, int scale, const unsigned char **data, size_t *size) {
    const srm_blob *b = (scale >= 2 && scale <= 4) ? &k_models[family][scale - 2] : NULL;
    if (data) *data = b ? b->data : NULL;
    if (size) *size = b ? b->size : 0;
    return b != NULL && b->data != NULL;
}

int srm_builtin_model(int scale, const unsigned char **data, size_t *size) { return lookup(0, scale, data, size); }

int srm_builtin_model_best(int scale, const unsigned char **data, size_t *size) { return lookup(1, scale, data, size); }
