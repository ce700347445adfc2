/* Kernel allocations and their test-only failure hook (srk_test.h). */
#include "alloc_internal.h"
#include "srk_test.h"
#include <stdlib.h>

/* Per thread, so a test's injected failures never reach kernels run by other threads. */
static _Thread_local int t_fail_allocs = 0;

int srk_test_fail_allocs(int n) {
    const int old = t_fail_allocs;
    t_fail_allocs = n > 0 ? n : 0;
    return old;
}

void *srk_alloc(size_t bytes) {
    if (t_fail_allocs > 0) {
        t_fail_allocs--;
        return NULL;
    }
    return malloc(bytes > 0 ? bytes : 1);
}
