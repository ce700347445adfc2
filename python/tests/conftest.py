"""Shared fixtures of the srcore package tests: the peer (`sr upscale`), test pictures, PNG files.

The peer is the `sr` binary: $SRCORE_SR, else the repository's .build/release/sr or .build/debug/sr
(when these tests run from a checkout). Tests that need it skip with a message when it is absent.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngio  # noqa: E402

import srcore  # noqa: E402  (the installed package)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _find_sr():
    env = os.environ.get("SRCORE_SR")
    if env:
        return env
    for config in ("release", "debug"):
        path = os.path.join(REPO, ".build", config, "sr")
        if os.path.isfile(path):
            return path
    return None


@pytest.fixture(scope="session")
def sr_bin():
    path = _find_sr()
    if path is None:
        pytest.skip("no sr binary: set SRCORE_SR or build it (swift build -c release --product sr)")
    return path


@pytest.fixture(scope="session")
def model():
    with srcore.Model.builtin(2) as m:
        yield m


def picture(h, w, c, dtype=np.uint8, seed=1):
    """A smooth gradient with noise and an edge: (H, W) for c == 0, else (H, W, c)."""
    rng = np.random.default_rng(seed)
    top = 65535 if dtype == np.uint16 else 255
    yy, xx = np.mgrid[0:h, 0:w]
    base = (yy * 5 + xx * 7) % 200 + np.where(xx > w // 2, 40, 0)
    shape = (h, w) if c == 0 else (h, w, c)
    planes = base if c == 0 else np.stack([np.roll(base, k * 3, axis=1) for k in range(c)], axis=2)
    noisy = planes * (top / 255.0) + rng.integers(0, 30, size=shape) * (top / 255.0)
    if c in (2, 4):  # alpha: a ramp, with fully transparent and opaque parts
        noisy[..., -1] = np.clip((xx - 3) * top / max(1, w - 6), 0, top)
    return np.clip(noisy, 0, top).astype(dtype)


def sr_upscale(sr, src, dst, *args):
    """Runs `sr upscale src -o dst --quiet ARGS` and fails the test on a non-zero exit."""
    r = subprocess.run([sr, "upscale", str(src), "-o", str(dst), "--quiet", "--force", *map(str, args)],
                       capture_output=True, text=True)
    assert r.returncode == 0, f"sr upscale failed ({r.returncode}): {r.stderr}"


def write_png(path, a):
    pngio.write(path, a)


def read_png(path):
    return pngio.read(path)
