#ifndef SRCORE_SRK_STATUS_H
#define SRCORE_SRK_STATUS_H
/* Status codes of the CKernels entry points that can fail. Kernels that can fail write nothing
   (or leave their output unspecified, as documented per function) and return one of these; callers
   must check it (srcore's Swift callers turn it into an SRError). */

/* Success. */
#define SRK_OK 0
/* A kernel allocation failed (scratch tables of a plan or of a caller-owned srk_conv_scratch). */
#define SRK_ENOMEM 1
/* The arguments are inconsistent (NULL pointers, negative sizes, input parts that do not add up
   to the layer, more channels than a kernel's fixed-size tables, an unknown ISA or step kind). */
#define SRK_EINVAL 2

#endif
