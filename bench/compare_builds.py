#!/usr/bin/env python3
"""Times builds of `sr` side by side, interleaved, and prints medians and each one's ratio to the first.

Used to measure what a build change costs (e.g. -Ounchecked -> -O):
    python3 bench/compare_builds.py NAME=OLD/sr NAME=NEW/sr [...] [--rounds 5] [--threads 2]
Cases: the forward pass of c-DCSCN x2 at 512x512 LR and of L12 at 256x256 LR (`sr bench`, GFLOP/s), and
training steps of c-DCSCN x2 at batch 20 of 24x24 and batch 32 of 32x32 (`sr bench --train`, patches/s).
Rounds rotate the order of the builds so drift in machine load hits all alike.
"""
import argparse
import json
import statistics
import subprocess


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    start = out.index("[")
    return json.loads(out[start:])


def measure(sr, threads):
    res = {}
    for model, size in (("c-DCSCN", 512), ("L12", 256)):
        r = run_json([sr, "bench", "--builtin", model, "--size", str(size), "--threads", str(threads), "--json"])
        res[f"forward {model} {size}x{size} (GFLOP/s)"] = r[0]["gflops"]
    for r in run_json([sr, "bench", "--train", "--threads", str(threads), "--json"]):
        if r["model"] == "c-DCSCN":
            res[f"train c-DCSCN batch {r['batch']} of {r['lr_patch']}x{r['lr_patch']} (patches/s)"] = r["patches_per_s"]
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builds", nargs="+", help="NAME=path/to/sr; the first is the baseline")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    builds = [b.split("=", 1) for b in args.builds]
    samples = {name: {} for name, _ in builds}
    for i in range(args.rounds):
        order = builds[i % len(builds):] + builds[:i % len(builds)]
        for name, sr in order:
            for k, v in measure(sr, args.threads).items():
                samples[name].setdefault(k, []).append(v)
        print(f"round {i + 1}/{args.rounds} done", flush=True)
    cpu = {}
    for line in open("/proc/cpuinfo"):
        k, _, v = line.partition(":")
        if k.strip() in ("model name", "cpu family", "model") and k.strip() not in cpu:
            cpu[k.strip()] = v.strip()
    print(f"CPU: {cpu.get('model name')} (family {cpu.get('cpu family')}, model {cpu.get('model')}), "
          f"{args.threads} threads, {args.rounds} interleaved rounds, medians")
    names = [n for n, _ in builds]
    print("| case | " + " | ".join(names) + " | " + " | ".join(f"{n}/{names[0]}" for n in names[1:]) + " |")
    print("|---" * (2 * len(names)) + "|")
    for k in samples[names[0]]:
        med = [statistics.median(samples[n][k]) for n in names]
        print(f"| {k} | " + " | ".join(f"{m:.1f}" for m in med) + " | "
              + " | ".join(f"{m / med[0]:.3f}" for m in med[1:]) + " |")


if __name__ == "__main__":
    main()
