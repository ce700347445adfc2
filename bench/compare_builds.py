#!/usr/bin/env python3
"""Times two builds of `sr` side by side, interleaved, and prints medians and the ratio B/A.

Used to measure what a build change costs (e.g. -Ounchecked -> -O):
    python3 bench/compare_builds.py --a OLD/sr --b NEW/sr [--rounds 5] [--threads 2]
Cases: the forward pass of c-DCSCN x2 at 512x512 LR and of L12 at 256x256 LR (`sr bench`, GFLOP/s), and
training steps of c-DCSCN x2 at batch 20 of 24x24 and batch 32 of 32x32 (`sr bench --train`, patches/s).
Rounds alternate A and B (A B, B A, ...) so drift in machine load hits both alike.
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
    ap.add_argument("--a", required=True, help="baseline sr binary")
    ap.add_argument("--b", required=True, help="candidate sr binary")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    samples = {"a": {}, "b": {}}
    for i in range(args.rounds):
        order = ("a", "b") if i % 2 == 0 else ("b", "a")
        for which in order:
            for k, v in measure(getattr(args, which), args.threads).items():
                samples[which].setdefault(k, []).append(v)
        print(f"round {i + 1}/{args.rounds} done", flush=True)
    cpu = {}
    for line in open("/proc/cpuinfo"):
        k, _, v = line.partition(":")
        if k.strip() in ("model name", "cpu family", "model") and k.strip() not in cpu:
            cpu[k.strip()] = v.strip()
    print(f"CPU: {cpu.get('model name')} (family {cpu.get('cpu family')}, model {cpu.get('model')}), "
          f"{args.threads} threads, {args.rounds} interleaved rounds, medians")
    print(f"| case | A | B | B/A |")
    print(f"|---|---|---|---|")
    for k in samples["a"]:
        a, b = statistics.median(samples["a"][k]), statistics.median(samples["b"][k])
        print(f"| {k} | {a:.1f} | {b:.1f} | {b / a:.3f} |")


if __name__ == "__main__":
    main()
