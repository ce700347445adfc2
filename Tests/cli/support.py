"""Shared helpers of the end-to-end CLI tests: run the built sr and srprep binaries as a user
would, and make the input files they need (generated with `sr sample`, so nothing is downloaded).

The binaries' folder comes from the SR_BIN_DIR environment variable (run.py sets it from its
argument). The reference checkpoints are read from ../shared (relative to the repository root)
when present; tests that need them skip with a message otherwise.
"""
import atexit
import hashlib
import os
import sys
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pyutil"))
from srfiles import is_whole_hdf5, is_whole_safetensors  # noqa: E402  (shared with Tests/faults)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.path.join(ROOT, "..", "shared")
CHECKPOINTS = os.path.join(SHARED, "reference", "dcscn-tf")
CKPT_NAME = "dcscn_L7_F32to8_G1.20_NIN_A24_B8_PS_R1F32.ckpt"

# The exit statuses both tools document (Sources/SRCLI/ExitStatus.swift).
OK, USAGE, DATA, EXISTS, IOERR, INTERRUPTED = 0, 64, 65, 73, 74, 130

# A whole run must never hang the suite.
TIMEOUT = 120

_session = None
_cache = {}


def bin_dir():
    d = os.environ.get("SR_BIN_DIR")
    if not d:
        raise RuntimeError("SR_BIN_DIR is not set (run the tests with Tests/cli/run.py BIN_DIR)")
    return d


def tool(name):
    return os.path.join(bin_dir(), name)


def _child_defaults():
    # The tools keep a SIGINT their parent ignores ignored; start them with the default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run(name, *args, cwd=None, timeout=TIMEOUT):
    """Runs a tool to completion; returns the CompletedProcess (text) with .elapsed seconds."""
    t0 = time.monotonic()
    p = subprocess.run([tool(name), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                       timeout=timeout, preexec_fn=_child_defaults)
    p.elapsed = time.monotonic() - t0
    return p


def start(name, *args, cwd=None):
    """Starts a tool in the background (stdout/stderr to pipes)."""
    return subprocess.Popen([tool(name), *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_child_defaults)


def session_dir():
    """One temporary folder for the fixtures of the whole run, removed at exit."""
    global _session
    if _session is None:
        _session = tempfile.mkdtemp(prefix="srcore-cli-")
        atexit.register(shutil.rmtree, _session, True)
    return _session


def sample(path, width, height, seed):
    p = run("sr", "sample", "-o", path, "--width", width, "--height", height, "--seed", seed)
    if p.returncode != 0:
        raise RuntimeError(f"sr sample failed: {p.stderr}")
    return path


def small_images():
    """A folder of four small RGB PNGs (96x80)."""
    if "small" not in _cache:
        d = os.path.join(session_dir(), "small")
        os.mkdir(d)
        for i in range(4):
            sample(os.path.join(d, f"s{i}.png"), 96, 80, i + 1)
        _cache["small"] = d
    return _cache["small"]


def big_images():
    """A folder of four large PNGs (1000x800): seconds of work for srprep build and sr upscale,
    so that a Ctrl-C lands while the output is being written."""
    if "big" not in _cache:
        d = os.path.join(session_dir(), "big")
        os.mkdir(d)
        for i in range(4):
            sample(os.path.join(d, f"b{i}.png"), 1000, 800, i + 1)
        _cache["big"] = d
    return _cache["big"]


def patch_set():
    """A small x2 patch set (8 patches of 32x32) for sr train and srprep inspect/merge."""
    if "patches" not in _cache:
        out = os.path.join(session_dir(), "small-x2.h5")
        p = run("srprep", "build", "--scale", 2, "--input", small_images(), "-o", out, "--augment", 1, "--quiet")
        if p.returncode != 0:
            raise RuntimeError(f"srprep build failed: {p.stderr}")
        _cache["patches"] = out
    return _cache["patches"]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def temporaries(folder):
    """Files left by an atomic write in `folder` (recursively): '.NAME.tmp-PID...', 'NAME.tmp...'."""
    found = []
    for dirpath, _, files in os.walk(folder):
        found += [os.path.join(dirpath, f) for f in files if ".tmp" in f]
    return found


def is_whole_png(path):
    with open(path, "rb") as f:
        data = f.read()
    return data.startswith(b"\x89PNG\r\n\x1a\n") and data[-12:-4] == b"\x00\x00\x00\x00IEND"


def wait_for(predicate, timeout, proc=None, interval=0.02):
    """Polls until predicate() is true; False on timeout or when `proc` has exited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if predicate():
            return True
        if proc is not None and proc.poll() is not None:
            return predicate()
        time.sleep(interval)
    return False


class CLITestCase(unittest.TestCase):
    """A test with its own temporary folder (self.dir)."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="t-", dir=session_dir())

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def assertExit(self, proc, status, stderr_has=(), quick=None):
        """Exit status `status`, every string of `stderr_has` in stderr, and (with `quick`) done in
        under that many seconds."""
        detail = f"\n$ {' '.join(proc.args)}\nstatus {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
        self.assertEqual(proc.returncode, status, "wrong exit status" + detail)
        if isinstance(stderr_has, str):
            stderr_has = (stderr_has,)
        for s in stderr_has:
            self.assertIn(s, proc.stderr, "stderr lacks the expected message" + detail)
        if quick is not None:
            self.assertLess(proc.elapsed, quick, "took too long" + detail)

    def assertNoTemporaries(self, folder):
        self.assertEqual(temporaries(folder), [], "temporary files left behind")
