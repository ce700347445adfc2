"""srcore: DCSCN single-image super-resolution, in-process, over libsrcore (include/srcore.h).

    import srcore
    from PIL import Image
    model = srcore.Model.builtin(2)                       # or srcore.Model.load("model.safetensors")
    model.upscale(Image.open("photo.png")).save("photo-x2.png")
    srcore.upscale_file("photo.png", "photo-x2.png")     # the very file `sr upscale` writes

numpy arrays (uint8/uint16 gray, gray+alpha, RGB, RGBA; float32 luma) and PIL images come back as
the same kind of object. Errors raise subclasses of srcore.SRError carrying the library's message.
A Model is immutable and may be shared by threads; the GIL is released while the library works.
"""
from __future__ import annotations

from ._native import library_path
from .errors import (CancelledError, ExistsError, FormatError, InternalError, InvalidArgumentError,
                     OutOfMemoryError, PixelTypeError, ShapeMismatchError, SRError, SRIOError,
                     UnsupportedError)
from .model import Model, ModelInfo, builtin_model, upscale_file, version

__version__ = "0.1.0"

__all__ = ["Model", "ModelInfo", "builtin_model", "upscale_file", "version", "library_path",
           "SRError", "InvalidArgumentError", "SRIOError", "FormatError", "UnsupportedError",
           "PixelTypeError", "ShapeMismatchError", "OutOfMemoryError", "CancelledError", "InternalError",
           "ExistsError"]
