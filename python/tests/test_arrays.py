"""numpy arrays in every pixel format give the pixels `sr upscale` writes for the same PNG."""
import numpy as np
import pytest

import srcore
from conftest import picture, read_png, sr_upscale, write_png

LAYOUTS = [(0, "HxW gray"), (1, "HxWx1 gray"), (2, "gray+alpha"), (3, "RGB"), (4, "RGBA")]


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16], ids=["uint8", "uint16"])
@pytest.mark.parametrize("channels", [c for c, _ in LAYOUTS], ids=[n for _, n in LAYOUTS])
def test_array_equals_sr_upscale(sr_bin, model, tmp_path, channels, dtype):
    x = picture(23, 31, channels, dtype, seed=channels)
    write_png(tmp_path / "in.png", x)
    sr_upscale(sr_bin, tmp_path / "in.png", tmp_path / "out.png")
    expect = read_png(tmp_path / "out.png")
    y = model.upscale(x)
    assert y.dtype == x.dtype and y.shape[:2] == (46, 62) and y.shape[2:] == x.shape[2:]
    assert np.array_equal(y.reshape(expect.shape), expect)


@pytest.mark.parametrize("channels,dtype", [(3, np.uint8), (2, np.uint16)])
def test_ensemble_equals_sr_upscale(sr_bin, model, tmp_path, channels, dtype):
    x = picture(17, 20, channels, dtype, seed=7)
    write_png(tmp_path / "in.png", x)
    sr_upscale(sr_bin, tmp_path / "in.png", tmp_path / "out.png", "--ensemble", 8)
    y = model.upscale(x, ensemble=8)
    assert np.array_equal(y, read_png(tmp_path / "out.png"))
    assert not np.array_equal(y, model.upscale(x))  # the ensemble changes the result


@pytest.mark.parametrize("scale", [3, 4])
def test_other_scales_equal_sr_upscale(sr_bin, tmp_path, scale):
    x = picture(14, 16, 3, seed=scale)
    write_png(tmp_path / "in.png", x)
    sr_upscale(sr_bin, tmp_path / "in.png", tmp_path / "out.png", "--scale", scale)
    with srcore.Model.builtin(scale) as m:
        assert m.scale == scale
        assert np.array_equal(m.upscale(x), read_png(tmp_path / "out.png"))


def test_float32_luma_is_the_raw_network_output(model):
    """GRAY8 is documented as the rounded and clipped Y-float path: check one against the other."""
    g = picture(19, 21, 0, seed=3)
    y = model.upscale(g.astype(np.float32))
    assert y.dtype == np.float32 and y.shape == (38, 42)
    assert not np.array_equal(y, np.rint(y))  # raw: not rounded
    assert np.array_equal(np.clip(np.rint(y), 0, 255).astype(np.uint8), model.upscale(g))
    assert np.array_equal(model.upscale(g.astype(np.float32)[:, :, None]), y[:, :, None])


def test_threads_tiles_and_layout_do_not_change_results(model):
    x = picture(40, 50, 4, seed=5)
    ref = model.upscale(x)
    assert np.array_equal(model.upscale(x, threads=1, tile_size=7), ref)
    big = np.zeros((60, 80, 4), np.uint8)
    big[7:47, 11:61] = x
    crop = big[7:47, 11:61]  # strided rows: passed through without a copy
    assert not crop.flags.c_contiguous
    assert np.array_equal(model.upscale(crop), ref)
    fortran = np.asfortranarray(x)  # pixels not packed in rows: copied
    assert np.array_equal(model.upscale(fortran), ref)
    flipped = x[:, ::-1][:, ::-1]  # negative strides twice: same pixels, copied
    assert np.array_equal(model.upscale(flipped), ref)
    assert np.array_equal(model.upscale(x[::-1])[::-1], model.upscale(np.ascontiguousarray(x[::-1]))[::-1])


def test_foreign_byte_order_and_misaligned_uint16(model):
    x = picture(12, 13, 3, np.uint16, seed=9)
    ref = model.upscale(x)
    big_endian = x.astype(">u2")
    y = model.upscale(big_endian)
    assert y.dtype == np.dtype(">u2") and np.array_equal(y.astype(np.uint16), ref)
    raw = np.zeros(x.nbytes + 1, np.uint8)
    misaligned = np.frombuffer(raw.data, dtype=np.uint16, count=x.size, offset=1).reshape(x.shape)
    raw[1:] = x.view(np.uint8).ravel()
    assert not misaligned.flags.aligned and np.array_equal(misaligned, x)
    assert np.array_equal(model.upscale(misaligned), ref)  # copied to an aligned buffer


def test_input_is_not_modified(model):
    x = picture(10, 12, 3, seed=2)
    before = x.copy()
    x.flags.writeable = False  # read-only arrays are fine
    model.upscale(x)
    assert np.array_equal(x, before)
