#!/usr/bin/env python3
"""onnxruntime peer for `sr bench`: the same DCSCN network built in ONNX from OUR weights file.

For each case (model x LR size) this script
  1. runs `sr bench --model FILE --size N --threads T --json --dump DIR` (our median, GFLOP/s, and
     the input/output of our first run as raw float32),
  2. builds the network in ONNX from the same srcore weights file (safetensors read with json + numpy, or
     legacy HDF5 read with h5py; layout in
     Sources/SRCore/Formats/WeightsFile.swift), runs it with onnxruntime on the same input and checks
     max |ours - onnxruntime| <= 1e-3 (0..255 scale),
  3. times onnxruntime (T intra-op threads, one warm-up, median of the same number of runs),
and prints both medians and the ratio onnxruntime / ours. Without --model it times c-DCSCN and the
default L12 F196->48 model (x2, random He weights saved by `sr bench --save-weights`; their R-CNN1 is
scaled so the residual has a trained model's magnitude, see BenchCommand.randomModel).

Needs: numpy, h5py, onnx, onnxruntime (pip install numpy h5py onnx onnxruntime).
Usage: python3 bench/onnx_peer.py --sr .build/release/sr [--model m.h5] [--size 512] [--threads 2]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import h5py
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper
except ImportError as e:  # say what is missing instead of a traceback
    sys.exit(f"onnx_peer.py needs numpy, h5py, onnx and onnxruntime: pip install numpy h5py onnx onnxruntime ({e})")


def _attr(f, name):
    v = f.attrs[name]
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray) and v.dtype.kind in "SO":
        return [x.decode() if isinstance(x, bytes) else str(x) for x in v]
    return v


def load_weights_safetensors(path):
    """Reads an srcore safetensors weights file (format_version 2.x): config in __metadata__, tensors
    <layer>/kernel (HWIO), /bias, /alpha."""
    import json, struct
    with open(path, "rb") as f:
        b = f.read()
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8:8 + n].decode("utf-8"))
    meta, data = header.pop("__metadata__", {}), b[8 + n:]
    if meta.get("format") != "srcore.weights":
        sys.exit(f"{path}: not an srcore weights file")

    def tensor(name):
        t = header.get(name)
        if t is None:
            return None
        begin, end = t["data_offsets"]
        return np.frombuffer(data[begin:end], dtype="<f4").reshape(t["shape"]).astype(np.float32)

    cfg = {k: int(meta[k]) for k in ("scale", "nin_a", "nin_b", "kernel_size")}
    cfg["feature_widths"] = json.loads(meta["feature_widths"])
    blocks = iter(json.loads(meta["upsample_blocks"]))
    roles = {"A1": "nin_a", "B1": "nin_b1", "B2": "nin_b2", "R-CNN1": "reconstruct"}
    layers = []
    for name in json.loads(meta["layer_order"]):
        role = "feature" if name.startswith("CNN") else "upsample" if name.startswith("Up-PS") else roles[name]
        layers.append({"name": name, "role": role, "block": next(blocks) if role == "upsample" else 0,
                       "kernel": tensor(name + "/kernel"), "bias": tensor(name + "/bias"), "alpha": tensor(name + "/alpha")})
    return cfg, layers


def load_weights(path):
    """Reads an srcore weights file: config attributes and per-layer tensors."""
    with open(path, "rb") as f:
        if f.read(8) != b"\x89HDF\r\n\x1a\n":
            return load_weights_safetensors(path)
    with h5py.File(path, "r") as f:
        if _attr(f, "format") != "srcore.weights":
            sys.exit(f"{path}: not an srcore weights file")
        cfg = {
            "scale": int(_attr(f, "scale")),
            "feature_widths": [int(x) for x in np.atleast_1d(_attr(f, "feature_widths"))],
            "nin_a": int(_attr(f, "nin_a")),
            "nin_b": int(_attr(f, "nin_b")),
            "kernel_size": int(_attr(f, "kernel_size")),
        }
        order = _attr(f, "layer_order")
        if isinstance(order, str):
            order = [order]
        layers = []
        for name in order:
            g = f["layers"][name]
            layers.append({
                "name": name,
                "role": _attr(g, "role"),
                "block": int(g.attrs["depth_to_space_block"]),
                "kernel": np.asarray(g["kernel"], dtype=np.float32),  # HWIO
                "bias": np.asarray(g["bias"], dtype=np.float32) if "bias" in g else None,
                "alpha": np.asarray(g["alpha"], dtype=np.float32) if "alpha" in g else None,
            })
    return cfg, layers


def build_onnx(cfg, layers):
    """The DCSCN graph (docs/reference.md §4) in NCHW: x [1,1,H,W], x2 [1,1,sH,sW] -> y [1,1,sH,sW]."""
    nodes, inits = [], []

    def conv(name, inp, layer):
        k = layer["kernel"]
        kh, kw, cin, cout = k.shape
        w = np.ascontiguousarray(k.transpose(3, 2, 0, 1))  # HWIO -> OIHW
        inits.append(numpy_helper.from_array(w, name + "_W"))
        ins = [inp, name + "_W"]
        if layer["bias"] is not None:
            inits.append(numpy_helper.from_array(layer["bias"], name + "_B"))
            ins.append(name + "_B")
        p = kh // 2
        out = name + "_conv"
        nodes.append(helper.make_node("Conv", ins, [out], kernel_shape=[kh, kw], pads=[p, p, p, p]))
        if layer["alpha"] is not None:
            inits.append(numpy_helper.from_array(layer["alpha"].reshape(-1, 1, 1), name + "_alpha"))
            nodes.append(helper.make_node("PRelu", [out, name + "_alpha"], [name + "_act"]))
            out = name + "_act"
        return out

    h = "x"
    feats = []
    a1 = b1 = cur = None
    for layer in layers:
        role, name = layer["role"], layer["name"].replace("-", "_")
        if role.startswith("feature"):
            h = conv(name, h, layer)
            feats.append(h)
        elif role == "nin_a":
            a1 = conv(name, "H_concat", layer)
        elif role == "nin_b1":
            b1 = conv(name, "H_concat", layer)
        elif role == "nin_b2":
            b2 = conv(name, b1, layer)
            nodes.append(helper.make_node("Concat", [b2, a1], ["Concat2"], axis=1))
            cur = "Concat2"
        elif role.startswith("upsample"):
            c = conv(name, cur, layer)
            nodes.append(helper.make_node("DepthToSpace", [c], [name + "_d2s"], blocksize=layer["block"], mode="DCR"))
            cur = name + "_d2s"
        elif role == "reconstruct":
            cur = conv(name, cur, layer)
        else:
            sys.exit(f"unknown layer role {role}")
        if role.startswith("feature") and len(feats) == len(cfg["feature_widths"]):
            nodes.append(helper.make_node("Concat", feats, ["H_concat"], axis=1))
    nodes.append(helper.make_node("Add", [cur, "x2"], ["y"]))
    f32 = TensorProto.FLOAT
    graph = helper.make_graph(
        nodes, "dcscn",
        [helper.make_tensor_value_info("x", f32, [1, 1, "H", "W"]),
         helper.make_tensor_value_info("x2", f32, [1, 1, "sH", "sW"])],
        [helper.make_tensor_value_info("y", f32, [1, 1, "sH", "sW"])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    return model


def run_sr(sr, args):
    r = subprocess.run([sr, "bench"] + args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"sr bench {' '.join(args)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def bench_case(sr, weights, size, threads, runs, label):
    cfg, layers = load_weights(weights)
    s = cfg["scale"]
    with tempfile.TemporaryDirectory() as d:
        args = ["--model", weights, "--size", str(size), "--threads", str(threads), "--json", "--dump", d]
        if runs:
            args += ["--runs", str(runs)]
        ours = json.loads(run_sr(sr, args))[0]
        lr = np.fromfile(os.path.join(d, "lr.f32"), dtype=np.float32).reshape(1, 1, size, size)
        bic = np.fromfile(os.path.join(d, "bicubic.f32"), dtype=np.float32).reshape(1, 1, size * s, size * s)
        out = np.fromfile(os.path.join(d, "out.f32"), dtype=np.float32).reshape(size * s, size * s)
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(build_onnx(cfg, layers).SerializeToString(), so, providers=["CPUExecutionProvider"])
    feed = {"x": lr, "x2": bic}
    t0 = time.perf_counter()
    y = sess.run(["y"], feed)[0].reshape(size * s, size * s)
    warm = time.perf_counter() - t0
    diff = float(np.max(np.abs(y - out)))
    resid = float(np.max(np.abs(out - bic.reshape(size * s, size * s))))
    n = runs or (3 if warm > 2 else 5)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        sess.run(["y"], feed)
        times.append(time.perf_counter() - t0)
    ort_med = statistics.median(times)
    ok = diff <= 1e-3
    print(f"{label:14s} x{s} {size}x{size} threads {threads}: sr {ours['median_s']:.4f} s ({ours['gflops']:.1f} GFLOP/s)"
          f"  onnxruntime {ort_med:.4f} s  ratio ort/sr {ort_med / ours['median_s']:.2f}x"
          f"  max|diff| {diff:.2e} (max|residual| {resid:.1f}) {'OK' if ok else 'MISMATCH'}", flush=True)
    return {"model": label, "lr_size": size, "scale": s, "threads": threads, "sr_median_s": ours["median_s"],
            "sr_gflops": ours["gflops"], "ort_median_s": ort_med, "ratio": ort_med / ours["median_s"],
            "max_abs_diff": diff, "match": ok}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sr", default=".build/release/sr", help="path of the sr binary (release build)")
    ap.add_argument("--model", help="srcore weights file; default: c-DCSCN and L12 with random weights")
    ap.add_argument("--size", type=int, action="append", help="LR size (repeatable); default 256 and 512")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, help="timed runs per case (default 5, or 3 when a run takes > 2 s)")
    ap.add_argument("--json", help="also write the results to this JSON file")
    a = ap.parse_args()
    if not os.access(a.sr, os.X_OK):
        sys.exit(f"{a.sr}: sr binary not found (build with: swift build -c release)")
    sizes = a.size or [256, 512]
    results = []
    with tempfile.TemporaryDirectory() as d:
        if a.model:
            models = [(os.path.basename(a.model), a.model)]
        else:
            models = []
            for name in ["c-DCSCN", "L12"]:
                path = os.path.join(d, name + ".h5")
                run_sr(a.sr, ["--builtin", name, "--size", "8", "--runs", "1", "--threads", "1", "--save-weights", path])
                models.append((name, path))
        for label, path in models:
            for n in sizes:
                results.append(bench_case(a.sr, path, n, a.threads, a.runs, label))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    if not all(r["match"] for r in results):
        sys.exit("onnxruntime output does not match sr (max abs diff > 1e-3)")


if __name__ == "__main__":
    main()
