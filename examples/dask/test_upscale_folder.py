"""examples/dask/upscale_folder.py on two local worker processes: outputs equal `sr upscale`'s bytes,
each worker process loads the model once, failures are reported and leave no partial file
(run by `make dasktest`; the sr binary is $SRCORE_SR, else the repository's release or debug build)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("distributed")
Image = pytest.importorskip("PIL.Image")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SCRIPT = os.path.join(HERE, "upscale_folder.py")


def _sr():
    for path in (os.environ.get("SRCORE_SR"), os.path.join(REPO, ".build", "release", "sr"),
                 os.path.join(REPO, ".build", "debug", "sr")):
        if path and os.path.isfile(path):
            return path
    pytest.skip("no sr binary: set SRCORE_SR or build it (swift build -c release --product sr)")


def _pictures(folder, n=10):
    """Gray, gray+alpha, RGB, RGBA at 8 bits and 16-bit gray, with gradients and noise."""
    os.makedirs(folder)
    rng = np.random.default_rng(5)
    for i in range(n):
        h, w = 30 + i, 40 + 2 * i
        base = np.add.outer(np.arange(h) * 4, np.arange(w) * 3) % 220
        mode = ["L", "LA", "RGB", "RGBA", "I;16"][i % 5]
        channels = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4, "I;16": 1}[mode]
        a = base[:, :, None] + rng.integers(0, 30, (h, w, channels))
        if mode == "I;16":
            Image.fromarray((a[:, :, 0] * 257).astype(np.uint16)).save(os.path.join(folder, f"img{i:02d}.png"))
        else:
            a = np.clip(a, 0, 255).astype(np.uint8)
            Image.fromarray(a[:, :, 0] if channels == 1 else a, mode).save(os.path.join(folder, f"img{i:02d}.png"))


def _run(*args):
    r = subprocess.run([sys.executable, SCRIPT, *map(str, args)], capture_output=True, text=True, timeout=300)
    return r.returncode, r.stdout, r.stderr


def _sr_upscale(src, dst, *args):
    r = subprocess.run([_sr(), "upscale", str(src), "-o", str(dst), "--quiet", *map(str, args)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def _photo_supported(tmp_path, ext):
    """True when this build of srcore reads files of this extension (JPEG, WebP): then the folder holds them too."""
    probe = tmp_path / f"probe{ext}"
    Image.fromarray(np.full((8, 8, 3), 100, np.uint8)).save(probe)
    r = subprocess.run([_sr(), "upscale", str(probe), "-o", str(tmp_path / "probe-out.png"), "--quiet"],
                       capture_output=True, text=True)
    return r.returncode == 0


def test_local_cluster_equals_sr_upscale(tmp_path):
    _pictures(tmp_path / "in")
    rng = np.random.default_rng(9)
    for i, ext in enumerate([".jpg", ".webp"]):  # photos in, and out under their own names
        if _photo_supported(tmp_path, ext):
            Image.fromarray(rng.integers(0, 255, (30, 36, 3), dtype=np.uint8)).save(tmp_path / "in" / f"photo{i}{ext}")
    _sr_upscale(tmp_path / "in", tmp_path / "sr")
    rc, out, err = _run(tmp_path / "in", "-o", tmp_path / "out", "--workers", 2, "--report", tmp_path / "r.json")
    assert rc == 0, err
    names = sorted(os.listdir(tmp_path / "in"))
    assert f"{len(names)} upscaled, 0 skipped, 0 failed on 2 workers" in out
    assert sorted(os.listdir(tmp_path / "out")) == names  # no temporary files left
    for name in names:
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "sr" / name).read_bytes(), name
    records = json.loads((tmp_path / "r.json").read_text())
    pids = {r["pid"] for r in records}
    assert len(records) == len(names) and os.getpid() not in pids
    assert len(pids) == 2 == len({r["worker"] for r in records}), "both worker processes should have taken tasks"
    for pid in pids:  # one model per worker process, loaded once, reused by every task there
        assert len({r["model"] for r in records if r["pid"] == pid}) == 1
    assert all(r["loads"] == 1 for r in records)


def test_scheduler_address_list_file_and_options(tmp_path):
    from distributed import LocalCluster
    _pictures(tmp_path / "in", n=4)
    paths = sorted(os.path.join(tmp_path / "in", n) for n in os.listdir(tmp_path / "in"))
    (tmp_path / "list.txt").write_text("# inputs\n" + "\n".join(paths) + "\n")
    _sr_upscale(tmp_path / "in", tmp_path / "sr", "--scale", 3, "--ensemble", 2, "--compression", 6)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        rc, out, err = _run("--list", tmp_path / "list.txt", "-o", tmp_path / "out", "--scheduler",
                            cluster.scheduler_address, "--scale", 3, "--ensemble", 2, "--compression", 6)
    assert rc == 0, err
    assert "4 upscaled, 0 skipped, 0 failed on 2 workers" in out
    for p in paths:
        name = os.path.basename(p)
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "sr" / name).read_bytes(), name


def test_failures_existing_outputs_and_model_file(tmp_path):
    _pictures(tmp_path / "in", n=3)
    (tmp_path / "in" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 30)
    model = os.path.join(REPO, "Models", "dcscn-x2.safetensors")
    extra = ["--model", model] if os.path.exists(model) else []
    rc, out, err = _run(tmp_path / "in", "-o", tmp_path / "out", "--workers", 2, *extra)
    assert rc == 1 and "3 upscaled, 0 skipped, 1 failed" in out
    assert "broken.png" in err
    assert sorted(os.listdir(tmp_path / "out")) == ["img00.png", "img01.png", "img02.png"]  # nothing partial
    _sr_upscale(tmp_path / "in" / "img01.png", tmp_path / "sr.png")
    assert (tmp_path / "out" / "img01.png").read_bytes() == (tmp_path / "sr.png").read_bytes()
    rc, out, err = _run(tmp_path / "in" / "img00.png", "-o", tmp_path / "out", "--workers", 1)
    assert rc == 2 and "exists" in err
    rc, out, err = _run(tmp_path / "in" / "img00.png", tmp_path / "in" / "img02.png", "-o", tmp_path / "out",
                        "--workers", 1, "--skip-existing")
    assert rc == 0 and "0 upscaled, 2 skipped, 0 failed" in out
    bad_model = tmp_path / "bad.safetensors"
    bad_model.write_bytes(b"not weights")
    rc, out, err = _run(tmp_path / "in", "-o", tmp_path / "out2", "--model", bad_model)
    assert rc == 2 and "bad.safetensors" in err and not (tmp_path / "out2").exists()
    rc, out, err = _run(tmp_path / "in", "-o", tmp_path / "out2", "--model", tmp_path / "absent.safetensors")
    assert rc == 2 and "absent.safetensors" in err and "Traceback" not in err
    rc, out, err = _run(tmp_path / "in", "-o", tmp_path / "out2", "--compression", 12)
    assert rc == 2 and "--compression" in err and not (tmp_path / "out2").exists()
