#!/usr/bin/env bash
# OpenBLAS cblas_sgemm vs srcore's own kernels on the network's GEMM-shaped work (same process, same
# run, medians). See bench/gemm_vs_kernels.c for what is measured and docs/performance-openblas.md
# for the numbers and the decision. Usage: bench/gemm_vs_kernels.sh [--reps N] [--train-only|--fwd-only]
#   [--only CNN1,...,A1,B1,B2,Up-PS,R-CNN1,L12] [--batch 20|32]
# Env: CC (default: clang, the compiler swift build uses for CKernels), CFLAGS (default: CKernels' flags
# in Package.swift, -O3 -fno-math-errno; gcc -O2 does not fully unroll
# the own kernels' register tiles,
# about 5x slower than shipped); OPENBLAS_CORETYPE is passed through to OpenBLAS.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-$(command -v clang || echo cc)}
CFLAGS=${CFLAGS:-"-O3 -fno-math-errno"}
if ! pkg-config --exists openblas 2>/dev/null; then
    echo "gemm_vs_kernels: skipped: libopenblas is not installed (pkg-config openblas not found)." >&2
    echo "  srcore itself needs it too (SRTrain links COpenBLAS); to rerun this comparison: apt-get install libopenblas-dev pkg-config" >&2
    exit 0
fi
out=${TMPDIR:-/tmp}/srcore-gemm-vs-kernels
$CC $CFLAGS -std=gnu11 -ISources/CKernels/include -ISources/CKernels $(pkg-config --cflags openblas) \
    bench/gemm_vs_kernels.c Sources/CKernels/*.c -o "$out" $(pkg-config --libs openblas) -lpthread -lm
echo "# $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), family $(grep -m1 'cpu family' /proc/cpuinfo | sed 's/.*: //') model $(grep -m1 '^model[[:space:]]' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; $($CC --version | head -1); $CFLAGS"
exec "$out" "$@"
