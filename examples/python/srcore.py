"""srcore.py — a ctypes binding of libsrcore (include/srcore.h): numpy arrays in, numpy arrays out.

    import numpy as np, srcore
    with srcore.Model.builtin(2) as model:            # or srcore.Model("model.safetensors")
        hr = model.upscale(rgb_uint8_array)             # (H, W, 3) uint8 -> (2H, 2W, 3) uint8
        y  = model.upscale(luma_float32_array)          # (H, W) float32 luma 0..255 -> raw network output

Arrays: (H, W) or (H, W, C) with C = 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; uint8 or uint16; or (H, W)
float32 luma. Row strides are passed through (a crop of a larger array is not copied) as long as the
pixels of a row are contiguous. The library path comes from $SRCORE_LIB, else the loader's search
(libsrcore.so.0 via LD_LIBRARY_PATH / rpath / ldconfig).

A loaded Model is immutable and may be shared by any number of Python threads; ctypes releases the GIL
during each call, so threads (or Dask/Ray workers in one process) upscale in parallel. `threads=0` uses
every core for one call; when the host already runs one upscale per core, pass `threads=1`.
"""
import ctypes
import ctypes.util
import os
import threading

import numpy as np

__all__ = ["Model", "SRError", "library", "version"]

OK, INVALID_ARGUMENT, IO, FORMAT, UNSUPPORTED, SHAPE_MISMATCH, OUT_OF_MEMORY, CANCELLED, INTERNAL = range(9)
Y_F32, GRAY8, GRAY16, GRAYA8, GRAYA16, RGB8, RGB16, RGBA8, RGBA16 = range(1, 10)

_FORMATS = {  # (channels, dtype) -> sr_format
    (1, np.dtype(np.uint8)): GRAY8, (2, np.dtype(np.uint8)): GRAYA8,
    (3, np.dtype(np.uint8)): RGB8, (4, np.dtype(np.uint8)): RGBA8,
    (1, np.dtype(np.uint16)): GRAY16, (2, np.dtype(np.uint16)): GRAYA16,
    (3, np.dtype(np.uint16)): RGB16, (4, np.dtype(np.uint16)): RGBA16,
}

PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_double)


class Image(ctypes.Structure):
    """struct sr_image"""
    _fields_ = [("format", ctypes.c_int), ("width", ctypes.c_uint32), ("height", ctypes.c_uint32),
                ("stride", ctypes.c_size_t), ("data", ctypes.c_void_p)]


class Options(ctypes.Structure):
    """struct sr_options"""
    _fields_ = [("struct_size", ctypes.c_size_t), ("threads", ctypes.c_int), ("tile_size", ctypes.c_int),
                ("self_ensemble", ctypes.c_int), ("png_compression", ctypes.c_int),
                ("progress", PROGRESS_FN), ("user_data", ctypes.c_void_p)]


class ModelInfo(ctypes.Structure):
    """struct sr_model_info"""
    _fields_ = [("struct_size", ctypes.c_size_t)] + [(n, ctypes.c_int) for n in (
        "scale", "receptive_field", "feature_layers", "first_feature_width", "last_feature_width",
        "nin_a", "nin_b", "output_channels", "kernel_size", "conv_layers")] + [
        ("parameter_count", ctypes.c_int64), ("macs_per_lr_pixel", ctypes.c_int64)]


class SRError(Exception):
    """A failed libsrcore call: `code` is the sr_status value, `message` sr_last_error()."""

    def __init__(self, code, message):
        super().__init__(f"{message} [{_lib.sr_status_string(code).decode()}]")
        self.code = code
        self.message = message


def _load_library():
    path = os.environ.get("SRCORE_LIB") or ctypes.util.find_library("srcore") or "libsrcore.so.0"
    lib = ctypes.CDLL(path)
    P, c_int, c_size_t = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t
    sig = {
        "sr_version_number": (ctypes.c_uint, []),
        "sr_version_string": (ctypes.c_char_p, []),
        "sr_status_string": (ctypes.c_char_p, [c_int]),
        "sr_last_error": (ctypes.c_char_p, []),
        "sr_model_load": (c_int, [ctypes.c_char_p, ctypes.POINTER(P)]),
        "sr_model_load_memory": (c_int, [ctypes.c_char_p, c_size_t, ctypes.POINTER(P)]),
        "sr_model_load_builtin": (c_int, [c_int, ctypes.POINTER(P)]),
        "sr_builtin_model_available": (c_int, [c_int]),
        "sr_model_free": (None, [P]),
        "sr_model_scale": (c_int, [P]),
        "sr_model_receptive_field": (c_int, [P]),
        "sr_model_get_info": (c_int, [P, ctypes.POINTER(ModelInfo)]),
        "sr_model_feature_widths": (c_int, [P, ctypes.POINTER(c_int), c_size_t, ctypes.POINTER(c_size_t)]),
        "sr_output_size": (c_int, [P, c_int, ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32),
                                   ctypes.POINTER(ctypes.c_uint32), ctypes.POINTER(c_size_t),
                                   ctypes.POINTER(c_size_t)]),
        "sr_options_init": (None, [ctypes.POINTER(Options)]),
        "sr_upscale": (c_int, [P, ctypes.POINTER(Options), ctypes.POINTER(Image), ctypes.POINTER(Image)]),
        "sr_upscale_file": (c_int, [P, ctypes.POINTER(Options), ctypes.c_char_p, ctypes.c_char_p]),
    }
    for name, (res, args) in sig.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args
    return lib


_lib = _load_library()


def library():
    """The loaded ctypes.CDLL."""
    return _lib


def version():
    """The library's version string, e.g. '0.1.0'."""
    return _lib.sr_version_string().decode()


def _check(rc):
    if rc != OK:
        # sr_last_error is per thread, and ctypes calls run on this thread: the message is ours.
        raise SRError(rc, _lib.sr_last_error().decode(errors="replace"))


def _options(threads, tile_size, self_ensemble, progress):
    o = Options()
    _lib.sr_options_init(ctypes.byref(o))
    o.threads, o.tile_size, o.self_ensemble = threads, tile_size, self_ensemble
    callback = None
    if progress is not None:
        def relay(_user, fraction):
            try:
                return 1 if progress(fraction) is False else 0
            except Exception:  # an exception in the callback cancels
                return 1
        callback = PROGRESS_FN(relay)
        o.progress = callback
    return o, callback  # keep the callback alive during the call


def _describe(array):
    """(sr_format, channels) of an array, or raise TypeError/ValueError."""
    a = np.asarray(array)
    if a.ndim == 2:
        channels = 1
    elif a.ndim == 3 and a.shape[2] in (1, 2, 3, 4):
        channels = a.shape[2]
    else:
        raise ValueError(f"expected an (H, W) or (H, W, C) array with C in 1..4, got shape {a.shape}")
    if a.dtype == np.float32:
        if channels != 1:
            raise ValueError("float32 input must be one luma plane (H, W)")
        return Y_F32, 1
    fmt = _FORMATS.get((channels, a.dtype))
    if fmt is None:
        raise TypeError(f"unsupported dtype {a.dtype} (use uint8, uint16 or float32 luma)")
    return fmt, channels


def _as_image(a, fmt):
    """An sr_image over `a` (its rows may be strided; pixels within a row must be packed)."""
    item = a.dtype.itemsize
    channels = 1 if a.ndim == 2 else a.shape[2]
    if a.ndim == 3 and a.strides[2] != item or a.strides[1] != channels * item or a.strides[0] <= 0:
        a = np.ascontiguousarray(a)
    img = Image(fmt, a.shape[1], a.shape[0], a.strides[0], a.ctypes.data)
    return img, a


class Model:
    """A loaded DCSCN model (sr_model). Thread-safe; use `close()` or a `with` block to free it early."""

    def __init__(self, path=None, *, _handle=None):
        self._lock = threading.Lock()
        if _handle is None:
            if path is None:
                raise ValueError("give a weights file path, or use Model.builtin(scale)")
            handle = ctypes.c_void_p()
            _check(_lib.sr_model_load(os.fsencode(path), ctypes.byref(handle)))
            _handle = handle
        self._handle = _handle

    @classmethod
    def builtin(cls, scale=2):
        """The project's trained model for `scale` compiled into the library."""
        handle = ctypes.c_void_p()
        _check(_lib.sr_model_load_builtin(scale, ctypes.byref(handle)))
        return cls(_handle=handle)

    @classmethod
    def from_bytes(cls, data):
        """A model from the bytes of a weights file."""
        data = bytes(data)
        handle = ctypes.c_void_p()
        _check(_lib.sr_model_load_memory(data, len(data), ctypes.byref(handle)))
        return cls(_handle=handle)

    @staticmethod
    def builtin_available(scale):
        return bool(_lib.sr_builtin_model_available(scale))

    def _h(self):
        if self._handle is None:
            raise ValueError("model is closed")
        return self._handle

    def close(self):
        with self._lock:
            if self._handle is not None:
                _lib.sr_model_free(self._handle)
                self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    @property
    def scale(self):
        return _lib.sr_model_scale(self._h())

    @property
    def receptive_field(self):
        return _lib.sr_model_receptive_field(self._h())

    @property
    def info(self):
        """The architecture as a dict (sr_model_get_info) plus 'feature_widths'."""
        i = ModelInfo()
        i.struct_size = ctypes.sizeof(ModelInfo)
        _check(_lib.sr_model_get_info(self._h(), ctypes.byref(i)))
        d = {name: getattr(i, name) for name, _ in ModelInfo._fields_ if name != "struct_size"}
        n = ctypes.c_size_t()
        _check(_lib.sr_model_feature_widths(self._h(), None, 0, ctypes.byref(n)))
        widths = (ctypes.c_int * n.value)()
        _check(_lib.sr_model_feature_widths(self._h(), widths, n.value, ctypes.byref(n)))
        d["feature_widths"] = list(widths)
        return d

    def upscale(self, array, *, threads=0, tile_size=0, self_ensemble=1, progress=None):
        """Upscales an image array; returns a new array of the same dtype and channels, `scale` times
        larger. `progress(fraction)` may return False to cancel (raises SRError with code CANCELLED)."""
        a = np.asarray(array)
        fmt, channels = _describe(a)
        src, keep = _as_image(a, fmt)
        h, w = a.shape[0] * self.scale, a.shape[1] * self.scale
        out = np.empty((h, w) if a.ndim == 2 else (h, w, channels), dtype=a.dtype)
        dst, _ = _as_image(out, fmt)
        opts, callback = _options(threads, tile_size, self_ensemble, progress)
        _check(_lib.sr_upscale(self._h(), ctypes.byref(opts), ctypes.byref(src), ctypes.byref(dst)))
        del keep, callback
        return out

    def upscale_file(self, in_path, out_path, *, threads=0, tile_size=0, self_ensemble=1, progress=None,
                     png_compression=0):
        """PNG file in, PNG file out (same channels and bit depth), byte for byte as `sr upscale`.
        png_compression: 0 = default (zlib 3), 1..9 = zlib level, -1 = stored."""
        opts, callback = _options(threads, tile_size, self_ensemble, progress)
        opts.png_compression = png_compression
        _check(_lib.sr_upscale_file(self._h(), ctypes.byref(opts), os.fsencode(in_path), os.fsencode(out_path)))
        del callback
