#!/usr/bin/env bash
# srprep build vs. the straightforward Python peer (bench/srprep_baseline.py), same job, same run:
# DATA (default ../shared/data/train/yang91) at x2 with 8x augmentation, 32x32 LR patches, stride 16.
# Reports wall time and peak RSS (GNU time -v) of both, medians over RUNS runs (default 3, alternating),
# the ratio, and checks that both files hold the same patches (same values for the same origin).
# Needs: swift, GNU time (installed with apt-get if missing), python3 with numpy, pillow, h5py
# (installed with pip if missing). Usage: bench/srprep_bench.sh   (or: make bench-srprep)
# Environment: DATA, RUNS, OUT (work folder), SWIFT, SCRATCH (a --scratch-path for the build).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data/train/yang91}
RUNS=${RUNS:-3}
OUT=${OUT:-$(mktemp -d -t srprep-bench.XXXXXX)}
SWIFT=${SWIFT:-swift}
mkdir -p "$OUT"
[ -d "$DATA" ] || { echo "no data folder $DATA (set DATA=...)" >&2; exit 2; }

if [ ! -x /usr/bin/time ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time
fi
python3 -c "import numpy, PIL, h5py" 2>/dev/null || python3 -m pip install -q numpy pillow h5py

echo "building srprep (release)..." >&2
SCRATCH_ARGS=(); [ -n "${SCRATCH:-}" ] && SCRATCH_ARGS=(--scratch-path "$SCRATCH")
$SWIFT build -c release "${SCRATCH_ARGS[@]}" --product srprep >&2
BIN="$($SWIFT build -c release "${SCRATCH_ARGS[@]}" --show-bin-path)/srprep"

calc() { awk "BEGIN {print $1}"; }

# run NAME CMD...: appends "wall_s rss_kb" of one run to $OUT/NAME.txt
run() {
  local name=$1; shift
  rm -f "$OUT"/*.h5; sync; sleep 1
  /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.log" 2>&1
  local wall rss cpu
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$OUT/$name.time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$OUT/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/$name.time")
  echo "$wall $rss $cpu" >> "$OUT/$name.txt"
  printf '  %-8s run: %6.2f s wall  %6.2f s CPU  %7.1f MB peak RSS\n' "$name" "$wall" "$cpu" "$(calc "$rss / 1024")" >&2
}

rm -f "$OUT"/srprep.txt "$OUT"/baseline.txt
echo "data: $DATA  (x2, --augment 8, --patch 32, --stride 16); $RUNS runs each, alternating; $(nproc) CPUs" >&2
for i in $(seq "$RUNS"); do
  run srprep "$BIN" build --scale 2 --input "$DATA" --output "$OUT/srprep.h5" --patch 32 --stride 16 --augment 8 --seed 1 --quiet --force
  run baseline python3 bench/srprep_baseline.py --scale 2 --input "$DATA" --output "$OUT/baseline.h5" --patch 32 --stride 16 --augment 8 --seed 1
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
sw=$(cut -d' ' -f1 "$OUT/srprep.txt" | median); sr=$(cut -d' ' -f2 "$OUT/srprep.txt" | median)
bw=$(cut -d' ' -f1 "$OUT/baseline.txt" | median); br=$(cut -d' ' -f2 "$OUT/baseline.txt" | median)
sc=$(cut -d' ' -f3 "$OUT/srprep.txt" | median); bc=$(cut -d' ' -f3 "$OUT/baseline.txt" | median)

# the outputs of the last runs hold the same patches? (rebuild both once more, outside the timing)
"$BIN" build --scale 2 --input "$DATA" --output "$OUT/srprep.h5" --augment 8 --seed 1 --quiet --force > /dev/null
python3 bench/srprep_baseline.py --scale 2 --input "$DATA" --output "$OUT/baseline.h5" --augment 8 --seed 1 > /dev/null
same=$(python3 - "$OUT/srprep.h5" "$OUT/baseline.h5" <<'PY'
import sys, h5py, numpy as np
def load(p):
    with h5py.File(p, "r") as f:
        o = f["origin"][:]; i = np.lexsort(o.T[::-1])
        return o[i], f["lr"][:][i], f["hr"][:][i]
a, b = load(sys.argv[1]), load(sys.argv[2])
if a[0].shape != b[0].shape or not np.array_equal(a[0], b[0]):
    print("DIFFERENT patch origins")
else:
    dl = float(np.abs(a[1] - b[1]).max()) * 255
    dh = float(np.abs(a[2] - b[2]).max()) * 255
    print(f"same {len(a[0])} origins; max |diff| on the 0..255 scale: LR {dl:.2g}, HR {dh:.2g}")
PY
)
rm -f "$OUT"/*.h5

printf '\nsrprep build, %s, x2, 8x augmentation (median of %s):\n' "$DATA" "$RUNS"
printf '  srprep (Swift, %s threads) %7.2f s wall  %6.2f s CPU (user+sys)  %8.1f MB peak RSS\n' "$(nproc)" "$sw" "$sc" "$(calc "$sr / 1024")"
printf '  baseline (Python)          %7.2f s wall  %6.2f s CPU (user+sys)  %8.1f MB peak RSS\n' "$bw" "$bc" "$(calc "$br / 1024")"
printf '  speed-up %.2fx wall (%.2fx CPU), memory %.1fx less; load average %s\n' "$(calc "$bw / $sw")" "$(calc "$bc / $sc")" "$(calc "$br / $sr")" "$(cut -d' ' -f1 /proc/loadavg)"
printf '  outputs: %s\n' "$same"
