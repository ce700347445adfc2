#!/usr/bin/env bash
# Runs the libFuzzer harnesses of Tests/fuzz (docs/fuzzing.md), building them first.
#   Tests/fuzz/run.sh SECONDS [HARNESS...]  fuzz each harness for SECONDS (make fuzz FUZZ_SECONDS=N)
#   Tests/fuzz/run.sh --smoke [HARNESS...]  a short, deterministic run of each (-seed=1, SMOKE_RUNS
#                                           inputs after the seeds; part of make test)
# FUZZ_NO_BUILD=1 skips the build (campaigns run side by side on binaries built once).
# A campaign starts from the committed seeds (Tests/fuzz/<h>/corpus) and regression inputs
# (Tests/fuzz/<h>/regressions), both read only, plus the corpus the harness grew in earlier runs
# (.build-fuzz/corpus/<h>). Findings (crash-*, timeout-*, oom-*, leak-*) land in
# .build-fuzz/findings/<h>/ (not artifacts/, which SwiftPM clears), the log in
# .build-fuzz/logs/<h>.log. Limits of every run: -rss_limit_mb=2048 -malloc_limit_mb=1024
# -timeout=10, unless Tests/fuzz/<h>/options (a bash fragment) changes them. Exit status 1 when a harness found anything it does not tolerate.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
SCRATCH="${FUZZ_SCRATCH:-$ROOT/.build-fuzz}"
export FUZZ_SCRATCH="$SCRATCH"
# The Swift runtime's own crash backtracer would race ASan for the signal (and can hang waiting
# on the dead process): ASan reports.
export SWIFT_BACKTRACE=enable=no

MODE=campaign
if [ "${1:-}" = "--smoke" ]; then MODE=smoke; shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then SECONDS_EACH="$1"; shift
else sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; fi
if [ $# -gt 0 ]; then HARNESSES=("$@"); else
  HARNESSES=(); for d in Tests/fuzz/*/harness.swift; do HARNESSES+=("$(basename "$(dirname "$d")")"); done
fi

mkdir -p "$SCRATCH/logs"
if [ -z "${FUZZ_NO_BUILD:-}" ] && ! Tests/fuzz/build.sh "${HARNESSES[@]}" >"$SCRATCH/logs/build.log" 2>&1; then
  grep -E 'error|warning: unre' "$SCRATCH/logs/build.log" | head -20
  echo "fuzz: building the harnesses failed (log: $SCRATCH/logs/build.log)"; exit 1
fi
status=0
for h in "${HARNESSES[@]}"; do
  # Defaults, which Tests/fuzz/<h>/options may change: extra libFuzzer flags, the number of mutated
  # inputs of a smoke run, and whether findings fail the run (TOLERATE=1: reported only).
  FLAGS=(-rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10)
  SMOKE_RUNS=4000
  TOLERATE=0
  # shellcheck disable=SC1090
  [ -f "Tests/fuzz/$h/options" ] && source "Tests/fuzz/$h/options"
  [ -f "Tests/fuzz/$h/dict" ] && FLAGS+=("-dict=Tests/fuzz/$h/dict")
  INPUTS=("Tests/fuzz/$h/corpus")
  [ -d "Tests/fuzz/$h/regressions" ] && INPUTS+=("Tests/fuzz/$h/regressions")
  if [ "$MODE" = smoke ]; then
    work="$(mktemp -d "${TMPDIR:-/tmp}/srcore-fuzz-$h-XXXXXX")"
    art="$work/artifacts"; mkdir -p "$art"
    RUN=(-seed=1 -runs="$SMOKE_RUNS" "$work")
  else
    art="$SCRATCH/findings/$h"; mkdir -p "$art" "$SCRATCH/corpus/$h"
    RUN=(-max_total_time="$SECONDS_EACH" -print_final_stats=1 "$SCRATCH/corpus/$h")
  fi
  log="$SCRATCH/logs/$h.log"
  before="$(find "$art" -type f | wc -l)"
  t0=$(date +%s)
  rc=0
  "$SCRATCH/fuzz/fuzz-$h" "${FLAGS[@]}" -artifact_prefix="$art/" "${RUN[@]}" "${INPUTS[@]}" >"$log" 2>&1 || rc=$?
  t=$(( $(date +%s) - t0 ))
  execs="$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')"
  done_runs="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)"
  execs="${done_runs:-${execs:-0}}"
  found="$(find "$art" -type f | wc -l)"
  new=$(( found - before ))
  kinds="$(find "$art" -type f -printf '%f\n' | sed 's/-.*//' | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}' | sed 's/, $//')"
  line="fuzz $h: $execs inputs in ${t}s ($(( execs / (t > 0 ? t : 1) ))/s), $new new finding(s)${kinds:+ [$kinds in $art]}"
  if [ "$rc" -ne 0 ] || [ "$new" -gt 0 ]; then
    if [ "$TOLERATE" = 1 ]; then echo "$line (tolerated: see docs/fuzzing.md)"
    else echo "$line: FAILED (exit $rc), log $log"; grep -m1 -A8 'ERROR\|==[0-9]*==' "$log" || true; status=1; fi
  else
    echo "$line"
  fi
  [ "$MODE" = smoke ] && [ "$new" -eq 0 ] && rm -rf "$work"
done
exit $status
