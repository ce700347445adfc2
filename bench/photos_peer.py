#!/usr/bin/env python3
"""`make bench-photos`: a folder of JPEG photos upscaled end to end (decode, upscale, encode) by
`sr upscale` and by the Python pipeline a user would write with the same c-DCSCN weights: Pillow
decode (+ exif_transpose), luma through onnxruntime (the network built by bench/onnx_peer.py from
OUR weights file), Pillow bicubic for the bicubic base and for Cb/Cr, Pillow JPEG encode (quality 92).
`sr upscale` runs twice, as shipped (two files in flight, --jobs default) and with --jobs 1 (one
file at a time, like the Python loop). All run as child processes over the whole folder, RUNS times interleaved; prints the median wall time
and the peak RSS (/usr/bin/time -v, else rusage) of each side by side, with the CPU.

Usage: python3 bench/photos_peer.py --sr .build/release/sr [--count 8] [--megapixels 1.4] [--runs 3]
       [--threads N] [--model Models/dcscn-x2.safetensors]
Needs: numpy, Pillow, onnx, onnxruntime (pip). Figures: docs/image-formats.md.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def make_photos(folder, count, megapixels):
    """Photo-like JPEGs (smooth colour fields, edges, noise), 4:3, with EXIF orientation 1."""
    import numpy as np
    from PIL import Image
    w = int((megapixels * 1e6 * 4 / 3) ** 0.5) // 2 * 2
    h = w * 3 // 4
    for i in range(count):
        rng = np.random.RandomState(i)
        y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
        x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
        f = rng.uniform(5, 40, 3)
        a = np.stack([128 + 100 * np.sin(x * f[0] + y * 3), 128 + 90 * np.cos(y * f[1]) * np.sin(x * 7),
                      255 * (x * 0.6 + y * 0.4) * (np.sin(x * f[2]) > 0)], -1)
        a += rng.normal(0, 5, a.shape).astype(np.float32)
        Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(os.path.join(folder, f"photo{i}.jpg"), quality=90)
    return w, h


PYTHON_PIPELINE = r'''
import os, sys
sys.path.insert(0, sys.argv[4])
import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps
from onnx_peer import build_onnx, load_weights
src, dst, weights, _, threads = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
cfg, layers = load_weights(weights)
s = cfg["scale"]
so = ort.SessionOptions()
so.intra_op_num_threads = threads
so.inter_op_num_threads = 1
sess = ort.InferenceSession(build_onnx(cfg, layers).SerializeToString(), so, providers=["CPUExecutionProvider"])
for name in sorted(os.listdir(src)):
    im = ImageOps.exif_transpose(Image.open(os.path.join(src, name))).convert("YCbCr")
    W, H = im.size
    y, cb, cr = im.split()
    yf = y.convert("F")
    bic = yf.resize((W * s, H * s), Image.BICUBIC)
    lr = np.asarray(yf, dtype=np.float32)[None, None]
    b = np.asarray(bic, dtype=np.float32)[None, None]
    out = sess.run(["y"], {"x": lr, "x2": b})[0][0, 0]
    Y = Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8), "L")
    up = Image.merge("YCbCr", (Y, cb.resize((W * s, H * s), Image.BICUBIC), cr.resize((W * s, H * s), Image.BICUBIC)))
    up.convert("RGB").save(os.path.join(dst, name), quality=92)
'''


def timed(cmd):
    """Runs cmd; returns (wall seconds, peak RSS MiB)."""
    tv = shutil.which("time") and os.path.exists("/usr/bin/time")
    t0 = time.perf_counter()
    if tv:
        p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    else:
        p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}{p.stderr[-3000:]}")
    if tv:
        kb = next(int(l.split(":")[1]) for l in p.stderr.splitlines() if "Maximum resident set size" in l)
    else:
        kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, kb / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sr", required=True)
    ap.add_argument("--model", default=os.path.join(ROOT, "Models", "dcscn-x2.safetensors"))
    ap.add_argument("--count", type=int, default=8)
    ap.add_argument("--megapixels", type=float, default=1.4)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "photos")
        os.mkdir(src)
        w, h = make_photos(src, a.count, a.megapixels)
        script = os.path.join(d, "pipeline.py")
        with open(script, "w") as f:
            f.write(PYTHON_PIPELINE)
        res = {"sr": [], "sr1": [], "python": []}
        for r in range(a.runs):
            for side in ("sr", "sr1", "python"):
                out = os.path.join(d, f"out-{side}-{r}")
                os.mkdir(out)
                if side != "python":
                    cmd = [a.sr, "upscale", src, "-o", out, "--model", a.model, "--threads", str(a.threads), "--quiet",
                           "--quality", "92"] + (["--jobs", "1"] if side == "sr1" else [])
                else:
                    cmd = [sys.executable, script, src, out, a.model, HERE, str(a.threads)]
                res[side].append(timed(cmd))
                shutil.rmtree(out)
    print(f"bench-photos: {a.count} JPEG photos {w}x{h} ({w * h / 1e6:.2f} MP) at x2, end to end, "
          f"{a.threads} threads, median of {a.runs} interleaved runs; CPU: {cpu_name()}")
    med = {k: (statistics.median(t for t, _ in v), max(m for _, m in v)) for k, v in res.items()}
    for k, label in (("sr", "sr upscale (2 files at once)"), ("sr1", "sr upscale --jobs 1"),
                     ("python", "Pillow + onnxruntime + Pillow")):
        print(f"  {label:32s} {med[k][0]:8.2f} s   peak RSS {med[k][1]:8.0f} MiB")
    for k in ("sr", "sr1"):
        print(f"  ratio python/{k}: time {med['python'][0] / med[k][0]:.2f}x, memory {med['python'][1] / med[k][1]:.2f}x")


if __name__ == "__main__":
    main()
