#!/usr/bin/env bash
# Replays every finding of a harness and says where it happened (docs/fuzzing.md):
#   Tests/fuzz/triage.sh HARNESS [FINDING...]   (default: .build-fuzz/findings/HARNESS/*)
# One line per input: kind (crash/timeout/oom/leak), the sanitizer's verdict, the first stack frame
# and whether that frame is in srcore's code or in a system library (libhdf5, libpng, ...).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SCRATCH="${FUZZ_SCRATCH:-$ROOT/.build-fuzz}"
# The Swift runtime's own crash backtracer would race ASan for the signal (and can hang waiting
# on the dead process): ASan reports.
export SWIFT_BACKTRACE=enable=no
h="${1:?usage: Tests/fuzz/triage.sh HARNESS [FINDING...]}"; shift
bin="$SCRATCH/fuzz/fuzz-$h"
if [ $# -gt 0 ]; then files=("$@"); else files=("$SCRATCH/findings/$h"/*); fi
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  out="$(timeout 60 "$bin" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=1024 "$f" 2>&1)"
  verdict="$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [A-Za-z-]+( on| param| after| allocation| \(malloc)?' <<<"$out" || true)"
  [ -n "$verdict" ] || verdict="$(grep -q 'Fatal error\|precondition' <<<"$out" && echo 'Swift trap' || echo 'does not reproduce')"
  # The first frame that is neither the sanitizer, libFuzzer nor libc.
  frame="$(grep -E '^ +#[0-9]+ ' <<<"$out" | grep -vE 'compiler-rt|llvm-project|libc\.so|__sanitizer|__asan|__lsan|malloc|calloc|realloc' | head -1)"
  where="srcore"
  case "$frame" in *libhdf5*) where="libhdf5";; *libpng*) where="libpng";; *libz.so*) where="zlib";; *openblas*) where="OpenBLAS";; "") where="?";; esac
  fn="$(sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ (in )?//' <<<"$frame" | cut -c1-90)"
  printf '%-8s %-40s %-8s %s\n' "$(basename "$f" | sed 's/-.*//')" "${verdict#ERROR: }" "$where" "$fn"
done
