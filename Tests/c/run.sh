#!/usr/bin/env bash
# C/C++/Python host tests of libsrcore, built with cc against an installed header + library
# (`make ctest` installs into WORK/prefix first).
#   Tests/c/run.sh WORK RELEASE_BIN              the whole suite (make ctest)
#   Tests/c/run.sh WORK RELEASE_BIN tsan LIBDIR  only the ThreadSanitizer runs, against a libsrcore built
#                                                with `swift build --sanitize=thread` (make ctest-tsan)
#   Tests/c/run.sh WORK RELEASE_BIN asan LIBDIR  the C tests under AddressSanitizer + UndefinedBehaviorSanitizer,
#                                                against a libsrcore built with `--sanitize=address` and its C
#                                                targets with -fsanitize=undefined (make ctest-asan)
#   WORK         scratch folder (WORK/prefix holds the install)
#   RELEASE_BIN  folder with the `sr` CLI used as the bit-exact reference (and import-tf)
# The model: $SRCORE_TEST_MODEL, else Models/dcscn-x2.safetensors, else the reference x2 checkpoint
# imported from ../shared with `sr import-tf`. Valgrind memcheck and ThreadSanitizer/helgrind run when installed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$1"
BIN="$2"
MODE="${3:-all}"
TSAN_LIB="${4:-}"
PREFIX="$WORK/prefix"
SCRATCH="$WORK/scratch"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
SWIFT_BIN="$(dirname "$(readlink -f "$(command -v swift)")")"
pick() { for c in "$@"; do if command -v "$c" >/dev/null; then command -v "$c"; return; fi; done; echo "$1"; }
CC="${CC:-$(pick cc gcc "$SWIFT_BIN/clang")}"
CXX="${CXX:-$(pick g++ c++ "$SWIFT_BIN/clang++")}"
SRC="$ROOT/Tests/c"
step() { printf '\n== %s\n' "$*"; }

find_model() {
  MODEL="${SRCORE_TEST_MODEL:-}"
  if [ -z "$MODEL" ] && [ -f "$ROOT/Models/dcscn-x2.safetensors" ]; then MODEL="$ROOT/Models/dcscn-x2.safetensors"; fi
  REF="$ROOT/../shared/reference/dcscn-tf/dcscn_L7_F32to8_G1.20_NIN_A24_B8_PS_R1F32.ckpt"
  if [ -z "$MODEL" ] && [ -f "$REF.index" ]; then
    MODEL="$WORK/reference-x2.safetensors"
    "$BIN/sr" import-tf "$REF" -o "$MODEL" --force >/dev/null
  fi
  if [ -z "$MODEL" ]; then
    echo "SKIPPED: no model (no Models/dcscn-x2.safetensors, no ../shared reference, SRCORE_TEST_MODEL unset)"
    return 1
  fi
  echo "model: $MODEL"
}

if [ "$MODE" = tsan ]; then
  find_model || exit 0
  TSAN_CC="$SWIFT_BIN/clang"   # the compiler-rt that matches the Swift toolchain
  SWIFT_RT="$SWIFT_BIN/../lib/swift/linux"
  mkdir -p "$WORK/lib"   # the SONAME libsrcore.so.0 -> the instrumented build
  ln -sf "$TSAN_LIB/libsrcore.so" "$WORK/lib/libsrcore.so.0"
  ln -sf libsrcore.so.0 "$WORK/lib/libsrcore.so"
  for t in test_threads test_api test_api_errors; do
    "$TSAN_CC" -fsanitize=thread -std=c11 -O1 -g -Wall -Wextra -Werror -I"$ROOT/include" "$SRC/$t.c" -o "$WORK/${t}_tsan" \
      -L"$WORK/lib" -Wl,-rpath,"$WORK/lib" -lsrcore -lpng16 -lpthread -lm \
      -L"$SWIFT_RT" -Wl,-rpath,"$SWIFT_RT" -ldispatch -lBlocksRuntime
  done
  step "ThreadSanitizer: test_threads (8 threads, 2 inner workers each) with an instrumented libsrcore"
  TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$WORK/test_threads_tsan" "$MODEL" "$SCRATCH"
  step "ThreadSanitizer: test_api"
  TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$WORK/test_api_tsan" "$MODEL" "$SCRATCH"
  TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$WORK/test_api_errors_tsan" "$MODEL" "$SCRATCH"
  step "ThreadSanitizer: no data races reported"
  exit 0
fi

if [ "$MODE" = asan ]; then
  find_model || exit 0
  ASAN_CC="$SWIFT_BIN/clang"   # its compiler-rt matches the one the library was instrumented with
  SWIFT_RT="$SWIFT_BIN/../lib/swift/linux"
  mkdir -p "$WORK/lib"
  ln -sf "$TSAN_LIB/libsrcore.so" "$WORK/lib/libsrcore.so.0"
  ln -sf libsrcore.so.0 "$WORK/lib/libsrcore.so"
  for t in test_api test_api_errors test_threads test_cli; do
    "$ASAN_CC" -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -fuse-ld=lld -std=c11 -O1 -g \
      -Wall -Wextra -Werror -I"$ROOT/include" "$SRC/$t.c" -o "$WORK/${t}_asan" \
      -L"$WORK/lib" -Wl,-rpath,"$WORK/lib" -lsrcore -lpng16 -lpthread -lm \
      -L"$SWIFT_RT" -Wl,-rpath,"$SWIFT_RT" -ldispatch -lBlocksRuntime
  done
  # Leaks are valgrind's part (make ctest); LeakSanitizer would also list the Swift runtime's.
  export ASAN_OPTIONS="halt_on_error=1:exitcode=66:detect_leaks=0:strict_string_checks=1:detect_stack_use_after_return=1"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=67"
  step "AddressSanitizer + UBSan: test_api (library: Swift with ASan, C targets with ASan + UBSan)"
  "$WORK/test_api_asan" "$MODEL" "$SCRATCH"
  step "AddressSanitizer + UBSan: test_api_errors"
  "$WORK/test_api_errors_asan" "$MODEL" "$SCRATCH"
  step "AddressSanitizer + UBSan: test_threads (8 threads, 2 inner workers each)"
  "$WORK/test_threads_asan" "$MODEL" "$SCRATCH"
  step "AddressSanitizer + UBSan: test_cli (bit-exact against sr upscale)"
  SRCORE_MODELS_DIR="$ROOT/Models" "$WORK/test_cli_asan" "$MODEL" "$BIN/sr" "$SCRATCH"
  step "AddressSanitizer + UBSan: no errors reported"
  exit 0
fi

CFLAGS="-std=c11 -O1 -g -Wall -Wextra -Werror -pedantic $(pkg-config --cflags srcore)"
LIBS="$(pkg-config --libs srcore) -lpng16 -lpthread -lm"

step "library: $(readlink -f "$PREFIX/lib/libsrcore.so") ($(stat -c %s "$PREFIX/lib/libsrcore.so.0") bytes)"
"$SRC/check_lib.sh" "$PREFIX/lib/libsrcore.so.0" "$PREFIX/include/srcore.h"

step "header: C (-Wall -Wextra -Werror -pedantic, C99 and C11) and C++ (g++ -x c++)"
for std in c99 c11; do
  "$CC" -std=$std -Wall -Wextra -Werror -pedantic -fsyntax-only $(pkg-config --cflags srcore) "$SRC/test_header.c"
done
"$CXX" -x c++ -std=c++11 -Wall -Wextra -Werror -pedantic $(pkg-config --cflags srcore) "$SRC/test_header.c" \
  -o "$WORK/test_header_cxx" $(pkg-config --libs srcore)
"$WORK/test_header_cxx"

step "compile the tests and the example with \$(pkg-config --cflags --libs srcore)"
for t in test_api test_api_errors test_threads test_cli test_weights test_options; do
  "$CC" $CFLAGS "$SRC/$t.c" -o "$WORK/$t" $LIBS
done
"$CC" $CFLAGS "$SRC/test_photos.c" -o "$WORK/test_photos" $LIBS -ljpeg -lwebp -lwebpmux  # JPEG/WebP inputs (docs/image-formats.md)
"$CC" -std=c11 -Wall -Wextra -Werror "$ROOT/examples/c/upscale.c" -o "$WORK/upscale" $(pkg-config --cflags --libs srcore)

find_model || exit 0

step "test_api: loading, queries, formats, strides, tiles, ensemble"
"$WORK/test_api" "$MODEL" "$SCRATCH"

step "test_api_errors: every invalid argument, file errors, progress/cancel"
"$WORK/test_api_errors" "$MODEL" "$SCRATCH"

step "test_options: a version-0.1 sr_options is accepted; max_pixels refuses a 145-byte 26000x26000 PNG at once"
"$WORK/test_options" "$MODEL" "$SCRATCH"

step "test_weights: only safetensors loads (HDF5 refused), memory == file, byte mutations never crash"
"$BIN/sr" convert "$MODEL" -o "$SCRATCH/legacy.h5" >/dev/null
"$WORK/test_weights" "$MODEL" "$SCRATCH" "$SCRATCH/legacy.h5"

step "test_cli: sr_upscale / sr_upscale_file equal \`sr upscale\` bit for bit"
SRCORE_MODELS_DIR="$ROOT/Models" "$WORK/test_cli" "$MODEL" "$BIN/sr" "$SCRATCH"

step "test_photos: sr_upscale_file with JPEG/WebP in and out equals \`sr upscale\`; damaged JPEG/WebP refused"
"$WORK/test_photos" "$MODEL" "$BIN/sr" "$SCRATCH"

step "test_threads: 8 threads share one model"
"$WORK/test_threads" "$MODEL" "$SCRATCH"

step "example: examples/c/upscale.c"
"$WORK/upscale" "$SCRATCH/cli-rgb8.png" "$SCRATCH/example-out.png" "$MODEL"

step "python: the srcore package's tests (python/tests, from the source tree) against the installed library"
SRCORE_LIB="$PREFIX/lib/libsrcore.so.0" SRCORE_SR="$BIN/sr" PYTHONPATH="$ROOT/python/src" \
  python3 -m pytest -q -p no:cacheprovider "$ROOT/python/tests"

if command -v valgrind >/dev/null; then
  step "valgrind memcheck: test_api, test_api_errors, test_threads and test_weights (zero errors, no definite leaks)"
  VG="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --track-origins=yes -q"
  SRCORE_TEST_QUICK=1 $VG "$WORK/test_api" "$MODEL" "$SCRATCH"
  SRCORE_TEST_QUICK=1 $VG "$WORK/test_api_errors" "$MODEL" "$SCRATCH"
  $VG "$WORK/test_options" "$MODEL" "$SCRATCH" # a 40-byte host struct is never read past its end
  $VG "$WORK/test_photos" "$MODEL" "$BIN/sr" "$SCRATCH" # the JPEG/WebP readers/writers and metadata paths
  SRCORE_TEST_QUICK=1 $VG "$WORK/test_threads" "$MODEL" "$SCRATCH"
  SRCORE_TEST_QUICK=1 $VG "$WORK/test_weights" "$MODEL" "$SCRATCH" "$SCRATCH/legacy.h5"
  # The whole threaded test (3 rounds, 40x33 images), on the portable kernels: valgrind emulates each
  # FMA lane in software, which makes the AVX2 kernels ~1000x slower (over 10 min; ~70 s so).
  # Without --track-origins (twice as slow; the quick runs above have it).
  step "valgrind memcheck: the full test_threads (SRCORE_KERNELS=portable)"
  SRCORE_KERNELS=portable ${VG/--track-origins=yes /} "$WORK/test_threads" "$MODEL" "$SCRATCH"
else
  echo "SKIPPED: valgrind not installed"
fi

echo "(ThreadSanitizer needs an instrumented libsrcore: make ctest-tsan)"
step "all C host tests passed"
