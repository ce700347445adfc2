"""PIL images in every supported mode give what `sr upscale` writes, and keep their mode."""
import numpy as np
import pytest

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

from conftest import picture, read_png, sr_upscale, write_png  # noqa: E402

MODES_8 = {"L": 0, "LA": 2, "RGB": 3, "RGBA": 4}


@pytest.mark.parametrize("mode", list(MODES_8))
def test_8bit_modes_equal_sr_upscale(sr_bin, model, tmp_path, mode):
    Image.fromarray(picture(21, 26, MODES_8[mode], seed=len(mode))).save(tmp_path / "in.png")
    sr_upscale(sr_bin, tmp_path / "in.png", tmp_path / "out.png")
    with Image.open(tmp_path / "in.png") as src, Image.open(tmp_path / "out.png") as expect:
        assert src.mode == mode
        out = model.upscale(src)
        assert isinstance(out, Image.Image) and out.mode == mode and out.size == (52, 42)
        assert np.array_equal(np.asarray(out), np.asarray(expect))


@pytest.mark.parametrize("mode", ["I;16", "I;16B", "I;16L", "I;16N", "I"])
def test_16bit_gray_modes_equal_sr_upscale(sr_bin, model, tmp_path, mode):
    g = picture(18, 22, 0, np.uint16, seed=4)
    write_png(tmp_path / "in.png", g)
    sr_upscale(sr_bin, tmp_path / "in.png", tmp_path / "out.png")
    expect = read_png(tmp_path / "out.png")
    with Image.open(tmp_path / "in.png") as opened:
        assert opened.mode == "I;16" and np.array_equal(np.asarray(opened), g)  # Pillow's own decode
        src = opened if mode == "I;16" else opened.convert(mode) if mode == "I" else \
            Image.frombytes(mode, opened.size, g.astype(">u2" if mode == "I;16B" else "<u2" if mode == "I;16L" else "=u2").tobytes())
        out = model.upscale(src)
    assert out.mode == mode and out.size == (44, 36)
    got = np.asarray(out)
    assert np.array_equal(got.astype(np.int64), expect.astype(np.int64))


def test_float_mode_is_luma(model):
    g = picture(9, 11, 0, seed=6)
    out = model.upscale(Image.fromarray(g.astype(np.float32)))
    assert out.mode == "F" and np.array_equal(np.asarray(out), model.upscale(g.astype(np.float32)))


def test_palette_and_bilevel_are_converted_as_sr_upscale_expands_them(sr_bin, model, tmp_path):
    rgb = Image.fromarray(picture(20, 24, 3, seed=8))
    rgb.quantize(colors=40).save(tmp_path / "p.png")
    sr_upscale(sr_bin, tmp_path / "p.png", tmp_path / "p-out.png")
    with Image.open(tmp_path / "p.png") as src, Image.open(tmp_path / "p-out.png") as expect:
        assert src.mode == "P"
        out = model.upscale(src)
        assert out.mode == expect.mode == "RGB"
        assert np.array_equal(np.asarray(out), np.asarray(expect))
    rgb.quantize(colors=16).save(tmp_path / "pt.png", transparency=3)  # palette + tRNS -> RGBA
    sr_upscale(sr_bin, tmp_path / "pt.png", tmp_path / "pt-out.png")
    with Image.open(tmp_path / "pt.png") as src, Image.open(tmp_path / "pt-out.png") as expect:
        assert src.mode == "P" and "transparency" in src.info
        out = model.upscale(src)
        assert out.mode == expect.mode == "RGBA"
        assert np.array_equal(np.asarray(out), np.asarray(expect))
    bilevel = Image.fromarray(picture(10, 10, 0) > 100)
    assert bilevel.mode == "1" and model.upscale(bilevel).mode == "L"


def test_unsupported_mode_raises(model):
    import srcore
    with pytest.raises(srcore.PixelTypeError, match="CMYK"):
        model.upscale(Image.new("CMYK", (4, 4)))
    with pytest.raises(TypeError):  # PixelTypeError is also a TypeError
        model.upscale(Image.new("YCbCr", (4, 4)))
