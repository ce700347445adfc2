#!/usr/bin/env python3
"""Checks `sr train`'s native TensorBoard event files with TensorBoard's own loader (EventAccumulator).

Makes a tiny synthetic patch set and validation folder, runs a short `sr train` (with --overfit, so it
also checks that the CLI loop learns), then loads the run folder and asserts the scalars (train loss,
learning rate, gradient norm, validation PSNR/SSIM), per-layer weight/bias/PReLU histograms, the
`--tb-histograms` gradient norms/histograms and activation histograms, and the validation image are all there and sane. Installs tensorboard with pip when it is missing.

usage: python3 Tests/python/check_tensorboard_events.py [path/to/sr]   (default: .build/debug/sr)
"""
import os, subprocess, sys, tempfile
import numpy as np

def need(mod, pkg):
    try:
        __import__(mod)
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", pkg])

need("tensorboard", "tensorboard")
need("h5py", "h5py")
need("PIL", "pillow")
import h5py
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

sr = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/sr")
tmp = tempfile.mkdtemp(prefix="srcore-tb-")
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
run = os.path.join(tmp, "run")
cmd = [sr, "train", "--data", os.path.join(tmp, "p.h5"), "--run-dir", run, "--steps", "80", "--batch", "4",
       "--schedule", "constant", "--lr", "0.003", "--layers", "3", "--filters", "8", "--min-filters", "4",
       "--nin-a", "6", "--nin-b", "4", "--val", val, "--val-every", "40", "--log-every", "10",
       "--checkpoint-every", "40", "--overfit", "40", "--tb-histograms"]
out = subprocess.run(cmd, capture_output=True, text=True)
print(out.stdout[-1500:], out.stderr[-1500:])
assert out.returncode == 0, "sr train failed"
assert "overfit 40 patches: loss" in out.stdout

acc = EventAccumulator(run, size_guidance={"scalars": 0, "histograms": 0, "images": 0})
acc.Reload()
tags = acc.Tags()
for t in ["train/loss", "train/learning_rate", "train/grad_norm", "validation/psnr", "validation/ssim",
          "validation/bicubic_psnr"]:
    assert t in tags["scalars"], (t, tags["scalars"])
    vals = [e.value for e in acc.Scalars(t)]
    assert vals and all(np.isfinite(vals)), (t, vals)
loss = [e.value for e in acc.Scalars("train/loss")]
assert [e.step for e in acc.Scalars("train/loss")] == list(range(10, 90, 10))
assert loss[-1] < loss[0], loss
assert abs(acc.Scalars("train/learning_rate")[-1].value - 0.003) < 1e-6
assert all(0 < e.value < 100 for e in acc.Scalars("validation/psnr"))
for name in ["CNN1", "CNN2", "CNN3", "A1", "B1", "B2", "Up-PS"]:
    assert f"weights/{name}/kernel" in tags["histograms"], name
    assert f"weights/{name}/bias" in tags["histograms"], name
assert "weights/CNN1/prelu" in tags["histograms"] and "weights/R-CNN1/kernel" in tags["histograms"]
h = acc.Histograms("weights/CNN1/kernel")[-1].histogram_value
assert h.num == 9 * 8 and h.min <= h.max
# --tb-histograms: per-layer gradient norms and histograms, and activation histograms over the 4 patches
# kept from the latest batch: every value of the layer's output (patches x 16 x 16 x width; the
# upsampler and R-CNN1 at HR), with the fraction of negative values as a scalar in [0, 1].
widths = {"CNN1": 8, "CNN3": 4, "A1": 6, "B1": 4, "B2": 4, "R-CNN1": 1}
for name, c in widths.items():
    assert f"gradients/{name}/kernel" in tags["histograms"], name
    assert np.isfinite(acc.Scalars(f"gradients/{name}/norm")[-1].value), name
    hs = acc.Histograms(f"activations/{name}")
    # written with the weight histograms (after step 0, when there is a batch and a gradient)
    assert [e.step for e in hs] == [e.step for e in acc.Histograms(f"weights/{name}/kernel") if e.step > 0], name
    h = hs[-1].histogram_value
    side = 32 if name == "R-CNN1" else 16
    assert h.num == 4 * side * side * c, (name, h.num)
    assert np.isfinite(h.min) and h.min <= h.max and abs(sum(h.bucket) - h.num) < 1e-6
    neg = acc.Scalars(f"activations/{name}/fraction_negative")[-1].value
    assert 0 <= neg <= 1, (name, neg)
assert "activations/Concat2" not in tags["histograms"]
assert "validation/output" in tags["images"]
im = acc.Images("validation/output")[-1]
assert (im.width, im.height) == (48, 40) and im.encoded_image_string[:4] == b"\x89PNG"
print(f"tensorboard check OK: {len(tags['scalars'])} scalar tags, {len(tags['histograms'])} histograms, "
      f"{len(acc.Images('validation/output'))} images; loss {loss[0]:.2f} -> {loss[-1]:.2f}")
