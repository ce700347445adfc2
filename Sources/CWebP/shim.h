#ifndef SRCORE_CWEBP_SHIM_H
#define SRCORE_CWEBP_SHIM_H
#include <webp/decode.h>
#include <webp/encode.h>
#include <webp/mux.h>
#endif
