"""Exceptions: one class per libsrcore status code (include/srcore.h, enum sr_status).

Every failure of a library call raises the class of its status code, carrying sr_last_error()'s
message (which names the function, file, argument or shape involved). All derive from SRError, and
each also derives from the matching built-in exception where one fits (ValueError, OSError,
MemoryError, FileExistsError), so ordinary `except` clauses keep working.
"""
from __future__ import annotations

from typing import Dict, Optional, Type

__all__ = ["SRError", "InvalidArgumentError", "SRIOError", "FormatError", "UnsupportedError",
           "ShapeMismatchError", "OutOfMemoryError", "CancelledError", "InternalError", "ExistsError",
           "PixelTypeError", "error_for"]

# enum sr_status: stable numbers, only ever added to
OK, INVALID_ARGUMENT, IO, FORMAT, UNSUPPORTED, SHAPE_MISMATCH, OUT_OF_MEMORY, CANCELLED, INTERNAL, EXISTS = range(10)


class SRError(Exception):
    """A failed srcore operation. `code` is the sr_status number, `message` the library's message
    (sr_last_error()), `status` the status name (sr_status_string())."""

    code: int = INTERNAL
    status: str = "internal error"

    def __init__(self, message: str) -> None:
        # One argument only: OSError (a base of SRIOError, ExistsError) reads several as errno, strerror
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.status}]"


class InvalidArgumentError(SRError, ValueError):
    """SR_ERROR_INVALID_ARGUMENT: a bad size, shape, option value or stride."""
    code, status = INVALID_ARGUMENT, "invalid argument"


class SRIOError(SRError, OSError):
    """SR_ERROR_IO: a file could not be opened, read, written or renamed."""
    code, status = IO, "I/O error"


class FormatError(SRError):
    """SR_ERROR_FORMAT: a file's contents are corrupt, truncated or not what they claim."""
    code, status = FORMAT, "format error"


class UnsupportedError(SRError):
    """SR_ERROR_UNSUPPORTED: valid but unsupported input (pixel format, file version, scale)."""
    code, status = UNSUPPORTED, "unsupported"


class PixelTypeError(UnsupportedError, TypeError):
    """An array dtype, PIL mode or object type that srcore cannot upscale (raised by the package)."""


class ShapeMismatchError(SRError, ValueError):
    """SR_ERROR_SHAPE_MISMATCH: a tensor or image has the wrong shape."""
    code, status = SHAPE_MISMATCH, "shape mismatch"


class OutOfMemoryError(SRError, MemoryError):
    """SR_ERROR_OUT_OF_MEMORY: the work would exceed memory, or an input exceeds max_pixels."""
    code, status = OUT_OF_MEMORY, "out of memory"


class CancelledError(SRError):
    """SR_ERROR_CANCELLED: the progress callback asked to stop."""
    code, status = CANCELLED, "cancelled"


class InternalError(SRError):
    """SR_ERROR_INTERNAL: a bug in srcore."""
    code, status = INTERNAL, "internal error"


class ExistsError(SRError, FileExistsError):
    """SR_ERROR_EXISTS: the destination exists and replacing it was not asked for."""
    code, status = EXISTS, "exists"


_BY_CODE: Dict[int, Type[SRError]] = {cls.code: cls for cls in (
    InvalidArgumentError, SRIOError, FormatError, UnsupportedError, ShapeMismatchError,
    OutOfMemoryError, CancelledError, InternalError, ExistsError)}


def error_for(code: int, message: str, status: Optional[str] = None) -> SRError:
    """The exception for a library status code (an unknown code gives a plain SRError)."""
    error = _BY_CODE.get(code, SRError)(message)
    if code not in _BY_CODE:
        error.code, error.status = code, status or "unknown status"
    elif status:
        error.status = status
    return error
