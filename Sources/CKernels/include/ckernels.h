#ifndef SRCORE_CKERNELS_H
#define SRCORE_CKERNELS_H
/* srcore's hot C kernels: portable code plus AVX2/FMA variants selected at run time.
   Each concept has its own header included here. */
#include <stddef.h>
#include <stdint.h>
#include "srk_status.h"
#include "srk_test.h"
#include "train_ops.h"
#include "train_conv.h"
#include "srk_conv.h"
#include "srk_act.h"
#include "srk_fma_peak.h"

/* 1 when the CPU running this process supports AVX2 and FMA (detected once, thread-safely). */
int srk_cpu_has_avx2_fma(void);

#endif
