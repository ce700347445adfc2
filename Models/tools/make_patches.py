# Temporary fallback patch set (srprep layout) for the trainer: yang91 + bsd200, 8 dihedral variants,
# Y (BT.601 studio), whole-image Pillow-float bicubic downscale, LR 32 stride 16, HR 64 stride 32.
import sys, os, numpy as np, h5py
from PIL import Image
scale, P, T = int(sys.argv[1]), 32, 16
out = sys.argv[2]
dirs = sys.argv[3:]
files = []
for d in dirs:
    files += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.lower().endswith(('.png', '.bmp', '.jpg'))]
def luma(a):
    if a.ndim == 2: return a.astype(np.float64)
    a = a[..., :3].astype(np.float64)
    return 16 + (65.738 * a[..., 0] + 129.057 * a[..., 1] + 25.064 * a[..., 2]) / 256
def dihedral(a, k):
    return [a, np.flipud(a), np.fliplr(a), np.flipud(np.fliplr(a)), np.rot90(a, 1), np.rot90(a, -1),
            np.flipud(np.rot90(a, 1)), np.flipud(np.rot90(a, -1))][k]
lrs, hrs, origin = [], [], []
for si, f in enumerate(files):
    img = np.asarray(Image.open(f))
    for k in range(8):
        a = np.ascontiguousarray(dihedral(img, k))
        h, w = a.shape[0] // scale * scale, a.shape[1] // scale * scale
        a = a[:h, :w]
        y = luma(a)
        lr = np.asarray(Image.fromarray(y).resize((w // scale, h // scale), Image.BICUBIC), dtype=np.float32)
        H, W = lr.shape
        if H < P or W < P: continue
        for yy in range(0, H - P + 1, T):
            for xx in range(0, W - P + 1, T):
                lrs.append(lr[yy:yy + P, xx:xx + P])
                hrs.append(y[yy * scale:(yy + P) * scale, xx * scale:(xx + P) * scale].astype(np.float32))
                origin.append((si, k, yy, xx))
N = len(lrs)
print("patches", N, file=sys.stderr)
tmp = out + ".tmp"
with h5py.File(tmp, "w") as fh:
    for k, v in dict(count=N, format="srcore.patches", format_version="1.0", scale=scale, lr_patch=P, hr_patch=P * scale,
                     stride=T, augment=8, color="y", dtype="float32", normalize="0..1", downsample="pillow",
                     seed=0, tool_version="trainer make_patches.py (temporary)").items():
        fh.attrs[k] = np.bytes_(v) if isinstance(v, str) else v
    fh.create_dataset("lr", data=(np.stack(lrs)[:, None] / 255.0).astype(np.float32), chunks=(32, 1, P, P))
    fh.create_dataset("hr", data=(np.stack(hrs)[:, None] / 255.0).astype(np.float32), chunks=(32, 1, P * scale, P * scale))
    fh.create_dataset("origin", data=np.array(origin, dtype=np.int32))
    fh.create_dataset("sources", data=np.array([os.path.basename(f) for f in files], dtype=h5py.string_dtype()))
os.rename(tmp, out)
