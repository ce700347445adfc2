"""Tests of the ctypes binding (run by `make ctest`; also `pytest examples/python` or plainly:
`SRCORE_LIB=.../libsrcore.so SRCORE_TEST_MODEL=model.safetensors python3 examples/python/test_srcore.py`)."""
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srcore  # noqa: E402

MODEL = os.environ.get("SRCORE_TEST_MODEL") or os.path.join(
    os.path.dirname(__file__), "..", "..", "Models", "dcscn-x2.safetensors")


def _model():
    if os.path.exists(MODEL):
        return srcore.Model(MODEL)
    if srcore.Model.builtin_available(2):
        return srcore.Model.builtin(2)
    raise RuntimeError("no model: set SRCORE_TEST_MODEL")


def _image(h, w, c, dtype, seed=1):
    rng = np.random.default_rng(seed)
    top = 255 if dtype == np.uint8 else 65535
    base = np.add.outer(np.arange(h) * 5, np.arange(w) * 7) % 200 * (top / 255)
    shape = (h, w) if c == 0 else (h, w, c)
    noise = rng.integers(0, 40 * (top // 255), size=shape)
    img = (base if c == 0 else base[:, :, None]) + noise
    return np.clip(img, 0, top).astype(dtype)


def test_version_and_info():
    assert srcore.version().count(".") == 2
    with _model() as m:
        info = m.info
        assert info["scale"] == m.scale >= 2
        assert info["receptive_field"] == m.receptive_field > 0
        assert len(info["feature_widths"]) == info["feature_layers"]
        assert info["feature_widths"][0] == info["first_feature_width"]


def test_shapes_and_dtypes():
    with _model() as m:
        s = m.scale
        for dtype in (np.uint8, np.uint16):
            for c in (0, 1, 2, 3, 4):
                x = _image(13, 11, c, dtype)
                y = m.upscale(x, threads=1)
                assert y.dtype == dtype and y.shape[:2] == (13 * s, 11 * s) and y.shape[2:] == x.shape[2:]
        y = m.upscale(_image(9, 10, 0, np.uint8).astype(np.float32))
        assert y.dtype == np.float32 and y.shape == (9 * s, 10 * s)


def test_gray8_is_rounded_luma_path():
    """Independent expectation: GRAY8 = round-half-even + clip of the float luma path."""
    with _model() as m:
        g = _image(15, 17, 0, np.uint8, seed=3)
        expect = np.clip(np.rint(m.upscale(g.astype(np.float32))), 0, 255).astype(np.uint8)
        assert np.array_equal(m.upscale(g), expect)


def test_strided_views_equal_contiguous():
    with _model() as m:
        big = _image(30, 40, 3, np.uint8, seed=4)
        view = big[3:20, 5:30]  # rows strided by the big array's width
        assert not view.flags["C_CONTIGUOUS"]
        assert np.array_equal(m.upscale(view), m.upscale(np.ascontiguousarray(view)))
        flipped = big[:, ::-1]  # not row-packed: copied by the binding
        assert np.array_equal(m.upscale(flipped), m.upscale(np.ascontiguousarray(flipped)))


def test_file_path_equals_array_path():
    from PIL import Image as PILImage
    with _model() as m, tempfile.TemporaryDirectory() as d:
        x = _image(12, 14, 4, np.uint8, seed=5)
        PILImage.fromarray(x, "RGBA").save(os.path.join(d, "in.png"))
        m.upscale_file(os.path.join(d, "in.png"), os.path.join(d, "out.png"), tile_size=5)
        got = np.asarray(PILImage.open(os.path.join(d, "out.png")))
        assert np.array_equal(got, m.upscale(x))


def test_errors_raise_with_code_and_message():
    with _model() as m:
        for bad, exc in ((np.zeros((4, 4), np.int32), TypeError), (np.zeros((4, 4, 5), np.uint8), ValueError),
                         (np.zeros((4, 4, 3), np.float32), ValueError)):
            try:
                m.upscale(bad)
                raise AssertionError("no error")
            except exc:
                pass
        try:
            m.upscale(_image(4, 4, 3, np.uint8), self_ensemble=9)
            raise AssertionError("no error")
        except srcore.SRError as e:
            assert e.code == srcore.INVALID_ARGUMENT and "self_ensemble" in e.message
        try:
            m.upscale_file("/nonexistent.png", os.path.join(tempfile.gettempdir(), "srcore-never-written.png"))
            raise AssertionError("no error")
        except srcore.SRError as e:
            assert e.code == srcore.IO and "/nonexistent.png" in e.message
        try:
            m.upscale(_image(8, 8, 3, np.uint8), tile_size=4, progress=lambda f: False)
            raise AssertionError("no error")
        except srcore.SRError as e:
            assert e.code == srcore.CANCELLED
    try:
        srcore.Model("/nonexistent/model.h5")
        raise AssertionError("no error")
    except srcore.SRError as e:
        assert e.code == srcore.IO
    try:
        srcore.Model.from_bytes(b"not a weights file" * 10)
        raise AssertionError("no error")
    except srcore.SRError as e:
        assert e.code == srcore.FORMAT


def test_weights_files_that_are_not_ours():
    """HDF5 weights (refused: libsrcore loads only safetensors), a safetensors file that is not an srcore
    weights file, or one of a future major version: clear errors."""
    import h5py, json, struct
    if not os.path.exists(MODEL):
        return  # needs a weights file to alter
    with tempfile.TemporaryDirectory() as d:
        legacy = os.path.join(d, "legacy.h5")
        with h5py.File(legacy, "w") as f:
            f.attrs["format"] = "srcore.weights"
            f.attrs["format_version"] = "1.0"
        for load in (lambda: srcore.Model(legacy), lambda: srcore.Model.from_bytes(open(legacy, "rb").read())):
            try:
                load()
                raise AssertionError("no error")
            except srcore.SRError as e:
                assert e.code == srcore.UNSUPPORTED and "sr convert" in e.message, e
        other = os.path.join(d, "other.safetensors")
        header = json.dumps({"__metadata__": {"format": "pt"}, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})
        with open(other, "wb") as f:
            f.write(struct.pack("<Q", len(header)) + header.encode() + np.zeros(2, "<f4").tobytes())
        try:
            srcore.Model(other)
            raise AssertionError("no error")
        except srcore.SRError as e:
            assert e.code == srcore.FORMAT and "other.safetensors" in e.message, e
        with open(MODEL, "rb") as src:
            data = src.read()
        assert b'"format_version":"2.0"' in data
        future = os.path.join(d, "future.safetensors")
        with open(future, "wb") as dst:
            dst.write(data.replace(b'"format_version":"2.0"', b'"format_version":"3.0"', 1))
        try:
            srcore.Model(future)
            raise AssertionError("no error")
        except srcore.SRError as e:
            assert e.code == srcore.UNSUPPORTED and "3.0" in e.message
        with open(future, "rb") as f:  # the same refusal from memory
            data = f.read()
        try:
            srcore.Model.from_bytes(data)
            raise AssertionError("no error")
        except srcore.SRError as e:
            assert e.code == srcore.UNSUPPORTED and "<memory" in e.message


def test_threads_share_one_model():
    with _model() as m:
        x = _image(20, 24, 3, np.uint8, seed=6)
        expect = m.upscale(x, threads=1)
        fractions = []
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda i: m.upscale(x, threads=1 + i % 2, tile_size=(i % 3) * 6), range(8)))
        for r in results:
            assert np.array_equal(r, expect)
        m.upscale(x, tile_size=6, progress=fractions.append)
        assert fractions == sorted(fractions) and fractions[-1] == 1.0


if __name__ == "__main__":
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_") and callable(f)]
    for name, fn in tests:
        fn()
        print(f"ok  {name}")
    print(f"python binding: all {len(tests)} tests passed")
