/* The FMA ceiling: a register-only loop of independent AVX2 (or AVX-512) FMA chains, the yardstick `sr bench`
   states every kernel figure against (docs/performance.md). SRK_FMA_PEAK_CHAINS accumulators cover
   the latency x throughput product of every AVX2 core we know (Zen 2: 5 cycles x 2 pipes = 10;
   Zen 3/4/5: 4 x 2 = 8; Intel Haswell..Alder Lake: 4-5 x 2 = 8-10), so the loop runs at the FMA pipes'
   throughput, with no loads or stores to wait on. */
#include "ckernels.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static void fma_loop_avx2(uint64_t iterations, float a, float b, float *out) {
    __m256 acc[SRK_FMA_PEAK_CHAINS];
    const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
    for (int c = 0; c < SRK_FMA_PEAK_CHAINS; c++) acc[c] = _mm256_set1_ps((float)c);
    for (uint64_t i = 0; i < iterations; i++) {
        for (int c = 0; c < SRK_FMA_PEAK_CHAINS; c++) acc[c] = _mm256_fmadd_ps(acc[c], va, vb);
    }
    for (int c = 0; c < SRK_FMA_PEAK_CHAINS; c++) out[c] = _mm256_cvtss_f32(acc[c]);
}

__attribute__((target("avx512f")))
static void fma_loop_avx512(uint64_t iterations, float a, float b, float *out) {
    __m512 acc[SRK_FMA_PEAK_CHAINS];
    const __m512 va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b);
    for (int c = 0; c < SRK_FMA_PEAK_CHAINS; c++) acc[c] = _mm512_set1_ps((float)c);
    for (uint64_t i = 0; i < iterations; i++) {
        for (int c = 0; c < SRK_FMA_PEAK_CHAINS; c++) acc[c] = _mm512_fmadd_ps(acc[c], va, vb);
    }
    for (int c = 0; c < SRK_FMA_PEAK_CHAINS; c++) out[c] = _mm512_cvtss_f32(acc[c]);
}
#endif

int srk_fma_peak_loop512(uint64_t iterations, float a, float b, float *out) {
    if (out == NULL) return SRK_EINVAL;
#if defined(__x86_64__) || defined(__i386__)
    if (srk_cpu_has_avx512()) {
        fma_loop_avx512(iterations, a, b, out);
        return SRK_OK;
    }
#endif
    (void)iterations; (void)a; (void)b;
    return SRK_EINVAL;
}

int srk_fma_peak_loop(uint64_t iterations, float a, float b, float *out) {
    if (out == NULL) return SRK_EINVAL;
#if defined(__x86_64__) || defined(__i386__)
    if (srk_cpu_has_avx2_fma()) {
        fma_loop_avx2(iterations, a, b, out);
        return SRK_OK;
    }
#endif
    (void)iterations; (void)a; (void)b;
    return SRK_EINVAL;
}
