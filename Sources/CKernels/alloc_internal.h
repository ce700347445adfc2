/* Private to the kernels: the one allocation function of CKernels (see srk_test.h for its test hook). */
#ifndef SRCORE_ALLOC_INTERNAL_H
#define SRCORE_ALLOC_INTERNAL_H
#include <stddef.h>

/* malloc(bytes), or NULL when it fails or when the calling thread's srk_test_fail_allocs count is
   positive (the count is then decremented). Free with free(). */
void *srk_alloc(size_t bytes);

#endif
