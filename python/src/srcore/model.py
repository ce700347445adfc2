"""Model: a loaded DCSCN network over libsrcore's sr_model, and file upscaling."""
from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple, TypeVar, Union, overload

import numpy as np

from . import _native as N
from . import _pixels
from .errors import OK, CancelledError, InvalidArgumentError, PixelTypeError, error_for

__all__ = ["Model", "ModelInfo", "upscale_file", "version"]

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
Progress = Callable[[float], Optional[bool]]
ImageT = TypeVar("ImageT")


def _check(rc: int) -> None:
    if rc != OK:
        lib = N.lib()
        # sr_last_error is per thread and ctypes calls run on this thread: the message is this call's.
        message = lib.sr_last_error().decode("utf-8", errors="replace")
        raise error_for(rc, message, lib.sr_status_string(rc).decode())


def version() -> str:
    """The library's version string, e.g. '0.1.0' (sr_version_string)."""
    return str(N.lib().sr_version_string().decode())


@dataclass(frozen=True)
class ModelInfo:
    """A model's architecture (sr_model_get_info and sr_model_feature_widths)."""
    scale: int
    receptive_field: int
    feature_layers: int
    first_feature_width: int
    last_feature_width: int
    nin_a: int
    nin_b: int
    output_channels: int
    kernel_size: int
    conv_layers: int
    parameter_count: int
    macs_per_lr_pixel: int
    feature_widths: Tuple[int, ...]


def _options(threads: Optional[int], ensemble: int, tile_size: int, progress: Optional[Progress],
             compression: Optional[int] = None, max_pixels: Optional[int] = None) -> Tuple[N.Options, Any]:
    lib = N.lib()
    o = N.Options()
    lib.sr_options_init_size(ctypes.byref(o), ctypes.sizeof(o))
    for name, value in (("threads", threads), ("ensemble", ensemble), ("tile_size", tile_size)):
        if value is not None and (not isinstance(value, (int, np.integer)) or isinstance(value, bool)):
            raise InvalidArgumentError(f"{name} must be an int, got {type(value).__name__}")
    if threads is not None and threads < 1:
        raise InvalidArgumentError(f"threads must be at least 1 (None = all cores), got {threads}")
    if not 1 <= ensemble <= 8:
        raise InvalidArgumentError(f"ensemble must be in 1..8 (1 = off, 8 = all flips and rotations), got {ensemble}")
    if not 0 <= tile_size <= 1 << 20:
        raise InvalidArgumentError(f"tile_size must be in 0..2^20 (0 = automatic), got {tile_size}")
    o.threads, o.self_ensemble, o.tile_size = threads or 0, ensemble, tile_size
    if compression is not None:
        if not 0 <= compression <= 9:
            raise InvalidArgumentError(f"compression must be a zlib level 0..9, got {compression}")
        o.png_compression = -1 if compression == 0 else compression
    if max_pixels is not None:
        if max_pixels < 0:
            raise InvalidArgumentError(f"max_pixels must be >= 0 (0 = no limit), got {max_pixels}")
        o.max_pixels = max_pixels if max_pixels else (1 << 64) - 1  # SR_NO_PIXEL_LIMIT
    relay = _Relay(progress)
    if progress is not None:
        o.progress = relay.callback
    return o, relay  # the caller keeps the relay (and its ctypes callback) alive during the call


class _Relay:
    """The progress callback handed to the library. An exception raised by the user's function
    cancels the call and is re-raised by check() in place of the CancelledError."""

    def __init__(self, progress: Optional[Progress]) -> None:
        self.progress, self.error = progress, None  # type: Optional[Progress], Optional[BaseException]
        self.callback = N.PROGRESS_FN(self._call) if progress is not None else None

    def _call(self, _user: Any, fraction: float) -> int:
        assert self.progress is not None
        try:
            return 1 if self.progress(fraction) is False else 0
        except BaseException as e:  # noqa: B036 - stored, re-raised on the calling thread
            self.error = e
            return 1

    def check(self, rc: int) -> None:
        try:
            _check(rc)
        except CancelledError as cancelled:
            if self.error is not None:
                raise self.error from cancelled
            raise


class Model:
    """A loaded, immutable DCSCN model (libsrcore's sr_model).

    Make one with Model.builtin(scale), Model.load(path) or Model.from_bytes(data). Any number of
    threads may upscale with one model at the same time; the GIL is released while the library works.
    close() (or a `with` block) frees it early; a model in use by another thread is freed when that
    call returns.
    """

    def __init__(self, _handle: ctypes.c_void_p, _origin: str) -> None:
        """Use Model.builtin, Model.load or Model.from_bytes."""
        self._handle: Optional[ctypes.c_void_p] = _handle
        self._origin = _origin
        self._lock = threading.Lock()
        self._users = 0  # calls in flight
        self._closing = False
        self._info: Optional[ModelInfo] = None

    @classmethod
    def builtin(cls, scale: int = 2, name: str = "compact") -> "Model":
        """The project's trained model for `scale` (2, 3 or 4) compiled into the library: `name`
        "compact" (c-DCSCN's size, the default) or "best" (the mid-size model; x2 only so far)."""
        handle = ctypes.c_void_p()
        if name == "compact":
            _check(N.lib().sr_model_load_builtin(int(scale), ctypes.byref(handle)))
            return cls(handle, f"builtin x{scale}")
        _check(N.lib().sr_model_load_builtin_named(str(name).encode("utf-8"), int(scale), ctypes.byref(handle)))
        return cls(handle, f"builtin {name} x{scale}")

    @classmethod
    def load(cls, path: PathLike) -> "Model":
        """A model from an srcore weights file (safetensors, docs/weights.md)."""
        handle = ctypes.c_void_p()
        _check(N.lib().sr_model_load(os.fsencode(path), ctypes.byref(handle)))
        return cls(handle, os.fsdecode(path))

    @classmethod
    def from_bytes(cls, data: bytes) -> "Model":
        """A model from the bytes of a weights file."""
        data = bytes(data)
        handle = ctypes.c_void_p()
        _check(N.lib().sr_model_load_memory(data, len(data), ctypes.byref(handle)))
        return cls(handle, "memory")

    @staticmethod
    def builtin_available(scale: int, name: str = "compact") -> bool:
        """True if the library has the builtin model `name` ("compact" or "best") for `scale`."""
        return bool(N.lib().sr_builtin_model_named_available(str(name).encode("utf-8"), int(scale)))

    # -- lifetime: a call holds the handle; close() frees it once no call is in flight
    def _acquire(self) -> ctypes.c_void_p:
        with self._lock:
            if self._handle is None or self._closing:
                raise InvalidArgumentError(f"the model ({self._origin}) is closed")
            self._users += 1
            return self._handle

    def _release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._closing and self._users == 0:
                self._free_locked()

    def _free_locked(self) -> None:
        if self._handle is not None:
            N.lib().sr_model_free(self._handle)
            self._handle = None

    def close(self) -> None:
        """Frees the model (at once, or when the calls in flight on other threads have returned)."""
        with self._lock:
            self._closing = True
            if self._users == 0:
                self._free_locked()

    @property
    def closed(self) -> bool:
        return self._closing

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    # -- queries
    @property
    def info(self) -> ModelInfo:
        """The architecture: scale, receptive field, layer widths, parameters, multiply-adds."""
        if self._info is None:
            lib, h = N.lib(), self._acquire()
            try:
                i = N.ModelInfo()
                i.struct_size = ctypes.sizeof(i)
                _check(lib.sr_model_get_info(h, ctypes.byref(i)))
                n = ctypes.c_size_t()
                _check(lib.sr_model_feature_widths(h, None, 0, ctypes.byref(n)))
                widths = (ctypes.c_int * max(1, n.value))()
                _check(lib.sr_model_feature_widths(h, widths, n.value, ctypes.byref(n)))
            finally:
                self._release()
            names = [field[0] for field in N.ModelInfo._fields_ if field[0] != "struct_size"]
            fields = {name: int(getattr(i, name)) for name in names}
            self._info = ModelInfo(feature_widths=tuple(widths[:n.value]), **fields)
        return self._info

    @property
    def scale(self) -> int:
        return self.info.scale

    @property
    def receptive_field(self) -> int:
        """LR pixels on each side that one output pixel depends on."""
        return self.info.receptive_field

    @property
    def feature_widths(self) -> Tuple[int, ...]:
        return self.info.feature_widths

    def __reduce__(self) -> Any:
        raise TypeError("a srcore.Model holds a native handle and cannot be pickled: load it in each "
                        "process (Model.builtin/load; a dask WorkerPlugin as in examples/dask)")

    def __repr__(self) -> str:
        if self._closing:
            return f"<srcore.Model {self._origin} (closed)>"
        i = self.info
        return (f"<srcore.Model {self._origin}: x{i.scale}, receptive field {i.receptive_field}, "
                f"feature widths {list(i.feature_widths)}, {i.parameter_count} parameters>")

    # -- work
    @overload
    def upscale(self, image: np.ndarray, ensemble: int = ..., threads: Optional[int] = ..., *,
                tile_size: int = ..., progress: Optional[Progress] = ...) -> np.ndarray: ...
    @overload
    def upscale(self, image: ImageT, ensemble: int = ..., threads: Optional[int] = ..., *,
                tile_size: int = ..., progress: Optional[Progress] = ...) -> ImageT: ...

    def upscale(self, image: Any, ensemble: int = 1, threads: Optional[int] = None, *,
                tile_size: int = 0, progress: Optional[Progress] = None) -> Any:
        """Upscales a numpy array or a PIL image by the model's scale; returns the same kind of object.

        Arrays: (H, W), (H, W, 1) gray, (H, W, 2) gray+alpha, (H, W, 3) RGB, (H, W, 4) RGBA in uint8 or
        uint16 (the result has the same dtype and shape layout, rounded and clipped, bit for bit what
        `sr upscale` writes for those pixels), or float32 luma 0..255 (H, W): the network's raw output,
        neither rounded nor clipped. PIL images: L, LA, RGB, RGBA, 16-bit gray (I;16, I;16B, I;16L,
        I;16N, and I with values 0..65535), F (float luma); P, PA and 1 are converted first.
        ensemble: 1 = off, 2..8 = average that many flips/rotations. threads: None = all cores.
        progress(fraction) is called as the work advances; returning False cancels (CancelledError);
        an exception it raises cancels too and is re-raised here.
        """
        rebuild = None
        if isinstance(image, np.ndarray):
            a = image
        elif _pixels.is_pil_image(image):
            a, rebuild = _pixels.from_pil(image)
        else:
            raise PixelTypeError(f"expected a numpy array or a PIL image, got {type(image).__name__}")
        fmt, channels, native = _pixels.describe(a)
        opts, relay = _options(threads, ensemble, tile_size, progress)
        src, kept = _pixels.image_of(a, fmt)
        lib, h = N.lib(), self._acquire()
        try:
            ow, oh, ostride = ctypes.c_uint32(), ctypes.c_uint32(), ctypes.c_size_t()
            _check(lib.sr_output_size(h, fmt, src.width, src.height, ctypes.byref(ow), ctypes.byref(oh),
                                      ctypes.byref(ostride), None))
            shape = (oh.value, ow.value) if a.ndim == 2 else (oh.value, ow.value, channels)
            out = np.empty(shape, dtype=native)
            dst = N.Image(fmt, ow.value, oh.value, ostride.value, out.ctypes.data)
            relay.check(lib.sr_upscale(h, ctypes.byref(opts), ctypes.byref(src), ctypes.byref(dst)))
        finally:
            self._release()
        del kept, relay
        if rebuild is not None:
            return rebuild(out)
        return out if native == a.dtype else out.astype(a.dtype)

    def upscale_file(self, src: PathLike, dst: PathLike, *, ensemble: int = 1, threads: Optional[int] = None,
                     tile_size: int = 0, compression: Optional[int] = None, max_pixels: Optional[int] = None,
                     overwrite: bool = True, progress: Optional[Progress] = None) -> None:
        """Reads the image file `src`, upscales it and writes `dst` through a temporary file renamed at
        the end: byte for byte what `sr upscale src -o dst` writes. The formats are those of the
        library's sr_upscale_file (PNG, same channels and bit depth; JPEG/WebP where it has them).

        compression: PNG zlib level 0..9 (None = 3, as `sr upscale`). max_pixels: the largest input
        decoded (width x height; None = the library's default, 16384 x 16384; 0 = no limit).
        overwrite=False raises ExistsError when dst exists.
        """
        opts, relay = _options(threads, ensemble, tile_size, progress, compression, max_pixels)
        if not overwrite and os.path.lexists(dst):
            raise error_for(9, f"{os.fsdecode(dst)}: exists")
        lib, h = N.lib(), self._acquire()
        try:
            relay.check(lib.sr_upscale_file(h, ctypes.byref(opts), os.fsencode(src), os.fsencode(dst)))
        finally:
            self._release()
        del relay


_builtin_lock = threading.Lock()
_builtin: Dict[int, Model] = {}


def builtin_model(scale: int = 2) -> Model:
    """A process-wide shared Model.builtin(scale), loaded on first use (thread-safe)."""
    with _builtin_lock:
        model = _builtin.get(scale)
        if model is None or model.closed:
            model = _builtin[scale] = Model.builtin(scale)
        return model


def upscale_file(src: PathLike, dst: PathLike, *, scale: int = 2, model: Optional[Model] = None,
                 **options: Any) -> None:
    """Upscales the image file `src` into `dst` with `model` (default: the builtin model for `scale`,
    loaded once per process). Options as Model.upscale_file."""
    (model or builtin_model(scale)).upscale_file(src, dst, **options)
