"""Bad arguments raise the exception of their status, with the library's or the package's message."""
import os
import numpy as np
import pytest

import srcore
from conftest import picture


def test_hierarchy():
    for cls, base in [(srcore.InvalidArgumentError, ValueError), (srcore.SRIOError, OSError),
                      (srcore.OutOfMemoryError, MemoryError), (srcore.ExistsError, FileExistsError),
                      (srcore.ShapeMismatchError, ValueError), (srcore.PixelTypeError, TypeError),
                      (srcore.PixelTypeError, srcore.UnsupportedError)]:
        assert issubclass(cls, srcore.SRError) and issubclass(cls, base)
    e = srcore.SRIOError("x.png: cannot open")
    assert e.message == "x.png: cannot open" and e.code == 2 and str(e) == "x.png: cannot open [I/O error]"


@pytest.mark.parametrize("shape", [(5,), (4, 4, 5), (2, 3, 4, 3), (4, 4, 0)])
def test_bad_shapes(model, shape):
    with pytest.raises(srcore.InvalidArgumentError, match="shape"):
        model.upscale(np.zeros(shape, np.uint8))


@pytest.mark.parametrize("dtype", [np.float64, np.int16, np.int32, np.uint32, bool, np.float16])
def test_bad_dtypes(model, dtype):
    with pytest.raises(srcore.PixelTypeError, match="dtype"):
        model.upscale(np.zeros((4, 4, 3), dtype))


def test_float_color_and_empty_and_not_an_image(model):
    with pytest.raises(srcore.InvalidArgumentError, match="luma"):
        model.upscale(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(srcore.InvalidArgumentError, match="must be positive"):  # the library's message
        model.upscale(np.zeros((0, 5), np.uint8))
    with pytest.raises(srcore.PixelTypeError, match="list"):
        model.upscale([[1, 2], [3, 4]])


def test_bad_options(model):
    x = picture(4, 4, 3)
    for kwargs in ({"ensemble": 0}, {"ensemble": 9}, {"threads": 0}, {"threads": -2}, {"tile_size": -1},
                   {"threads": 1.5}, {"ensemble": True}):
        with pytest.raises(srcore.InvalidArgumentError):
            model.upscale(x, **kwargs)
    with pytest.raises(srcore.InvalidArgumentError, match="compression"):
        model.upscale_file("a.png", "b.png", compression=10)


def test_models(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x08\0\0\0\0\0\0\0{}      ")
    with pytest.raises(srcore.SRError, match="bad.safetensors") as e:
        srcore.Model.load(bad)
    assert e.value.code in (3, 4, 5)
    with pytest.raises(srcore.SRIOError, match="nothing-here"):
        srcore.Model.load(tmp_path / "nothing-here.safetensors")
    with pytest.raises(srcore.UnsupportedError):
        srcore.Model.builtin(7)
    assert srcore.Model.builtin_available(2) and not srcore.Model.builtin_available(7)
    with pytest.raises(srcore.InvalidArgumentError, match="unknown builtin model name"):
        srcore.Model.builtin(2, name="bestest")
    with pytest.raises(srcore.UnsupportedError, match="no builtin best model for scale 7"):
        srcore.Model.builtin(7, name="best")
    assert not srcore.Model.builtin_available(2, "bestest")
    # the "best" builtin is compiled in exactly when its file is in the package's Models/
    shipped = os.path.join(os.path.dirname(__file__), "..", "..", "Models", "dcscn-best-x2.safetensors")
    if os.path.exists(shipped):
        assert srcore.Model.builtin_available(2, "best")
        with srcore.Model.builtin(2, name="best") as b, srcore.Model.load(shipped) as f:
            assert b.info == f.info and b.scale == 2
    m = srcore.Model.builtin(2)
    m.close()
    m.close()  # twice is fine
    assert "closed" in repr(m)
    with pytest.raises(srcore.InvalidArgumentError, match="closed"):
        m.upscale(picture(4, 4, 3))


def test_models_are_not_pickled(model):
    import pickle
    with pytest.raises(TypeError, match="WorkerPlugin"):
        pickle.dumps(model)


def test_info_and_from_bytes(model):
    import os
    info = model.info
    assert info.scale == model.scale == 2 and info.receptive_field == model.receptive_field == 10
    assert len(info.feature_widths) == info.feature_layers and info.feature_widths[0] == info.first_feature_width
    assert info.feature_widths[-1] == info.last_feature_width and info.parameter_count > 0
    assert srcore.version().count(".") == 2 and "x2" in repr(model)
    weights = os.path.join(os.path.dirname(__file__), "..", "..", "Models", "dcscn-x2.safetensors")
    if os.path.exists(weights):  # the shipped file equals the builtin model
        x = picture(9, 9, 3)
        with open(weights, "rb") as f, srcore.Model.from_bytes(f.read()) as m, srcore.Model.load(weights) as n:
            assert m.info == n.info == info
            assert np.array_equal(m.upscale(x), model.upscale(x)) and np.array_equal(n.upscale(x), model.upscale(x))
