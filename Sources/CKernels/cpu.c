/* CPU feature detection (done once, thread-safely) and ISA resolution. */
#include "ckernels.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t g_cpu_once = PTHREAD_ONCE_INIT;
static int g_has_avx2_fma = 0;   /* written once inside pthread_once, read after it */
static int g_has_avx512 = 0;     /* AVX-512F (+ AVX2, FMA), with the OS saving the zmm state */
static int g_auto_portable = 0;  /* SRCORE_KERNELS=portable: SRK_ISA_AUTO picks the portable kernels */
static int g_auto_no_avx512 = 0; /* SRCORE_KERNELS=avx2: SRK_ISA_AUTO never picks AVX-512 */

static void detect_cpu(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    g_has_avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    /* __builtin_cpu_supports("avx512f") is set only when XCR0 shows the OS saves the opmask and
       zmm registers (compiler-rt / libgcc check xgetbv). */
    g_has_avx512 = g_has_avx2_fma && __builtin_cpu_supports("avx512f");
#else
    g_has_avx2_fma = 0;
#endif
    /* For valgrind: VEX emulates every FMA lane with a software helper call, which makes the
       AVX2 kernels ~1000x slower than native under memcheck (docs/faults.md). */
    const char *k = getenv("SRCORE_KERNELS");
    g_auto_portable = k != NULL && strcmp(k, "portable") == 0;
    g_auto_no_avx512 = k != NULL && strcmp(k, "avx2") == 0;
}

int srk_cpu_has_avx512(void) {
    pthread_once(&g_cpu_once, detect_cpu);
    return g_has_avx512;
}

int srk_cpu_has_avx2_fma(void) {
    pthread_once(&g_cpu_once, detect_cpu);
    return g_has_avx2_fma;
}

int srk_isa_valid(int isa) {
    return isa == SRK_ISA_AUTO || isa == SRK_ISA_PORTABLE || isa == SRK_ISA_AVX2 || isa == SRK_ISA_AVX512;
}

int srk_isa_uses_avx2(int isa) {
    if (isa == SRK_ISA_PORTABLE || !srk_isa_valid(isa)) return 0;
    if (!srk_cpu_has_avx2_fma()) return 0;
    return isa != SRK_ISA_AUTO || !g_auto_portable;   /* g_auto_portable is set by the once above */
}

int srk_isa_uses_avx512(int isa) {
    if (isa != SRK_ISA_AUTO && isa != SRK_ISA_AVX512) return 0;
    if (!srk_cpu_has_avx512()) return 0;
    return isa == SRK_ISA_AVX512 || (!g_auto_portable && !g_auto_no_avx512);
}
