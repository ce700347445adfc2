#!/usr/bin/env python3
"""The straightforward peer of `srprep build`, for bench/srprep_bench.sh.

Pillow + numpy + h5py doing the same job the obvious way: every patch of every image and
transform in memory, one random permutation, one h5py write. Same layout and values as srprep
(float32 luma/255, Pillow mode-F bicubic of the whole transformed and cropped image, the grid of
docs/reference.md §11.2, chunks of 64 patches). Needs: pip install numpy pillow h5py.

usage: srprep_baseline.py --scale 2 --input DIR --output out.h5 [--patch 32] [--stride 16] [--augment 8] [--seed 1]
"""
import argparse
import os

import h5py
import numpy as np
from PIL import Image

# docs/reference.md §8.1 ids: 0 id, 1 flipud, 2 fliplr, 3 both, 4 rot90 CCW, 5 rot90 CW, 6 flipud(rot90 CCW), 7 flipud(rot90 CW)
TRANSFORMS = [
    lambda a: a,
    lambda a: np.flipud(a),
    lambda a: np.fliplr(a),
    lambda a: np.flipud(np.fliplr(a)),
    lambda a: np.rot90(a, 1),
    lambda a: np.rot90(a, -1),
    lambda a: np.flipud(np.rot90(a, 1)),
    lambda a: np.flipud(np.rot90(a, -1)),
]


def luma(path):
    img = np.asarray(Image.open(path))
    if img.ndim == 2:
        return img.astype(np.float64)
    rgb = img[..., :3].astype(np.float64)
    return 16.0 + (65.738 * rgb[..., 0] + 129.057 * rgb[..., 1] + 25.064 * rgb[..., 2]) / 256.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, required=True)
    ap.add_argument("--input", action="append", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--patch", type=int, default=32)
    ap.add_argument("--stride", type=int)
    ap.add_argument("--augment", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    s, p = a.scale, a.patch
    t = a.stride or p // 2
    files = []
    for d in a.input:
        files += [os.path.join(d, f) for f in sorted(os.listdir(d)) if not f.startswith(".")]
    lrs, hrs, origins = [], [], []
    for si, f in enumerate(files):
        y = luma(f)
        for tid in range(a.augment):
            hr = np.ascontiguousarray(TRANSFORMS[tid](y))
            h, w = hr.shape[0] // s * s, hr.shape[1] // s * s
            hr = hr[:h, :w]
            lr = np.asarray(Image.fromarray(hr).resize((w // s, h // s), Image.BICUBIC), dtype=np.float32)
            hr32 = hr.astype(np.float32)
            for py in range(0, h // s - p + 1, t):
                for px in range(0, w // s - p + 1, t):
                    lrs.append(lr[py:py + p, px:px + p] / np.float32(255))
                    hrs.append(hr32[s * py:s * py + s * p, s * px:s * px + s * p] / np.float32(255))
                    origins.append((si, tid, py, px))
    n = len(lrs)
    perm = np.random.default_rng(a.seed).permutation(n)
    lr = np.stack(lrs)[perm][:, None]
    hr = np.stack(hrs)[perm][:, None]
    origin = np.asarray(origins, dtype=np.int32)[perm]
    del lrs, hrs
    with h5py.File(a.output, "w") as f:
        f.attrs["format"] = "srcore.patches"
        f.attrs["scale"] = s
        f.create_dataset("lr", data=lr, chunks=(min(64, n), 1, p, p))
        f.create_dataset("hr", data=hr, chunks=(min(64, n), 1, s * p, s * p))
        f.create_dataset("origin", data=origin)
        f.create_dataset("sources", data=np.array(files, dtype=h5py.string_dtype()))
    print(f"baseline wrote {a.output}: {n} patches")


if __name__ == "__main__":
    main()
