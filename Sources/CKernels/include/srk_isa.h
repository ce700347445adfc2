#ifndef SRCORE_SRK_ISA_H
#define SRCORE_SRK_ISA_H
/* Kernel ISA selection, shared by the inference (srk_conv.h) and training (train_conv.h) kernels.
   `isa` arguments take SRK_ISA_AUTO (AVX2 kernels when the CPU has AVX2 and FMA), SRK_ISA_PORTABLE
   (plain C, any x86-64 / other CPU; lets tests run the portable twins on AVX2 hosts) or SRK_ISA_AVX2
   (falls back to portable when unsupported). Any other value is SRK_EINVAL. The environment
   variable SRCORE_KERNELS=portable (read once) makes SRK_ISA_AUTO pick the portable kernels: for
   valgrind, which emulates FMA instructions lane by lane. */

#define SRK_ISA_AUTO 0
#define SRK_ISA_PORTABLE 1
#define SRK_ISA_AVX2 2

/* 1 when `isa` is one of the SRK_ISA_* values. */
int srk_isa_valid(int isa);
/* 1 when `isa` resolves to the AVX2 kernels on this CPU (0 for invalid values). */
int srk_isa_uses_avx2(int isa);

#endif
