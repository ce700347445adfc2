#ifndef SRCORE_CJPEG_SHIM_H
#define SRCORE_CJPEG_SHIM_H
#include <stdio.h>
#include <jpeglib.h>
#endif
