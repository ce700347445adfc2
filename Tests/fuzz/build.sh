#!/usr/bin/env bash
# Builds the libFuzzer harnesses (docs/fuzzing.md) into $FUZZ_SCRATCH/fuzz/fuzz-<harness>:
#  1. SwiftPM builds the library's targets (SRCore and below, Swift and C) in release mode with
#     coverage instrumentation and AddressSanitizer (-sanitize=fuzzer,address), in their
#     own scratch folder (.build-fuzz) so the normal builds are untouched. Only targets are built, no
#     product is linked, so libFuzzer's main() meets no other main().
#  2. swiftc compiles Tests/SRTestSupport/FuzzTargets.swift (the harness bodies, shared with the
#     tests) against those modules, then links each Tests/fuzz/<harness>/harness.swift (the
#     LLVMFuzzerTestOneInput) with the library's objects, -sanitize=fuzzer,address.
# SRCORE_FUZZING makes the PNG reader ignore chunk CRCs and Adler-32 (mutations would fail them).
# System libraries (libpng, libjpeg, libwebp, libhdf5, OpenBLAS) are not instrumented: ASan still checks srcore's
# accesses to their buffers, but coverage guidance ends at their boundary.
#   Tests/fuzz/build.sh [HARNESS...]    (default: every folder of Tests/fuzz with a harness.swift)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
SWIFT="${SWIFT:-swift}"
SCRATCH="${FUZZ_SCRATCH:-$ROOT/.build-fuzz}"
OUT="$SCRATCH/fuzz"
mkdir -p "$OUT"

# (SwiftPM's own --sanitize=fuzzer --sanitize=address hands swiftc two -sanitize= flags, of which
# only one takes effect: the Swift code came out without coverage. One comma-separated flag works.)
"$SWIFT" build -c release --scratch-path "$SCRATCH" --target SRCore \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address -Xcc -fno-omit-frame-pointer \
  -Xcc -DSRCORE_FUZZING
BIN="$("$SWIFT" build -c release --scratch-path "$SCRATCH" --show-bin-path)"

# The module search flags and the -package-name of SRCore's own compile command (so the harnesses
# see `package` symbols), and the object files of every target below it.
mapfile -t FLAGS < <(python3 - "$BIN/description.json" <<'EOF'
import json, sys
cmds = json.load(open(sys.argv[1]))["swiftCommands"]
args = next(c for k, c in cmds.items() if k.startswith("C.SRCore-"))["otherArguments"]
out, i = [], 0
while i < len(args):
    a = args[i]
    if a == "-Xcc" and i + 1 < len(args) and args[i + 1] == "-I":
        out += args[i:i + 4]; i += 4; continue          # -Xcc -I -Xcc DIR
    if a == "-Xcc" and args[i + 1].startswith("-fmodule-map-file="):
        out += args[i:i + 2]; i += 2; continue
    if a.startswith("-I/"):
        out.append(a)
    if a == "-package-name":
        out += args[i:i + 2]; i += 2; continue
    i += 1
print("\n".join(out))
EOF
)
mapfile -t OBJECTS < <(python3 - "$BIN/description.json" <<'EOF'
import json, sys
cmds = json.load(open(sys.argv[1]))["swiftCommands"]
for layer in ("SRSupport", "SRImage", "SRKernels", "SRFormats", "SRModel", "SRData", "SREval", "SRTrain", "SRCore"):
    print("\n".join(next(c for k, c in cmds.items() if k.startswith(f"C.{layer}-"))["objects"]))
EOF
)
OBJECTS+=("$BIN"/CImageIO.build/*.o "$BIN"/CKernels.build/*.o)
# shellcheck disable=SC2207
LIBS=($(pkg-config --libs libpng libjpeg libwebpmux hdf5 openblas))
SWIFTC=(swiftc -O -g -sanitize=fuzzer,address -I "$BIN/Modules" "${FLAGS[@]}")

# True when $1 is missing or older than any of the other arguments.
stale() { local t="$1"; shift; [ ! -e "$t" ] && return 0; for f in "$@"; do [ "$f" -nt "$t" ] && return 0; done; return 1; }

TARGETS=Tests/SRTestSupport/FuzzTargets.swift
if stale "$OUT/FuzzTargets.o" "$TARGETS" "${OBJECTS[@]}"; then
  echo "compiling $TARGETS"
  "${SWIFTC[@]}" -parse-as-library -module-name SRTestSupport -emit-module -emit-module-path "$OUT/SRTestSupport.swiftmodule" \
    -c "$TARGETS" -o "$OUT/FuzzTargets.o"
  touch "$OUT/FuzzTargets.o" # swiftc leaves an unchanged object's time alone
fi

if [ $# -gt 0 ]; then HARNESSES=("$@"); else
  HARNESSES=(); for d in Tests/fuzz/*/harness.swift; do HARNESSES+=("$(basename "$(dirname "$d")")"); done
fi
for h in "${HARNESSES[@]}"; do
  src="Tests/fuzz/$h/harness.swift"
  if stale "$OUT/fuzz-$h" "$src" "$OUT/FuzzTargets.o" "${OBJECTS[@]}"; then
    echo "linking $OUT/fuzz-$h"
    "${SWIFTC[@]}" -parse-as-library -module-name "Fuzz_${h//-/_}" -I "$OUT" "$src" "$OUT/FuzzTargets.o" "${OBJECTS[@]}" \
      "${LIBS[@]}" -use-ld=lld -o "$OUT/fuzz-$h"
  fi
done
echo "harnesses: $(for h in "${HARNESSES[@]}"; do printf '%s ' "$OUT/fuzz-$h"; done)"
