#!/usr/bin/env python3
"""Rewrites an srcore safetensors weights file with its subnormal float32 values (0 < |w| < 2^-126) set to
zero, header and metadata unchanged. `sr train` exports them so since 2026-12-06 (Trainer.exportedParameters)
and srcore's kernels pack them so at load, but other runtimes reading an older file pay a microcode assist per
FMA on Intel cores (docs/performance.md, "Subnormal weights").

Usage: python3 tools/flush_subnormals.py IN.safetensors OUT.safetensors   (prints how many it changed)
"""
import json, os, struct, sys, tempfile

import numpy as np


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    b = bytearray(open(src, "rb").read())
    if len(b) < 8:
        sys.exit(f"{src}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8:8 + n].decode("utf-8"))
    if header.get("__metadata__", {}).get("format") != "srcore.weights":
        sys.exit(f"{src}: not an srcore weights file")
    base, changed = 8 + n, 0
    for name, t in header.items():
        if name == "__metadata__":
            continue
        if t.get("dtype") != "F32":
            sys.exit(f"{src}: tensor {name} is {t.get('dtype')}, not F32")
        s, e = t["data_offsets"]
        a = np.frombuffer(bytes(b[base + s:base + e]), dtype="<f4").copy()
        sub = (a != 0) & (np.abs(a) < np.finfo(np.float32).tiny)
        changed += int(sub.sum())
        a[sub] = 0
        b[base + s:base + e] = a.tobytes()
    d = os.path.dirname(os.path.abspath(dst))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".flush-")
    with os.fdopen(fd, "wb") as f:
        f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, dst)
    print(f"{dst}: {changed} subnormal values set to zero")


if __name__ == "__main__":
    main()
