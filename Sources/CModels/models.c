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

int srm_builtin_model_best(int scale, const unsigned char **data, size_t *size) {
    const unsigned char *d = NULL;
    size_t n = 0;
    switch (scale) {
#ifdef SRM_HAVE_BEST_X2
    case 2: d = model_best_x2; n = sizeof model_best_x2; break;
#endif
#ifdef SRM_HAVE_BEST_X3
    case 3: d = model_best_x3; n = sizeof model_best_x3; break;
#endif
#ifdef SRM_HAVE_BEST_X4
    case 4: d = model_best_x4; n = sizeof model_best_x4; break;
#endif
    default: break;
    }
    if (data) *data = d;
    if (size) *size = n;
    return d != NULL;
}

int srm_builtin_model(int scale, const unsigned char **data, size_t *size) {
    const unsigned char *d = NULL;
    size_t n = 0;
    switch (scale) {
#ifdef SRM_HAVE_X2
    case 2: d = model_x2; n = sizeof model_x2; break;
#endif
#ifdef SRM_HAVE_X3
    case 3: d = model_x3; n = sizeof model_x3; break;
#endif
#ifdef SRM_HAVE_X4
    case 4: d = model_x4; n = sizeof model_x4; break;
#endif
    default: break;
    }
    if (data) *data = d;
    if (size) *size = n;
    return d != NULL;
}
