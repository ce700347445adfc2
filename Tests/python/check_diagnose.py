#!/usr/bin/env python3
"""Checks `sr diagnose` (docs/lab.md, "Diagnose") against independent recomputations:

1. the activation statistics of --json are recomputed with numpy from the raw tensors that
   --dump-activations writes (min, max, mean, std, fraction negative, dead channels); two CNN1
   channels made constant by hand (zero kernel, a bias) are reported dead; and the dumped
   inputs against numpy/Pillow (HR luma by the BT.601 formula, Pillow's float bicubic LR and upscale,
   output = R-CNN1 + bicubic);
2. every error-map PNG pixel equals the documented hot ramp of |clip(SR) - HR| / scale_max;
3. on a patch set built by srprep where one HR patch is replaced by noise, that patch ranks first,
   its origin/file/transform/position match /origin and /sources read with h5py, and its contact
   sheet tiles hold its HR patch and Pillow's bicubic upscale of its LR patch; a NaN LR sample ranks
   its patch first with loss inf;
4. a model trained with --activation relu has no negative values in its activated layers;
5. bad invocations exit non-zero naming the problem.

usage: python3 Tests/python/check_diagnose.py [path/to/bin]   (default: .build/debug; needs sr and srprep)
"""
import json, os, re, subprocess, sys, tempfile
import numpy as np
import h5py
from PIL import Image

bindir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")
sr, srprep = os.path.join(bindir, "sr"), os.path.join(bindir, "srprep")
tmp = tempfile.mkdtemp(prefix="srcore-diag-")
rng = np.random.default_rng(7)
imgdir = os.path.join(tmp, "img")
os.makedirs(imgdir)
for i, (h, w) in enumerate([(41, 50), (36, 44)]):   # odd sizes: the x2 crop is exercised
    y, x = np.mgrid[0:h, 0:w]
    base = 120 + 70 * np.sin(x / (3 + i)) * np.cos(y / 5) + rng.normal(0, 6, (h, w))
    rgb = base[..., None] * np.array([1.0, 0.85, 0.7]) + np.array([0, 20, 40])
    Image.fromarray(rgb.clip(0, 255).astype(np.uint8)).save(os.path.join(imgdir, f"im{i}.png"))


def run(*args, ok=True):
    r = subprocess.run([sr, "diagnose", *args], capture_output=True, text=True, timeout=300)
    if ok:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


# 1. statistics against numpy
out, dump, js = os.path.join(tmp, "out"), os.path.join(tmp, "dump"), os.path.join(tmp, "stats.json")
r = run("--images", imgdir, "--out", out, "--json", js, "--dump-activations", dump)
report = json.load(open(js))
manifest = json.load(open(os.path.join(dump, "manifest.json")))


def tensor(e):
    dt = np.float64 if e["file"].endswith(".f64") else np.float32
    return np.fromfile(os.path.join(dump, e["file"]), dtype=dt).reshape(e["shape"])


by = {}
for e in manifest:
    by.setdefault(e["tensor"], []).append(e)
reported = [l["name"] for l in report["layers"]]
expected = [t for t in by if t not in ("Concat2", "bicubic", "truth") and not t.endswith("/DepthToSpace")]
assert reported == expected, (reported, expected)
assert reported[0] == "CNN1" and reported[-1] == "output", reported
for layer in report["layers"]:
    vals = [tensor(e).astype(np.float64) for e in sorted(by[layer["name"]], key=lambda e: e["index"])]
    flat = np.concatenate([v.reshape(-1, v.shape[2]) for v in vals])   # (pixels, channels)
    assert layer["channels"] == flat.shape[1] and layer["count"] == flat.size, layer
    assert layer["min"] == flat.min() and layer["max"] == flat.max(), (layer, flat.min(), flat.max())
    scale = max(1.0, np.abs(flat).max())
    assert abs(layer["mean"] - flat.mean()) <= 1e-9 * scale, (layer, flat.mean())
    assert abs(layer["std"] - flat.std()) <= 1e-6 * scale, (layer, flat.std())
    assert abs(layer["fraction_negative"] - (flat < 0).mean()) <= 1e-12, layer
    dead = [c for c in range(flat.shape[1]) if (flat[:, c] <= 0).all() or flat[:, c].min() == flat[:, c].max()]
    assert layer["dead_channels"] == dead, (layer["name"], layer["dead_channels"], dead)
    assert re.search(rf"^{re.escape(layer['name'])}\s+{flat.shape[1]}\s", r.stdout, re.M), r.stdout

# 1b. a handmade dead channel: CNN1 channels 5 and 7 of the shipped model get a zero kernel and a bias of
# +2.5 / -1, so their outputs are constant (2.5, and PReLU(-1)) on every pixel: both must be reported dead
import struct
model = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Models", "dcscn-x2.safetensors")
blob = bytearray(open(model, "rb").read())
hlen = struct.unpack("<Q", blob[:8])[0]
header = json.loads(blob[8:8 + hlen])
def view(name):
    a, b = header[name]["data_offsets"]
    return np.frombuffer(blob, np.float32, (b - a) // 4, 8 + hlen + a).reshape(header[name]["shape"])
kern, bias = view("CNN1/kernel").copy(), view("CNN1/bias").copy()
kern[..., 5] = 0; kern[..., 7] = 0; bias[5] = 2.5; bias[7] = -1
for name, arr in (("CNN1/kernel", kern), ("CNN1/bias", bias)):
    a, b = header[name]["data_offsets"]
    blob[8 + hlen + a:8 + hlen + b] = arr.astype("<f4").tobytes()
hand = os.path.join(tmp, "dead.safetensors")
open(hand, "wb").write(bytes(blob))
js2 = os.path.join(tmp, "dead.json")
run("--model", hand, "--images", imgdir, "--json", js2)
cnn1 = json.load(open(js2))["layers"][0]
assert cnn1["name"] == "CNN1" and {5, 7} <= set(cnn1["dead_channels"]), cnn1
assert set(cnn1["dead_channels"]) - {5, 7} == set(report["layers"][0]["dead_channels"]), (cnn1, report["layers"][0])
assert cnn1["max"] >= 2.5, cnn1

for i, name in enumerate(sorted(os.listdir(imgdir))):
    rgb = np.asarray(Image.open(os.path.join(imgdir, name)), dtype=np.float64)
    h, w = rgb.shape[0] // 2 * 2, rgb.shape[1] // 2 * 2
    rgb = rgb[:h, :w]
    luma = rgb[..., 0] * (65.738 / 256) + rgb[..., 1] * (129.057 / 256) + rgb[..., 2] * (25.064 / 256) + 16
    ent = {e["tensor"]: e for e in manifest if e["index"] == i}
    truth = tensor(ent["truth"])[..., 0]
    assert np.abs(truth - luma).max() <= 1e-9, name
    lr = Image.fromarray(luma.astype(np.float32), "F").resize((w // 2, h // 2), Image.BICUBIC)
    bic_ref = np.asarray(lr.resize((w, h), Image.BICUBIC), dtype=np.float64)
    bic = tensor(ent["bicubic"])[..., 0].astype(np.float64)
    assert np.abs(bic - bic_ref).max() <= 1e-3, (name, np.abs(bic - bic_ref).max())
    sr_out = tensor(ent["output"])[..., 0].astype(np.float64)
    recon = tensor(ent["R-CNN1"])[..., 0].astype(np.float64)
    assert np.abs(sr_out - (recon + bic)).max() <= 1e-3, name

    # 2. error map pixels = hot ramp of |clip(x) - HR| / scale_max
    info = report["images"][i]
    assert info["name"] == name and info["error_map"] == os.path.join(out, name[:-4] + "-error.png"), info
    e_sr = np.abs(np.clip(sr_out, 0, 255) - truth)
    e_bic = np.abs(np.clip(bic, 0, 255) - truth)
    top = max(1.0, e_sr.max(), e_bic.max())
    assert abs(info["scale_max"] - top) <= 1e-9 * top, (info, top)
    assert abs(info["mean_error_sr"] - e_sr.mean()) <= 1e-6 and abs(info["mean_error_bicubic"] - e_bic.mean()) <= 1e-6, info

    def ramp(e):
        t = np.minimum(1, e / top)
        return np.stack([255 * np.clip(3 * t - k, 0, 1) for k in range(3)], axis=-1)

    pic = np.asarray(Image.open(info["error_map"]).convert("RGB"), dtype=np.float64)
    assert pic.shape == (h, 2 * w + 4, 3), pic.shape
    assert (pic[:, w:w + 4] == 255).all(), "gap is not white"
    for got, e in ((pic[:, :w], e_sr), (pic[:, w + 4:], e_bic)):
        want = np.rint(ramp(e))
        diff = np.abs(got - want)
        assert diff.max() <= 1 and (diff == 0).mean() >= 0.999, (name, diff.max(), (diff == 0).mean())
    # the scale is shared: the larger map reaches white somewhere, pure black means zero error
    assert (pic == 255).all(axis=-1)[:, np.r_[0:w, w + 4:2 * w + 4]].any(), name

# 3. worst patches on a crafted set
setp = os.path.join(tmp, "set.h5")
p = subprocess.run([srprep, "build", "--scale", "2", "--input", imgdir, "--output", setp, "--patch", "8",
                    "--stride", "6", "--augment", "4"], capture_output=True, text=True, timeout=120)
assert p.returncode == 0, p.stdout + p.stderr
with h5py.File(setp, "r+") as f:
    n = f["hr"].shape[0]
    k = n // 3
    f["hr"][k] = rng.uniform(0, 1, f["hr"][k].shape).astype(np.float32)
    origin = f["origin"][k]
    sources = [s.decode() if isinstance(s, bytes) else s for s in f["sources"][()]]
    hr_k = f["hr"][k, 0].astype(np.float64)
    lr_k = f["lr"][k, 0].astype(np.float32)
out2 = os.path.join(tmp, "out2")
r = run("--data", setp, "--worst", "3", "--out", out2)
rows = [l.split() for l in r.stdout.splitlines() if re.match(r"^\d+\s+\d+\s", l)]
assert len(rows) == 3, r.stdout
rank, patch, loss, file, tid, tname, ly, lx, hpos = rows[0]
assert int(patch) == k, (k, r.stdout)
assert file == sources[origin[0]], (file, sources, origin)
names = ["identity", "flip-ud", "flip-lr", "flip-ud+lr", "rot90-ccw", "rot90-cw", "transpose", "anti-transpose"]
assert int(tid) == origin[1] and tname == names[origin[1]], (tid, tname, origin)
assert (int(ly), int(lx)) == (origin[2], origin[3]) and hpos == f"{2 * origin[2]},{2 * origin[3]}", (rows[0], origin)
losses = [float(x[2]) for x in rows]
assert losses == sorted(losses, reverse=True) and losses[0] > 3 * losses[1], losses
sheet = np.asarray(Image.open(os.path.join(out2, "worst-patches.png")), dtype=np.float64)
side, gap, tgap = 16, 6, 2
tile = lambda t: sheet[gap:gap + side, gap + t * (side + tgap):gap + t * (side + tgap) + side]
assert np.abs(tile(2) - np.rint(np.clip(hr_k * 255, 0, 255))).max() <= 1, "HR tile"
bic_k = np.asarray(Image.fromarray(lr_k * 255, "F").resize((side, side), Image.BICUBIC), dtype=np.float64)
assert np.abs(tile(0) - np.rint(np.clip(bic_k, 0, 255))).max() <= 1, "bicubic tile"
assert sheet.shape == (gap + side + gap, gap + 3 * (3 * side + 2 * tgap + gap)), sheet.shape

# 3b. a patch with a NaN sample (which sr train refuses) ranks first with loss inf, and the sheet is still written
import shutil
nanset = os.path.join(tmp, "nan.h5")
shutil.copy(setp, nanset)
with h5py.File(nanset, "r+") as f:
    j = n // 2
    row = f["lr"][j]
    row[0, 1, 1] = np.nan
    f["lr"][j] = row
out3 = os.path.join(tmp, "out3")
r = run("--data", nanset, "--worst", "2", "--out", out3)
first = next(l.split() for l in r.stdout.splitlines() if re.match(r"^1\s", l))
assert int(first[1]) == j and first[2] == "inf", r.stdout
assert os.path.exists(os.path.join(out3, "worst-patches.png"))

# 4. a ReLU model (sr train --activation relu, a few steps): the activated layers are never negative
run_dir = os.path.join(tmp, "relu")
t = subprocess.run([sr, "train", "--data", setp, "--run-dir", run_dir, "--activation", "relu", "--steps", "6", "--batch", "4",
                    "--schedule", "constant", "--lr", "0.001", "--layers", "3", "--filters", "8", "--min-filters", "4",
                    "--nin-a", "6", "--nin-b", "4", "--no-tensorboard", "--threads", "1", "--log-every", "3"],
                   capture_output=True, text=True, timeout=300)
assert t.returncode == 0, t.stdout + t.stderr
js3 = os.path.join(tmp, "relu.json")
run("--model", os.path.join(run_dir, "model.safetensors"), "--images", imgdir, "--json", js3)
for l in json.load(open(js3))["layers"]:
    if l["name"].startswith("CNN") or l["name"] in ("A1", "B1", "B2"):
        assert l["fraction_negative"] == 0 and l["min"] >= 0, l

# 5. bad invocations
r = run(ok=False)
assert r.returncode != 0 and "--images" in r.stderr, r.stderr
r = run("--images", os.path.join(tmp, "missing"), ok=False)
assert r.returncode != 0 and "missing" in r.stderr, r.stderr
p = subprocess.run([srprep, "build", "--scale", "3", "--input", imgdir, "--output", os.path.join(tmp, "x3.h5"),
                    "--patch", "6", "--augment", "1"], capture_output=True, text=True, timeout=120)
assert p.returncode == 0, p.stderr
r = run("--data", os.path.join(tmp, "x3.h5"), ok=False)
assert r.returncode != 0 and "x3.h5" in r.stderr and "x3" in r.stderr, r.stderr
r = run("--data", setp, "--json", os.path.join(tmp, "j.json"), ok=False)
assert r.returncode != 0 and not os.path.exists(os.path.join(tmp, "j.json")), r.stderr
print("check_diagnose: ok")
