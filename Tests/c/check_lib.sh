#!/usr/bin/env bash
# Checks an installed libsrcore: its SONAME, that it needs only libc/libm/libstdc++/libgcc_s/libpng/libjpeg/libwebp/libwebpmux/
# libhdf5/libopenblas (no libswiftCore.so, no Foundation), and that it exports every function that
# include/srcore.h declares. Usage: check_lib.sh LIB HEADER
set -euo pipefail
LIB="$1"
HEADER="$2"
fail=0
soname="$(readelf -d "$LIB" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
echo "SONAME: $soname"
[ "$soname" = "libsrcore.so.0" ] || { echo "FAIL: SONAME is '$soname', expected libsrcore.so.0"; fail=1; }
needed="$(readelf -d "$LIB" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
echo "NEEDED: $needed"
for n in $needed; do
  case "$n" in
    libc.so.*|libm.so.*|libstdc++.so.*|libgcc_s.so.*|libpng16.so.*|libjpeg.so.*|libwebp.so.*|libwebpmux.so.*|libhdf5*.so.*|libopenblas*.so.*|ld-linux*|libdl.so.*|libpthread.so.*|librt.so.*|libutil.so.*) ;;
    *) echo "FAIL: unexpected dependency $n"; fail=1 ;;
  esac
done
if ldd "$LIB" | grep -Ei 'swift|foundation|not found'; then echo "FAIL: see ldd above"; fail=1; fi
exported="$(nm -D --defined-only "$LIB" | awk '{print $3}' | grep '^sr_' | sort)"
declared="$(grep -oE '[ *]sr_[a-z0-9_]+\(' "$HEADER" | tr -d ' *(' | sort -u)"
# (here-strings, not `echo | grep -q`: with pipefail, grep -q exiting at its first match can kill
# echo with SIGPIPE and fail the pipeline — a false "not exported" seen once in a run)
for f in $declared; do
  grep -qx "$f" <<<"$exported" || { echo "FAIL: $f is declared in srcore.h but not exported"; fail=1; }
done
echo "exports $(echo "$declared" | wc -w) sr_* functions of srcore.h"
for f in $exported; do
  grep -qx "$f" <<<"$declared" || { echo "FAIL: $f is exported but not declared in srcore.h"; fail=1; }
done
exit $fail
