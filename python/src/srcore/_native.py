"""Finding and binding libsrcore (include/srcore.h) with ctypes.

The library is $SRCORE_LIB when that is set (a path to libsrcore.so.0; nothing else is tried).
Otherwise it is looked up, in order: the copy bundled in this package by its build
(srcore/_native/libsrcore.so.0); the repository's .build/release/libsrcore.so when the package runs
from a checkout (PYTHONPATH=python/src); the dynamic loader's search (libsrcore.so.0 after
`make install` + ldconfig, or LD_LIBRARY_PATH); and <prefix>/lib/libsrcore.so.0 for the usual
`make install` prefixes ($SRCORE_PREFIX, /usr/local, /usr), so an installed library is found even
before ldconfig has run.

ctypes.CDLL releases the GIL for the duration of every foreign call, so upscales on several Python
threads run in parallel.
"""
from __future__ import annotations

import ctypes
import os
import threading
from typing import List, Optional

__all__ = ["lib", "library_path", "Image", "Options", "ModelInfo", "PROGRESS_FN", "candidates"]

_HERE = os.path.dirname(os.path.abspath(__file__))
SONAME = "libsrcore.so.0"

# enum sr_format
Y_F32, GRAY8, GRAY16, GRAYA8, GRAYA16, RGB8, RGB16, RGBA8, RGBA16 = range(1, 10)

PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_double)


class Image(ctypes.Structure):
    """struct sr_image"""
    _fields_ = [("format", ctypes.c_int), ("width", ctypes.c_uint32), ("height", ctypes.c_uint32),
                ("stride", ctypes.c_size_t), ("data", ctypes.c_void_p)]


class Options(ctypes.Structure):
    """struct sr_options (with max_pixels, appended after version 0.1)"""
    _fields_ = [("struct_size", ctypes.c_size_t), ("threads", ctypes.c_int), ("tile_size", ctypes.c_int),
                ("self_ensemble", ctypes.c_int), ("png_compression", ctypes.c_int),
                ("progress", PROGRESS_FN), ("user_data", ctypes.c_void_p), ("max_pixels", ctypes.c_uint64)]


class ModelInfo(ctypes.Structure):
    """struct sr_model_info"""
    _fields_ = [("struct_size", ctypes.c_size_t)] + [(n, ctypes.c_int) for n in (
        "scale", "receptive_field", "feature_layers", "first_feature_width", "last_feature_width",
        "nin_a", "nin_b", "output_channels", "kernel_size", "conv_layers")] + [
        ("parameter_count", ctypes.c_int64), ("macs_per_lr_pixel", ctypes.c_int64)]


def candidates() -> List[str]:
    """The places the library is looked for, in order (see the module documentation)."""
    env = os.environ.get("SRCORE_LIB")
    if env:
        return [env]  # asked for: that library or none
    found: List[str] = []
    found.append(os.path.join(_HERE, "_native", SONAME))
    # Run from a checkout (PYTHONPATH=python/src): the repository's own release build.
    checkout = os.path.dirname(os.path.dirname(os.path.dirname(_HERE)))
    if os.path.isfile(os.path.join(checkout, "Package.swift")):
        found.append(os.path.join(checkout, ".build", "release", "libsrcore.so"))
    found.append(SONAME)  # the loader's own search: ld.so.cache, LD_LIBRARY_PATH
    prefixes = [os.environ.get("SRCORE_PREFIX", ""), "/usr/local", "/usr"]
    found += [os.path.join(p, "lib", SONAME) for p in prefixes if p]
    return found


def _bind(lib: ctypes.CDLL) -> ctypes.CDLL:
    P, c_int, c_size_t, u32 = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t, ctypes.c_uint32
    ptr = ctypes.POINTER
    signatures = {
        "sr_version_number": (ctypes.c_uint, []),
        "sr_version_string": (ctypes.c_char_p, []),
        "sr_status_string": (ctypes.c_char_p, [c_int]),
        "sr_last_error": (ctypes.c_char_p, []),
        "sr_model_load": (c_int, [ctypes.c_char_p, ptr(P)]),
        "sr_model_load_memory": (c_int, [ctypes.c_char_p, c_size_t, ptr(P)]),
        "sr_model_load_builtin": (c_int, [c_int, ptr(P)]),
        "sr_builtin_model_available": (c_int, [c_int]),
        "sr_model_load_builtin_named": (c_int, [ctypes.c_char_p, c_int, ptr(P)]),
        "sr_builtin_model_named_available": (c_int, [ctypes.c_char_p, c_int]),
        "sr_model_free": (None, [P]),
        "sr_model_scale": (c_int, [P]),
        "sr_model_receptive_field": (c_int, [P]),
        "sr_model_get_info": (c_int, [P, ptr(ModelInfo)]),
        "sr_model_feature_widths": (c_int, [P, ptr(c_int), c_size_t, ptr(c_size_t)]),
        "sr_format_bytes_per_pixel": (c_size_t, [c_int]),
        "sr_output_size": (c_int, [P, c_int, u32, u32, ptr(u32), ptr(u32), ptr(c_size_t), ptr(c_size_t)]),
        "sr_options_init_size": (None, [ptr(Options), c_size_t]),
        "sr_upscale": (c_int, [P, ptr(Options), ptr(Image), ptr(Image)]),
        "sr_upscale_file": (c_int, [P, ptr(Options), ctypes.c_char_p, ctypes.c_char_p]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return lib


_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_path: Optional[str] = None


def lib() -> ctypes.CDLL:
    """The loaded library (loaded on first use). Raises OSError naming every place that was tried."""
    global _lib, _path
    with _lock:
        if _lib is None:
            errors = []
            for candidate in candidates():
                if os.sep in candidate and not os.path.exists(candidate):
                    errors.append(f"{candidate}: no such file")
                    continue
                try:
                    loaded = ctypes.CDLL(candidate)
                except OSError as e:
                    errors.append(str(e))
                    continue
                _lib, _path = _bind(loaded), candidate
                break
            else:
                raise OSError("srcore: libsrcore.so.0 not found; tried:\n  " + "\n  ".join(errors)
                              + "\nreinstall the package (pip install ./python) or set SRCORE_LIB")
        return _lib


def library_path() -> str:
    """Where the loaded library came from (a path, or 'libsrcore.so.0' when the loader found it)."""
    lib()
    assert _path is not None
    return _path
