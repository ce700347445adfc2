"""upscale_file writes the very bytes `sr upscale` writes; bad files raise errors naming the file."""
import os
import subprocess

import numpy as np
import pytest

import srcore
from conftest import picture, sr_upscale, write_png

CASES = [(0, np.uint8), (2, np.uint8), (3, np.uint8), (4, np.uint8),
         (0, np.uint16), (2, np.uint16), (3, np.uint16), (4, np.uint16)]


@pytest.mark.parametrize("channels,dtype", CASES, ids=[f"c{c}-{np.dtype(d).name}" for c, d in CASES])
def test_file_bytes_equal_sr_upscale(sr_bin, model, tmp_path, channels, dtype):
    write_png(tmp_path / "in.png", picture(19, 24, channels, dtype, seed=channels + 10))
    sr_upscale(sr_bin, tmp_path / "in.png", tmp_path / "sr.png")
    model.upscale_file(tmp_path / "in.png", tmp_path / "py.png")
    assert (tmp_path / "py.png").read_bytes() == (tmp_path / "sr.png").read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["in.png", "py.png", "sr.png"]  # no temporary left


@pytest.mark.parametrize("args,kwargs", [(["--compression", "0"], {"compression": 0}),
                                         (["--compression", "9"], {"compression": 9}),
                                         (["--ensemble", "4"], {"ensemble": 4}),
                                         (["--scale", "3"], {"scale": 3})])
def test_options_equal_sr_upscale(sr_bin, tmp_path, args, kwargs):
    write_png(tmp_path / "in.png", picture(16, 18, 3, seed=3))
    sr_upscale(sr_bin, tmp_path / "in.png", tmp_path / "sr.png", *args)
    srcore.upscale_file(str(tmp_path / "in.png"), str(tmp_path / "py.png"), **kwargs)  # module level
    assert (tmp_path / "py.png").read_bytes() == (tmp_path / "sr.png").read_bytes()


def test_bad_files_raise_errors_naming_the_file(model, tmp_path):
    bad = tmp_path / "junk.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    with pytest.raises(srcore.FormatError) as e:
        model.upscale_file(bad, tmp_path / "out.png")
    assert str(bad) in e.value.message and e.value.code == 3
    truncated = tmp_path / "truncated.png"
    write_png(truncated, picture(30, 30, 3))
    truncated.write_bytes(truncated.read_bytes()[:-40])
    with pytest.raises(srcore.SRError, match="truncated.png"):
        model.upscale_file(truncated, tmp_path / "out.png")
    with pytest.raises(srcore.SRIOError, match="missing.png") as e:
        model.upscale_file(tmp_path / "missing.png", tmp_path / "out.png")
    assert isinstance(e.value, OSError)
    with pytest.raises(srcore.SRIOError, match="no-such-folder"):
        write_png(tmp_path / "ok.png", picture(8, 8, 3))
        model.upscale_file(tmp_path / "ok.png", tmp_path / "no-such-folder" / "out.png")
    assert not (tmp_path / "out.png").exists()
    assert sorted(os.listdir(tmp_path)) == ["junk.png", "ok.png", "truncated.png"]


def test_existing_output_and_pixel_limit(model, tmp_path):
    write_png(tmp_path / "in.png", picture(20, 20, 3))
    (tmp_path / "out.png").write_bytes(b"old")
    with pytest.raises(srcore.ExistsError):
        model.upscale_file(tmp_path / "in.png", tmp_path / "out.png", overwrite=False)
    assert (tmp_path / "out.png").read_bytes() == b"old"
    with pytest.raises(srcore.OutOfMemoryError, match="in.png"):
        model.upscale_file(tmp_path / "in.png", tmp_path / "out.png", max_pixels=399)
    assert (tmp_path / "out.png").read_bytes() == b"old"  # untouched on failure
    model.upscale_file(tmp_path / "in.png", tmp_path / "out.png", max_pixels=400)
    assert (tmp_path / "out.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_and_cancel(model, tmp_path):
    write_png(tmp_path / "in.png", picture(64, 64, 3))
    seen = []
    model.upscale_file(tmp_path / "in.png", tmp_path / "out.png", progress=seen.append, tile_size=16)
    assert seen[0] == 0 and seen[-1] == 1 and seen == sorted(seen)
    with pytest.raises(srcore.CancelledError):
        model.upscale_file(tmp_path / "in.png", tmp_path / "cancelled.png", progress=lambda f: f < 0.3, tile_size=16)
    assert not (tmp_path / "cancelled.png").exists()
    with pytest.raises(srcore.CancelledError):
        model.upscale(picture(64, 64, 3), progress=lambda f: f < 0.5, tile_size=16)

    def boom(fraction):
        if fraction > 0.2:
            raise KeyError("from the callback")
    with pytest.raises(KeyError, match="from the callback") as e:  # cancels, and comes back as itself
        model.upscale_file(tmp_path / "in.png", tmp_path / "boom.png", progress=boom, tile_size=16)
    assert isinstance(e.value.__cause__, srcore.CancelledError) and not (tmp_path / "boom.png").exists()


@pytest.mark.parametrize("src_ext,dst_ext", [(".jpg", ".png"), (".jpg", ".jpg"), (".webp", ".webp")])
def test_photo_formats_equal_sr_upscale(sr_bin, model, tmp_path, src_ext, dst_ext):
    """JPEG/WebP files (where this libsrcore reads them): the same bytes as `sr upscale`."""
    Image = pytest.importorskip("PIL.Image")
    src, ours, theirs = tmp_path / f"in{src_ext}", tmp_path / f"py{dst_ext}", tmp_path / f"sr{dst_ext}"
    Image.fromarray(picture(24, 30, 3, seed=2)).save(src, quality=90)
    r = subprocess.run([sr_bin, "upscale", str(src), "-o", str(theirs), "--quiet"], capture_output=True, text=True)
    if r.returncode != 0 and "not a PNG" in r.stderr:
        pytest.skip(f"this build of srcore reads PNG only: {r.stderr.strip()}")
    assert r.returncode == 0, r.stderr
    model.upscale_file(src, ours)
    assert ours.read_bytes() == theirs.read_bytes()
