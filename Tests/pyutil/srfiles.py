"""Checks on the files srcore writes, shared by the CLI tests (Tests/cli) and the fault tests
(Tests/faults): is a file whole, i.e. readable to its end?"""
import json
import os
import struct

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def is_whole_hdf5(path):
    """Every dataset of the HDF5 file reads to the end (with h5py when installed, else the signature)."""
    try:
        import h5py
    except ImportError:
        try:
            with open(path, "rb") as f:
                return f.read(8) == HDF5_SIGNATURE
        except OSError:
            return False
    try:
        with h5py.File(path, "r") as f:
            f.visititems(lambda _, o: o[()] if isinstance(o, h5py.Dataset) else None)
        return True
    except OSError:
        return False


def is_whole_safetensors(path):
    """The header parses and the tensors' data ends exactly at the end of the file."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        (n,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8:8 + n])
        ends = [v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"]
        return 8 + n + max(ends, default=0) == len(data)
    except (OSError, ValueError, KeyError, struct.error):
        return False


def is_whole(path):
    """A file srcore wrote is whole: HDF5 read to the end, safetensors checked, anything else exists."""
    if path.endswith(".safetensors"):
        return is_whole_safetensors(path)
    return is_whole_hdf5(path) if path.endswith(".h5") else os.path.exists(path)
