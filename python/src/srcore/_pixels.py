"""numpy arrays and PIL images <-> sr_image buffers (include/srcore.h, enum sr_format)."""
from __future__ import annotations

import sys
from typing import Any, Callable, Tuple

import numpy as np

from . import _native as N
from .errors import InvalidArgumentError, PixelTypeError

_FORMATS = {  # (channels, dtype) -> sr_format
    (1, np.dtype(np.uint8)): N.GRAY8, (2, np.dtype(np.uint8)): N.GRAYA8,
    (3, np.dtype(np.uint8)): N.RGB8, (4, np.dtype(np.uint8)): N.RGBA8,
    (1, np.dtype(np.uint16)): N.GRAY16, (2, np.dtype(np.uint16)): N.GRAYA16,
    (3, np.dtype(np.uint16)): N.RGB16, (4, np.dtype(np.uint16)): N.RGBA16,
    (1, np.dtype(np.float32)): N.Y_F32,
}

# PIL modes upscaled as they are: mode -> numpy dtype of np.asarray(image). 16-bit gray comes as I;16
# (little-endian), I;16B (big-endian), I;16L, I;16N (native); "I" is 32-bit and accepted with values
# in 0..65535 (older Pillow opened 16-bit PNGs so); "F" is float luma (SR_FORMAT_Y_F32).
PIL_MODES = ("L", "LA", "RGB", "RGBA", "I;16", "I;16B", "I;16L", "I;16N", "I", "F")
# PIL modes converted first (the result has the converted mode, as `sr upscale` expands palettes).
PIL_CONVERTED = {"1": "L", "PA": "RGBA", "La": "LA", "RGBa": "RGBA"}


def is_pil_image(obj: Any) -> bool:
    pil = sys.modules.get("PIL.Image")  # without Pillow imported, obj cannot be a PIL image
    return pil is not None and isinstance(obj, pil.Image)


def describe(a: np.ndarray) -> Tuple[int, int, np.dtype]:
    """(sr_format, channels, native dtype) of an array, or raise PixelTypeError/InvalidArgumentError."""
    if a.ndim == 2:
        channels = 1
    elif a.ndim == 3 and a.shape[2] in (1, 2, 3, 4):
        channels = a.shape[2]
    else:
        raise InvalidArgumentError(f"expected an (H, W) or (H, W, C) array with C in 1..4, got shape {a.shape}")
    native = a.dtype.newbyteorder("=") if a.dtype.byteorder not in ("=", "|") else a.dtype
    fmt = _FORMATS.get((channels, native))
    if fmt is None:
        if native == np.float32:
            raise InvalidArgumentError(f"float32 input is one luma plane (H, W) or (H, W, 1), got shape {a.shape}")
        raise PixelTypeError(f"unsupported dtype {a.dtype} (use uint8, uint16, or float32 luma 0..255)")
    return fmt, channels, native


def image_of(a: np.ndarray, fmt: int) -> Tuple[N.Image, np.ndarray]:
    """An sr_image over `a` and the array it points into. Rows may be strided (a crop of a larger
    array is not copied); an array whose pixels are not packed within a row, with a negative or zero
    row stride, in a foreign byte order or misaligned, is copied first."""
    item = a.dtype.itemsize
    channels = 1 if a.ndim == 2 else a.shape[2]
    packed = (a.ndim == 2 or a.strides[2] == item or a.shape[2] == 1) and (a.strides[1] == channels * item or a.shape[1] == 1)
    if (not packed or a.strides[0] < a.shape[1] * channels * item or not a.flags.aligned
            or a.dtype.byteorder not in ("=", "|")):
        a = np.array(a, dtype=a.dtype.newbyteorder("="), order="C", copy=True)  # aligned, packed
    stride = a.strides[0] if a.shape[0] > 1 else a.shape[1] * channels * item
    return N.Image(fmt, a.shape[1], a.shape[0], stride, a.ctypes.data), a


def from_pil(image: Any) -> Tuple[np.ndarray, Callable[[np.ndarray], Any]]:
    """(pixels, rebuild): the image's pixels as an array, and a function that makes a PIL image of
    the same mode from an upscaled array."""
    from PIL import Image as PILImage
    mode = image.mode
    if mode in PIL_CONVERTED or mode == "P":
        target = PIL_CONVERTED.get(mode) or ("RGBA" if "transparency" in image.info else "RGB")
        image, mode = image.convert(target), target
    if mode not in PIL_MODES:
        raise PixelTypeError(f"unsupported PIL mode {mode!r} (supported: {', '.join(PIL_MODES)}; "
                             f"convert first, e.g. image.convert('RGB'))")
    a = np.asarray(image)
    if mode == "I":
        if a.size and (a.min() < 0 or a.max() > 65535):
            raise InvalidArgumentError("a mode 'I' image is upscaled as 16-bit gray: values must be in 0..65535")
        a = a.astype(np.uint16)

    def rebuild(out: np.ndarray) -> Any:
        if mode in ("L", "LA", "RGB", "RGBA", "F"):
            return PILImage.fromarray(out)
        if mode == "I":
            return PILImage.fromarray(out.astype(np.int32))
        dtype = ">u2" if mode == "I;16B" else "=u2" if mode == "I;16N" else "<u2"
        return PILImage.frombytes(mode, (out.shape[1], out.shape[0]), out.astype(dtype).tobytes())

    return a, rebuild
