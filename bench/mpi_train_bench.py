#!/usr/bin/env python3
"""Patches/s of `mpirun -np 2 sr train --threads 1` against `sr train --threads 2` on the shipped
recipe's network and batch (c-DCSCN x2, batch 20, LR 32x32 patches), measured side by side in
interleaved pairs; prints the medians, their ratio, the CPU and the load average (docs/scale-out.md).

    python3 bench/mpi_train_bench.py SR_BINARY SRPREP_BINARY [--pairs 5] [--steps 200]

The rate of one run is the median of its train.csv patches_per_s rows after the first tenth of
the steps (start-up and the first validation-free steps excluded). The machine may be shared: the
load average before and after is printed so that a reader can judge the figures.
"""
import argparse
import csv
import os
import statistics
import subprocess
import tempfile

MPIRUN = ["mpirun", "--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,vader",
          "--mca", "oob_tcp_if_include", "lo"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def cpu_name():
    info = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if ":" in line:
                k, v = (s.strip() for s in line.split(":", 1))
                info.setdefault(k, v)
    return f"{info.get('model name', '?')} (family {info.get('cpu family', '?')} model {info.get('model', '?')}), {os.cpu_count()} CPUs"


def rate(run_dir, steps):
    with open(os.path.join(run_dir, "train.csv")) as f:
        rows = [r for r in csv.DictReader(f) if int(r["step"]) > steps // 10]
    return statistics.median(float(r["patches_per_s"]) for r in rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sr")
    ap.add_argument("srprep")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--steps", type=int, default=200)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="mpi-bench-")
    img = os.path.join(tmp, "img")
    os.mkdir(img)
    for i in range(8):
        subprocess.run([a.sr, "sample", "-o", os.path.join(img, f"s{i}.png"), "--width", "320", "--height", "240",
                        "--seed", str(i + 1)], check=True, capture_output=True)
    data = os.path.join(tmp, "p.h5")
    subprocess.run([a.srprep, "build", "--scale", "2", "--input", img, "-o", data, "--quiet"], check=True)
    common = ["train", "--data", data, "--steps", str(a.steps), "--batch", "20", "--log-every", "10",
              "--checkpoint-every", str(a.steps), "--no-tensorboard"]
    threads, ranks = [], []
    load0 = os.getloadavg()
    for i in range(a.pairs):
        for kind in (("threads", "ranks") if i % 2 == 0 else ("ranks", "threads")):
            d = os.path.join(tmp, f"{kind}{i}")
            if kind == "threads":
                subprocess.run([a.sr, *common, "--run-dir", d, "--threads", "2"], check=True, capture_output=True, env=ENV)
                threads.append(rate(d, a.steps))
            else:
                subprocess.run([*MPIRUN, "-np", "2", a.sr, *common, "--run-dir", d, "--threads", "1"], check=True,
                               capture_output=True, env=ENV)
                ranks.append(rate(d, a.steps))
        print(f"pair {i + 1}: 1 process x 2 threads {threads[-1]:.1f} patches/s, 2 ranks x 1 thread {ranks[-1]:.1f} patches/s", flush=True)
    load1 = os.getloadavg()
    mt, mr = statistics.median(threads), statistics.median(ranks)
    print(f"CPU: {cpu_name()}")
    print(f"load average before {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, after {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    print(f"median of {a.pairs}: sr train --threads 2: {mt:.1f} patches/s; mpirun -np 2 sr train --threads 1: {mr:.1f} patches/s; ratio {mr / mt:.3f}")


if __name__ == "__main__":
    main()
