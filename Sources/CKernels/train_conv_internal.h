/* Private to the training kernels: the per-ISA weight-gradient kernels srt_conv_dw dispatches to. */
#ifndef SRCORE_TRAIN_CONV_INTERNAL_H
#define SRCORE_TRAIN_CONV_INTERNAL_H
#include "train_conv.h"

#if defined(__x86_64__) || defined(__i386__)
/* srt_conv_dw_dilated's work on AVX-512F CPUs (train_conv_avx512.c), bit-identical to the AVX2
   kernel; cpad must be a multiple of 8 and the arguments already checked. Call only where
   srk_isa_uses_avx512. */
void srt_dw_avx512(srt_view in, int cin, srt_view gz, int cpad, int n, int h, int w, int k, int d, float *gw);
#endif
#endif
