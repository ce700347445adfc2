"""Helpers of the fault tests (run_faults.py; docs/faults.md): running the CLIs, the small disk,
the shared fixtures, the checks every failing command must pass, and kill -9 at a chosen moment.
"""
import hashlib
import os
import sys
import resource
import shutil
import signal
import subprocess
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pyutil"))
from srfiles import is_whole as whole, is_whole_hdf5 as whole_h5  # noqa: E402  (shared with Tests/cli)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REF_CKPT = os.path.join(ROOT, "..", "shared", "reference", "dcscn-tf",
                        "dcscn_L7_F32to8_G1.20_NIN_A24_B8_PS_R1F32.ckpt")
BIN = None
WORK = None
DISK = None
TABLE = []           # (command, fault, result)
TINY = ["--layers", "2", "--filters", "4", "--min-filters", "4", "--nin-a", "4", "--nin-b", "2",
        "--batch", "4", "--schedule", "constant", "--log-every", "5", "--threads", "1"]


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def same_content(path, reference):
    """Whether `path` holds what `reference` holds: PNGs byte for byte; HDF5 files (whose object
    headers carry modification times) by every attribute and dataset, with h5py when it is
    installed, else by a readable HDF5 signature and the same size."""
    if not path.endswith(".h5"):
        return sha(path) == sha(reference)
    try:
        import h5py
        import numpy
    except ImportError:
        with open(path, "rb") as f:
            return f.read(8) == b"\x89HDF\r\n\x1a\n" and os.path.getsize(path) == os.path.getsize(reference)

    def same(a, b):
        if sorted(a.attrs.keys()) != sorted(b.attrs.keys()):
            return False
        for k in a.attrs:
            if not numpy.array_equal(numpy.asarray(a.attrs[k]), numpy.asarray(b.attrs[k])):
                return False
        if isinstance(a, h5py.Dataset):
            return isinstance(b, h5py.Dataset) and a.dtype == b.dtype and numpy.array_equal(a[()], b[()])
        return sorted(a.keys()) == sorted(b.keys()) and all(same(a[k], b[k]) for k in a.keys())
    try:
        with h5py.File(path, "r") as a, h5py.File(reference, "r") as b:
            return same(a, b)
    except OSError:
        return False


def reason(stderr, dest):
    """The error line without its leading 'tool: error: <path>:' part, for the table."""
    name = os.path.basename(dest)
    lines = stderr.strip().splitlines()
    line = ([l for l in lines if name + ":" in l] or lines or [""])[-1]
    return line.split(name + ":", 1)[-1].strip() if name + ":" in line else line


def temporaries(folder):
    """Temporary files (`.<name>.tmp-<pid>...`, or any `*.tmp*`) anywhere under folder."""
    found = []
    for d, _, names in os.walk(folder):
        found += [os.path.join(d, n) for n in names if ".tmp" in n]
    return sorted(found)


def run(args, limit=None, timeout=120):
    """Runs a CLI; `limit`: a soft RLIMIT_FSIZE in bytes (the fallback full disk)."""
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        if limit is not None:
            hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=pre,
                          env=env, timeout=timeout, text=True, errors="replace")


class Disk:
    """A small file system that can be filled to leave `free_kb` KiB: a 4 MiB tmpfs, or (where
    mount is refused) a folder and a per-file size limit of `free_kb` KiB."""

    def __init__(self, path):
        self.path = path
        os.makedirs(path)
        if os.environ.get("SRCORE_FAULTS_NO_MOUNT"):   # to exercise the fallback where mount works
            r = subprocess.CompletedProcess([], 1, "", "SRCORE_FAULTS_NO_MOUNT is set")
        else:
            r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.tmpfs = r.returncode == 0
        self.why = "" if self.tmpfs else (r.stderr.strip() or "mount failed")
        self.limit = None

    def describe(self):
        if self.tmpfs:
            return "full disk: a 4 MiB tmpfs (mount -t tmpfs -o size=4m), filled to leave N KiB"
        return f"full disk: ulimit -S -f N KiB with SIGXFSZ ignored (mount refused: {self.why})"

    def clear(self):
        for n in os.listdir(self.path):
            p = os.path.join(self.path, n)
            shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)

    def prepare(self, free_kb, existing=None):
        """Empties the disk, writes `existing` {relative path: bytes}, leaves free_kb KiB."""
        self.clear()
        for rel, data in (existing or {}).items():
            p = os.path.join(self.path, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        if self.tmpfs:
            st = os.statvfs(self.path)
            fill = st.f_bavail * st.f_frsize - free_kb * 1024
            with open(os.path.join(self.path, "zz-filler"), "wb") as f:
                chunk = b"\0" * 65536
                while fill > 0:
                    try:
                        fill -= f.write(chunk[:min(fill, len(chunk))])
                    except OSError:
                        break
            self.limit = None
        else:
            self.limit = max(free_kb, 1) * 1024

    def grow(self):
        """Room for a rerun: a 64 MiB tmpfs, or no file-size limit."""
        if self.tmpfs:
            subprocess.run(["mount", "-o", "remount,size=64m", self.path], check=True)
            os.unlink(os.path.join(self.path, "zz-filler"))
        self.limit = None

    def shrink(self):
        if self.tmpfs:
            self.clear()
            subprocess.run(["mount", "-o", "remount,size=4m", self.path], check=True)

    def unmount(self):
        if self.tmpfs:
            subprocess.run(["umount", self.path])


def setup():
    """Builds the shared fixtures once (the first test case to start calls it)."""
    global WORK, DISK
    if WORK is not None:
        return
    WORK = tempfile.mkdtemp(prefix="srcore-faults-")
    DISK = Disk(os.path.join(WORK, "disk"))
    print(DISK.describe(), flush=True)
    os.makedirs(f"{WORK}/imgs")
    os.makedirs(f"{WORK}/big")
    for i in range(3):
        sr("sample", "-o", f"{WORK}/imgs/s{i}.png", "--width", "200", "--height", "160", "--seed", str(i + 1))
    for i in range(4):
        sr("sample", "-o", f"{WORK}/big/b{i}.png", "--width", "400", "--height", "300", "--seed", str(i + 5))
    sr("sample", "-o", f"{WORK}/large.png", "--width", "640", "--height", "480")
    for k in (1, 2):
        srprep("build", "--scale", "2", "--input", f"{WORK}/imgs", "-o", f"{WORK}/sh{k}.h5", "--patch", "16",
               "--quiet", "--shard", f"{k}/2", "--threads", "2")
    sr("train", "--data", f"{WORK}/sh2.h5", "--run-dir", f"{WORK}/run0", "--steps", "20",
       "--checkpoint-every", "10", "--no-tensorboard", *TINY)
    # A PNG whose header claims 1,000,000 x 1,000,000 pixels (the patch set would need petabytes).
    import struct
    import zlib

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    os.makedirs(f"{WORK}/huge")
    with open(f"{WORK}/huge/huge.png", "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 10**6, 10**6, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(b"\0" * 1001)) + chunk(b"IEND", b""))


def teardown():
    if WORK is None:
        return
    DISK.unmount()
    shutil.rmtree(WORK, ignore_errors=True)


def sr(*args):
    r = run([os.path.join(BIN, "sr"), *args])
    assert r.returncode == 0, f"sr {' '.join(args)}: {r.returncode}\n{r.stderr}"
    return r


def srprep(*args):
    r = run([os.path.join(BIN, "srprep"), *args])
    assert r.returncode == 0, f"srprep {' '.join(args)}: {r.returncode}\n{r.stderr}"
    return r


def record(command, fault, result):
    TABLE.append((command, fault, result))


def check_failed_cleanly(test, r, dest, before, folder=None):
    """A command that met the fault: non-zero exit, not by a signal; one error line naming `dest`
    (not a temporary file); no HDF5 trace or crash report; `dest` as before (bytes, or absent when
    `before` is None); no temporary file under `folder` (default: dest's folder)."""
    folder = folder or os.path.dirname(dest)
    test.assertGreater(r.returncode, 0, f"exit {r.returncode} (negative: killed by signal {-r.returncode})\n{r.stderr}")
    test.assertNotIn("HDF5-DIAG", r.stderr)
    test.assertNotIn("H5F", r.stderr)
    test.assertNotIn("crashed", r.stderr)
    test.assertNotIn(".tmp-", r.stderr, "the error names a temporary file, not the destination")
    test.assertIn(os.path.basename(dest), r.stderr, "the error does not name the destination")
    check_untouched(test, dest, before)
    test.assertEqual(temporaries(folder), [])


def check_untouched(test, dest, before):
    if before is None:
        test.assertFalse(os.path.exists(dest), f"{dest} appeared")
    else:
        with open(dest, "rb") as f:
            test.assertEqual(f.read(), before, f"{dest} changed")


def kill_during(args, folder, when, timeout=60):
    """Starts `args`, sends SIGKILL at `when` (seconds, or "temp": as soon as a temporary file
    appears under `folder`), waits; returns what happened ("killed ...", or "finished first")."""
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    t0 = time.monotonic()
    seen = None
    if isinstance(when, str):   # "temp", or "temp:<part of the destination's name>"
        part = when.partition(":")[2]
        while p.poll() is None and time.monotonic() - t0 < timeout:
            tmp = [t for t in temporaries(folder) if part in os.path.basename(t)]
            if tmp:
                seen = os.path.basename(tmp[0])
                break
            time.sleep(0.0005)
    else:
        try:
            p.wait(timeout=when)
        except subprocess.TimeoutExpired:
            pass
    if p.poll() is None:
        p.kill()
    p.wait()
    p.stderr.close()
    t = time.monotonic() - t0
    if p.returncode == -signal.SIGKILL:
        return f"killed at {t:.2f} s" + (f" ({seen})" if seen else "")
    if p.returncode != 0:
        raise AssertionError(f"{args}: exit {p.returncode} before the kill")
    return "finished first"
