#ifndef SRCORE_CPNG_SHIM_H
#define SRCORE_CPNG_SHIM_H
#include <png.h>
#endif
