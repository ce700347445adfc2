#ifndef SRCORE_SRK_TEST_H
#define SRCORE_SRK_TEST_H
/* Test-only hooks of the C kernels. Not for production use. */

/* TEST ONLY: makes the next `n` kernel allocations made by the calling thread fail (n <= 0 turns
   the hook off). Kernel allocations are those of srk_run_plan (made on the calling thread, before
   any worker starts) and srk_conv_scratch_new. The count is per thread (thread-local), so tests
   running in parallel on other threads are not affected. Returns the previous count. */
int srk_test_fail_allocs(int n);

#endif
