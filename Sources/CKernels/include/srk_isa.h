#ifndef SRCORE_SRK_ISA_H
#define SRCORE_SRK_ISA_H
/* Kernel ISA selection, shared by the inference (srk_conv.h) and training (train_conv.h) kernels.
   `isa` arguments take SRK_ISA_AUTO (the AVX-512 conv kernel when the CPU has AVX-512F, AVX2 and
   FMA; else the AVX2 kernels when it has AVX2 and FMA; else portable), SRK_ISA_PORTABLE (plain C,
   any x86-64 / other CPU; lets tests run the portable twins on AVX2 hosts), SRK_ISA_AVX2 (falls
   back to portable when unsupported) or SRK_ISA_AVX512 (the AVX-512 conv kernel, everything else as
   SRK_ISA_AVX2; falls back to AVX2, then portable). Any other value is SRK_EINVAL. Only the
   generic conv kernel (conv_avx512.c) and the training weight gradient (train_conv_avx512.c) have
   AVX-512 versions; each is bit-identical to its AVX2 twin.
   The environment variable SRCORE_KERNELS (read once) changes what SRK_ISA_AUTO picks: `portable`
   (for valgrind, which emulates FMA instructions lane by lane) or `avx2` (no AVX-512). */

#define SRK_ISA_AUTO 0
#define SRK_ISA_PORTABLE 1
#define SRK_ISA_AVX2 2
#define SRK_ISA_AVX512 3

/* 1 when `isa` is one of the SRK_ISA_* values. */
int srk_isa_valid(int isa);
/* 1 when `isa` resolves to the AVX2 kernels (or AVX-512, which includes them) on this CPU (0 for
   invalid values). */
int srk_isa_uses_avx2(int isa);
/* 1 when `isa` resolves to the AVX-512 conv kernel on this CPU (0 for invalid values). */
int srk_isa_uses_avx512(int isa);
/* 1 when the CPU (and the OS, which must save the zmm state) supports AVX-512F with AVX2 and FMA. */
int srk_cpu_has_avx512(void);

#endif
