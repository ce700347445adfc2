#!/usr/bin/env python3
"""Checks `sr sweep` end to end (docs/lab.md): a 2-config x 2-seed sweep on a tiny synthetic patch set,
killed (whole process group, SIGKILL) after its first finished run and rerun: the rerun redoes no
finished run (done markers and logs untouched) and completes the rest; summary.md's mean ± std and
Welch difference are recomputed from results.csv with Python's statistics module (independent truth);
bad plans are refused with a non-zero exit naming the problem.

usage: python3 Tests/python/check_sweep.py [path/to/sr]   (default: .build/debug/sr)
"""
import csv, json, math, os, re, signal, statistics, subprocess, sys, tempfile, time
import numpy as np
import h5py
from PIL import Image

sr = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/sr")
tmp = tempfile.mkdtemp(prefix="srcore-sweep-")
rng = np.random.default_rng(1)
n, p, s = 40, 16, 2
yy, xx = np.mgrid[0:p * s, 0:p * s]
hr = np.stack([0.5 + 0.35 * np.sin(xx * rng.uniform(0.1, 0.6) + rng.uniform(0, 6)) * np.cos(yy * rng.uniform(0.1, 0.6))
               for _ in range(n)]).astype(np.float32)
lr = hr.reshape(n, p, s, p, s).mean(axis=(2, 4)).astype(np.float32)
with h5py.File(os.path.join(tmp, "p.h5"), "w") as f:
    for k, v in dict(format="srcore.patches", format_version="1.0", dtype="float32", downsample="pillow").items():
        f.attrs[k] = np.bytes_(v)
    for k, v in dict(count=n, scale=s, lr_patch=p, hr_patch=p * s, stride=p, augment=1, seed=0).items():
        f.attrs[k] = v
    f["lr"] = lr[:, None]
    f["hr"] = hr[:, None]
    f["origin"] = np.zeros((n, 4), np.int32)
val = os.path.join(tmp, "val")
os.makedirs(val)
for i in range(2):
    img = (rng.uniform(0, 1, (40, 48, 3)) * 60 + 100 + 60 * np.sin(np.mgrid[0:40, 0:48][1] / 5)[..., None]).clip(0, 255)
    Image.fromarray(img.astype(np.uint8)).save(os.path.join(val, f"img{i}.png"))

out = os.path.join(tmp, "sweep")
base = ["--data", os.path.join(tmp, "p.h5"), "--batch", "4", "--schedule", "constant", "--layers", "3", "--filters", "8",
        "--min-filters", "4", "--nin-a", "6", "--nin-b", "4", "--val", val, "--val-every", "20", "--log-every", "10",
        "--checkpoint-every", "20", "--no-tensorboard", "--threads", "1"]
cmd = [sr, "sweep", "--out", out, "--vary", "lr=0.003,0.001", "--seeds", "2", "--steps", "60", "--"] + base

# 1. start, kill the whole group once the first run is done
proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
first = os.path.join(out, "000-baseline", "seed-1")
deadline = time.time() + 300
while not os.path.exists(os.path.join(first, "done")):
    assert proc.poll() is None, "sweep ended before its first run finished"
    assert time.time() < deadline, "first run did not finish in time"
    time.sleep(0.1)
os.killpg(proc.pid, signal.SIGKILL)
proc.wait()
kept = {f: os.stat(os.path.join(first, f)).st_mtime_ns for f in ("done", "train.log", "model.safetensors")}

# 2. rerun: the finished run is kept, the rest completes
r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
assert r.returncode == 0, r.stdout + r.stderr
assert "baseline seed 1 done, kept" in r.stdout, r.stdout
assert "start baseline seed 1" not in r.stdout, r.stdout
for f, t in kept.items():
    assert os.stat(os.path.join(first, f)).st_mtime_ns == t, f"{f} of a finished run was touched"
# 3. a third run redoes nothing
r3 = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
assert r3.returncode == 0 and "start " not in r3.stdout, r3.stdout

rows = list(csv.DictReader(open(os.path.join(out, "results.csv"))))
assert sorted((x["config"], x["seed"]) for x in rows) == [("baseline", "1"), ("baseline", "2"), ("lr=0.001", "1"), ("lr=0.001", "2")], rows
for x in rows:
    assert int(x["steps"]) == 60 and int(x["parameters"]) > 0 and int(x["macs_per_pixel"]) > 0, x
    assert float(x["best_psnr"]) >= float(x["final_psnr"]), x

# 4. summary.md against a recomputation with statistics
summary = open(os.path.join(out, "summary.md")).read()
def vals(c, k): return [float(x[k]) for x in rows if x["config"] == c]
for c in ("baseline", "lr=0.001"):
    line = next(l for l in summary.splitlines() if l.startswith(f"| {c} |"))
    m = re.search(r"\| ([-\d.]+) ± ([\d.]+) \| ([-\d.]+) ± ([\d.]+) \|", line)
    ps = vals(c, "final_psnr"); ss = vals(c, "final_ssim")
    assert abs(float(m.group(1)) - statistics.mean(ps)) <= 6e-4 and abs(float(m.group(2)) - statistics.stdev(ps)) <= 6e-4, (line, ps)
    assert abs(float(m.group(3)) - statistics.mean(ss)) <= 6e-5 and abs(float(m.group(4)) - statistics.stdev(ss)) <= 6e-5, (line, ss)
line = next(l for l in summary.splitlines() if l.startswith("| lr=0.001 |"))
d, se = map(float, re.search(r"([-+][\d.]+) ± ([\d.]+)( \*)? \|$", line).groups()[:2])
a, b = vals("lr=0.001", "final_psnr"), vals("baseline", "final_psnr")
assert abs(d - (statistics.mean(a) - statistics.mean(b))) <= 1.5e-3, line
assert abs(se - math.sqrt(statistics.variance(a) / 2 + statistics.variance(b) / 2)) <= 1.5e-3, line
svg = open(os.path.join(out, "sweep.svg")).read()
assert svg.startswith("<svg") or "<svg" in svg[:200]

# 5. plan errors: non-zero exit and a message naming the problem
def refused(args, needle, plan=None):
    if plan is not None:
        path = os.path.join(tmp, "plan.json"); open(path, "w").write(plan); args = args + ["--plan", path]
    e = subprocess.run([sr, "sweep", "--out", os.path.join(tmp, "bad")] + args, capture_output=True, text=True)
    assert e.returncode != 0 and needle in e.stderr, (args, e.stderr)
refused(["--vary", "lr", "--steps", "5"], "NAME=V1,V2")
refused(["--vary", "lr=1,1", "--steps", "5"], "repeats a value")
refused(["--vary", "seed=1,2", "--steps", "5"], "cannot be varied")
refused(["--vary", "lr=1,2", "--vary", "lr=3", "--steps", "5"], "varied twice")
refused([], "unknown member", plan='{"steps": 5, "sedes": 2}')
refused([], "\"steps\" is missing", plan='{"vary": {"lr": [0.1]}}')
refused([], "must be an array", plan='{"steps": 5, "vary": {"lr": 0.1}}')
refused([], "sweep plan", plan='{"steps": 5,}')
print("sweep ok:", out)
