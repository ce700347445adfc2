#!/usr/bin/env python3
"""Two models on the same image folders: mean PSNR/SSIM of each and on how many pictures the first wins.

Runs `sr eval --json` (the exact evaluation procedure, self-ensemble off) for model A and model B on
every folder, and prints per folder: A's and B's mean PSNR / SSIM, the mean PSNR difference A - B, and
the number of pictures where A's PSNR (and SSIM) is higher. Used for Models/README.md's validation
tables (set5, tools/make_lineart.py, tools/make_urban.py against the reference c-DCSCN).

    python3 tools/compare_models.py --sr .build/release/sr --scale 2 \\
        --a Models/dcscn-x2.safetensors --b cdcscn_x2.safetensors set5 lineart urban
"""
import argparse
import json
import subprocess
import sys


def evaluate(sr, model, scale, folder, threads):
    p = subprocess.run([sr, "eval", "--scale", str(scale), "--model", model, folder, "--json",
                        "--threads", str(threads)], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"sr eval {model} {folder}: exit {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sr", default=".build/release/sr")
    ap.add_argument("--scale", type=int, default=2)
    ap.add_argument("--a", required=True, help="model A (weights file, or compact / best)")
    ap.add_argument("--b", required=True, help="model B")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("folders", nargs="+")
    a = ap.parse_args()
    print(f"A = {a.a}, B = {a.b}, x{a.scale}")
    for folder in a.folders:
        ra, rb = (evaluate(a.sr, m, a.scale, folder, a.threads) for m in (a.a, a.b))
        pa = {i["name"]: i for i in ra["images"]}
        pb = {i["name"]: i for i in rb["images"]}
        names = sorted(pa)
        wins = sum(pa[n]["psnr"] > pb[n]["psnr"] for n in names)
        swins = sum(pa[n]["ssim"] > pb[n]["ssim"] for n in names)
        ma, mb = ra["mean"], rb["mean"]
        print(f"{folder:12s} A {ma['psnr']:.4f} / {ma['ssim']:.5f}  B {mb['psnr']:.4f} / {mb['ssim']:.5f}  "
              f"A-B {ma['psnr'] - mb['psnr']:+.4f} dB  A higher on {wins}/{len(names)} (PSNR), {swins}/{len(names)} (SSIM)")


if __name__ == "__main__":
    main()
