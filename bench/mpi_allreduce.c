/* Allreduce latency and bandwidth of the MPI in use, float sums in place as `mpirun -np N sr train`
 * does once per step (docs/scale-out.md). Prints one line per message size: bytes, median
 * microseconds per allreduce, and the algorithm bandwidth bytes/time.
 *
 *   mpicc -O2 -o .build/mpi_allreduce bench/mpi_allreduce.c
 *   mpirun -np 2 --oversubscribe --bind-to none --mca btl self,vader .build/mpi_allreduce
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int counts[] = {1, 256, 4096, 27209, 65536, 262144, 1048576};
    enum { REPS = 200 };
    double t[REPS];
    if (rank == 0) printf("ranks %d\n%10s %12s %12s\n", size, "bytes", "median_us", "MB/s");
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        int n = counts[c];
        float *buf = malloc(sizeof(float) * (size_t)n);
        for (int i = 0; i < n; i++) buf[i] = 1.0f;
        for (int r = 0; r < 10; r++) MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        for (int r = 0; r < REPS; r++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            t[r] = MPI_Wtime() - t0;
        }
        qsort(t, REPS, sizeof t[0], cmp);
        double med = t[REPS / 2];
        if (rank == 0) printf("%10zu %12.1f %12.1f\n", sizeof(float) * (size_t)n, med * 1e6, sizeof(float) * n / med / 1e6);
        free(buf);
    }
    MPI_Finalize();
    return 0;
}
