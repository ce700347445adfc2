#ifndef SRCORE_SRK_FMA_PEAK_H
#define SRCORE_SRK_FMA_PEAK_H
/* Register-only FMA loops (AVX2, and AVX-512 where the CPU has it): the measured ceiling that
   `sr bench` states kernel figures against, for the widest vectors the kernels use. */
#include <stdint.h>

/* Independent 8-lane accumulators of the loop (each iteration issues this many FMAs). */
#define SRK_FMA_PEAK_CHAINS 12

/* Runs `iterations` x SRK_FMA_PEAK_CHAINS fused multiply-adds acc = acc * a + b on 8 lanes, the
   chains starting at 0, 1, ..., SRK_FMA_PEAK_CHAINS - 1; writes lane 0 of each chain to
   out[0..SRK_FMA_PEAK_CHAINS-1] (so the work cannot be optimised away and can be checked).
   SRK_OK, or SRK_EINVAL when out is NULL or the CPU has no AVX2+FMA. Floating-point operations
   done: 16 x SRK_FMA_PEAK_CHAINS x iterations. */
int srk_fma_peak_loop(uint64_t iterations, float a, float b, float *out);

/* The same loop on 16-lane AVX-512 vectors: SRK_OK, or SRK_EINVAL when out is NULL or the CPU has
   no AVX-512 (srk_cpu_has_avx512). Floating-point operations done: 32 x SRK_FMA_PEAK_CHAINS x
   iterations. */
int srk_fma_peak_loop512(uint64_t iterations, float a, float b, float *out);

#endif
