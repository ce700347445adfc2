/* Open MPI for the command-line tools only (docs/scale-out.md): MPI_COMM_WORLD and the datatype
 * handles are macros over global symbols, which Swift cannot import, so each call the CLI layer
 * SRMPI needs is a small inline function here. libsrcore never includes this header. */
#ifndef SRCORE_CMPI_SHIM_H
#define SRCORE_CMPI_SHIM_H
#include <mpi.h>

static inline int srmpi_init(void) {
    int provided = 0;
    return MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
}
static inline int srmpi_initialized(void) { int f = 0; MPI_Initialized(&f); return f; }
static inline int srmpi_finalize(void) { return MPI_Finalize(); }
static inline int srmpi_rank(void) { int r = 0; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
static inline int srmpi_size(void) { int s = 1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
static inline int srmpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static inline int srmpi_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
static inline int srmpi_allreduce_float_sum(float *buf, int n) {
    return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}
static inline int srmpi_allreduce_double_sum(double *buf, int n) {
    return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
static inline int srmpi_bcast_float(float *buf, int n, int root) {
    return MPI_Bcast(buf, n, MPI_FLOAT, root, MPI_COMM_WORLD);
}
static inline int srmpi_bcast_bytes(void *buf, int n, int root) {
    return MPI_Bcast(buf, n, MPI_BYTE, root, MPI_COMM_WORLD);
}
static inline int srmpi_gather_bytes(const void *send, int n, void *recv, int root) {
    return MPI_Gather(send, n, MPI_BYTE, recv, n, MPI_BYTE, root, MPI_COMM_WORLD);
}
static inline int srmpi_gatherv_bytes(const void *send, int n, void *recv, const int *counts,
                                      const int *displs, int root) {
    return MPI_Gatherv(send, n, MPI_BYTE, recv, counts, displs, MPI_BYTE, root, MPI_COMM_WORLD);
}
static inline int srmpi_error_string(int code, char *out, int cap) {
    int len = 0;
    if (cap < MPI_MAX_ERROR_STRING) return 0;
    MPI_Error_string(code, out, &len);
    return len;
}
#endif
