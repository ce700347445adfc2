#!/usr/bin/env python3
"""safetensors interop of srcore's weights files (docs/weights.md), values compared bit for bit.

1. Python reads what srcore wrote: Models/dcscn-x2.safetensors with the `safetensors` package and with a
   stdlib + numpy reader written here from the format description; both agree exactly with each other
   and with h5py reading the HDF5 copy `sr convert` makes of it; the metadata is the documented one.
2. srcore reads what Python wrote: the same weights (shuffled into the package's own tensor order and
   with changed values), written with `safetensors.numpy.save_file` and with the stdlib writer, are
   converted back by `sr convert` and read again: every float equal. Unchanged weights written by Python
   upscale a picture to the same bytes as the shipped file. A NaN or an extra tensor is refused.

Without the `safetensors` package (pip install safetensors) the package half is skipped with a message.
usage: python3 Tests/python/check_safetensors_interop.py [path/to/sr]   (default: .build/debug/sr)
"""
import json, os, struct, subprocess, sys, tempfile
import numpy as np
import h5py

try:
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file
except ImportError:
    safe_open = None
    print("SKIPPED (package half): the safetensors package is not installed (pip install safetensors)")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SR = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/sr")
MODEL = os.path.join(ROOT, "Models", "dcscn-x2.safetensors")
tmp = tempfile.mkdtemp(prefix="srcore-st-")


def sr(*args, ok=True):
    r = subprocess.run([SR, *args], capture_output=True, text=True)
    if ok and r.returncode != 0:
        sys.exit(f"sr {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r


def read_plain(path):
    """A stdlib + numpy safetensors reader: u64 header length, JSON header, contiguous little-endian data."""
    with open(path, "rb") as f:
        b = f.read()
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = b[8 + n:]
    out, end = {}, 0
    for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, stop = t["data_offsets"]
        assert begin == end and t["dtype"] == "F32", (name, t)
        a = np.frombuffer(data[begin:stop], dtype="<f4").reshape(t["shape"])
        assert a.size * 4 == stop - begin
        out[name], end = a, stop
    assert end == len(data)
    return out, meta


def write_plain(path, tensors, meta):
    """A stdlib + numpy writer with a differently formatted header (spaces, newlines, no padding)."""
    header, offset, blobs = {"__metadata__": meta}, 0, []
    for name in sorted(tensors, reverse=True):
        raw = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"shape": list(tensors[name].shape), "dtype": "F32", "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, indent=1, ensure_ascii=True).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_h5(path):
    with h5py.File(path, "r") as f:
        t = {f"{layer}/{ds}": np.asarray(f["layers"][layer][ds]) for layer in f["layers"] for ds in f["layers"][layer]}
        prov = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in f["provenance"].attrs.items()}
    return t, prov


def same(a, b, what):
    assert a.keys() == b.keys(), (what, sorted(set(a) ^ set(b)))
    for k in a:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        assert x.dtype == y.dtype == np.float32 and x.shape == y.shape, (what, k, x.dtype, y.dtype, x.shape, y.shape)
        assert x.tobytes() == y.tobytes(), (what, k)


# 1. srcore -> Python
plain, meta = read_plain(MODEL)
assert meta["format"] == "srcore.weights" and meta["format_version"] == "2.0" and meta["arch"] == "dcscn"
assert json.loads(meta["feature_widths"]) == [32, 26, 22, 18, 14, 11, 8] and meta["scale"] == "2"
order = json.loads(meta["layer_order"])
assert order[0] == "CNN1" and order[-1] == "R-CNN1" and "CNN1/kernel" in plain and plain["CNN1/kernel"].shape == (3, 3, 1, 32)
assert sum(a.size for a in plain.values()) == int(meta["parameter_count"]) == 27209
sr("convert", MODEL, "-o", os.path.join(tmp, "x2.h5"))
h5, prov = read_h5(os.path.join(tmp, "x2.h5"))
same(plain, h5, "srcore safetensors vs its HDF5 copy (h5py)")
assert prov == {k[len("provenance/"):]: v for k, v in meta.items() if k.startswith("provenance/")}
if safe_open:
    same(load_file(MODEL), plain, "safetensors package vs the plain reader")
    with safe_open(MODEL, "np") as f:
        assert f.metadata() == meta and sorted(f.keys()) == sorted(plain)

# 2. Python -> srcore
rng = np.random.default_rng(7)
changed = {k: (v * np.float32(0.5) + rng.standard_normal(v.shape).astype(np.float32) * np.float32(1e-3)).astype(np.float32)
           for k, v in plain.items()}
meta2 = dict(meta, **{"provenance/source": "check_safetensors_interop.py", "provenance/note": "ünïcode \"quoted\"\n"})
writers = [("plain", write_plain)]
if safe_open:
    writers.append(("package", lambda p, t, m: save_file(t, p, metadata=m)))
for label, write in writers:
    py = os.path.join(tmp, f"{label}.safetensors")
    write(py, changed, meta2)
    sr("convert", py, "-o", os.path.join(tmp, f"{label}-back.h5"))
    back, prov = read_h5(os.path.join(tmp, f"{label}-back.h5"))
    same(back, changed, f"{label}-written file read by srcore (via its HDF5 copy)")
    assert prov["source"] == "check_safetensors_interop.py" and prov["note"] == meta2["provenance/note"], prov
    sr("convert", py, "-o", os.path.join(tmp, f"{label}-back.safetensors"))
    again, meta3 = read_plain(os.path.join(tmp, f"{label}-back.safetensors"))
    same(again, changed, f"{label}-written file rewritten by srcore")
    assert meta3 == meta2

# unchanged weights written by Python upscale exactly like the shipped file
write = writers[-1][1]
write(os.path.join(tmp, "same.safetensors"), plain, meta)
sr("sample", "-o", os.path.join(tmp, "in.png"), "--width", "40", "--height", "30")
for name, model in [("a", MODEL), ("b", os.path.join(tmp, "same.safetensors"))]:
    sr("upscale", os.path.join(tmp, "in.png"), "-o", os.path.join(tmp, f"{name}.png"), "--model", model)
with open(os.path.join(tmp, "a.png"), "rb") as fa, open(os.path.join(tmp, "b.png"), "rb") as fb:
    assert fa.read() == fb.read(), "the Python-written copy upscales differently"

# refused: a NaN (named), an extra tensor, an HDF5 signature where only the layout matters
bad = dict(plain)
bad["B2/bias"] = plain["B2/bias"].copy()
bad["B2/bias"][3] = np.nan
write(os.path.join(tmp, "nan.safetensors"), bad, meta)
r = sr("convert", os.path.join(tmp, "nan.safetensors"), "-o", os.path.join(tmp, "nan.h5"), ok=False)
assert r.returncode != 0 and "B2/bias" in r.stderr, r.stderr
extra = dict(plain, **{"B2/extra": np.zeros(3, np.float32)})
write(os.path.join(tmp, "extra.safetensors"), extra, meta)
r = sr("convert", os.path.join(tmp, "extra.safetensors"), "-o", os.path.join(tmp, "extra.h5"), ok=False)
assert r.returncode != 0 and "B2/extra" in r.stderr, r.stderr
print(f"safetensors interop OK: {len(plain)} tensors read exactly by {'the package, ' if safe_open else ''}"
      f"a plain reader and h5py; {len(writers)} Python writers ({', '.join(w for w, _ in writers)}) read exactly by srcore")
