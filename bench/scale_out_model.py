#!/usr/bin/env python3
"""Predicted speed-up of data-parallel `mpirun -np N sr train` (docs/scale-out.md).

    python3 bench/scale_out_model.py [--model NAME PARAMS STEP_SECONDS] ...

Model: the global batch is fixed, so each of N nodes computes 1/N of a step, then the gradients
(4 bytes per parameter) are summed with a ring allreduce, which moves 2 (N-1)/N of the buffer over
each node's link and pays 2 (N-1) message latencies:

    t(N) = t1 / N + 2 (N-1)/N * 4 P / B + 2 (N-1) * L,   speed-up = t1 / t(N)

t1 is the measured one-node step time (all cores of the node) for batch 20. The global batch must
divide by N, so N nodes use the smallest multiple of N that is at least 20 (20, 24, 64 for 2, 8, 64
nodes), t1 scaled by it, and the speed-up is the ratio of patches/s to one node at batch 20. Links: 10 Gbit/s Ethernet
(B = 1.25 GB/s, L = 25 us over TCP) and 100 Gbit/s (B = 12.5 GB/s, L = 3 us, RDMA-class); both are
assumptions, stated in docs/scale-out.md beside the loopback figures bench/mpi_allreduce.c measures.
The model ignores the per-node data loading (it scales down with N too) and compute/communication
overlap (there is none: the allreduce runs after the backward pass).
"""
import argparse

LINKS = {"10 Gbit/s": (1.25e9, 25e-6), "100 Gbit/s": (12.5e9, 3e-6)}
NODES = (2, 8, 64)
# Defaults measured on this machine (docs/scale-out.md): parameters, seconds per step of batch 20.
DEFAULT_MODELS = [("c-DCSCN", 27209, 0.075), ("DCSCN L12 F96", 0, 0.0)]


def step_time(t1, params, n, bandwidth, latency):
    if n == 1:
        return t1
    return t1 / n + 2 * (n - 1) / n * 4 * params / bandwidth + 2 * (n - 1) * latency


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", nargs=3, action="append", metavar=("NAME", "PARAMS", "STEP_SECONDS"))
    a = ap.parse_args()
    models = [(n, int(p), float(t)) for n, p, t in a.model] if a.model else [m for m in DEFAULT_MODELS if m[1] > 0]
    print(f"{'model':<18} {'params':>9} {'KB/step':>8} {'t1 ms':>7} {'link':>11} " + " ".join(f"{'x' + str(n):>7}" for n in NODES))
    for name, params, t1 in models:
        for link, (bw, lat) in LINKS.items():
            speed = []
            for n in NODES:
                b = -(-20 // n) * n
                speed.append((b / step_time(t1 * b / 20, params, n, bw, lat)) / (20 / t1))
            print(f"{name:<18} {params:>9} {4 * params / 1000:>8.1f} {t1 * 1e3:>7.1f} {link:>11} " + " ".join(f"{s:>7.2f}" for s in speed))


if __name__ == "__main__":
    main()
