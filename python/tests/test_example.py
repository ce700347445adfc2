"""examples/python/upscale.py: every path writes the pixels `sr upscale` writes."""
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, picture, sr_upscale

EXAMPLE = os.path.join(REPO, "examples", "python", "upscale.py")
Image = pytest.importorskip("PIL.Image")


@pytest.mark.skipif(not os.path.exists(EXAMPLE), reason="examples/python/upscale.py is not beside these tests")
@pytest.mark.parametrize("via", ["file", "pil", "numpy"])
def test_example(sr_bin, tmp_path, via):
    Image.fromarray(picture(15, 17, 3, seed=11)).save(tmp_path / "in.png")
    sr_upscale(sr_bin, tmp_path / "in.png", tmp_path / "sr.png", "--scale", 3)
    r = subprocess.run([sys.executable, EXAMPLE, str(tmp_path / "in.png"), str(tmp_path / "out.png"),
                        "--scale", "3", "--via", via], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    if via == "file":
        assert (tmp_path / "out.png").read_bytes() == (tmp_path / "sr.png").read_bytes()
    with Image.open(tmp_path / "out.png") as got, Image.open(tmp_path / "sr.png") as expect:
        assert np.array_equal(np.asarray(got), np.asarray(expect))
    r = subprocess.run([sys.executable, EXAMPLE, str(tmp_path / "missing.png"), str(tmp_path / "x.png")],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "missing.png" in r.stderr
