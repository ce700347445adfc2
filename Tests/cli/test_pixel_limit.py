"""The pixel limit (--max-pixels, docs/fuzzing.md "Pixel limit") as a user meets it: a 145-byte PNG
that declares 26000 x 26000 pixels is refused from its header, at once and in little memory (it used
to take 17 s and 7.96 GB before "Not enough image data"). Peak memory is measured with
/usr/bin/time -v when it is installed, else from the child's rusage."""
import os
import re
import struct
import subprocess
import sys
import time
import unittest
import zlib

from support import DATA, OK, ROOT, USAGE, CLITestCase, run, small_images, tool

RSS_LIMIT_KB = 50 * 1024
DEFAULT_LIMIT = 268435456


def crafted_png(width=26000, height=26000, color_type=2, data_bytes=77):
    """Valid chunks around a header claiming width x height 8-bit pixels: the IDAT is one stored
    zlib block of zeros, a valid stream that ends long before the first row (as
    Tests/SRTestSupport/CraftedPNG.swift builds it)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    z = b"\x78\x01\x01" + struct.pack("<HH", data_bytes, data_bytes ^ 0xFFFF) + bytes(data_bytes) \
        + struct.pack(">I", (data_bytes << 16) | 1)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", z) + chunk(b"IEND", b"")


def measured(name, *args):
    """Runs a tool; returns (CompletedProcess with .elapsed, peak RSS in KiB)."""
    cmd = [tool(name), *map(str, args)]
    if os.access("/usr/bin/time", os.X_OK):
        t0 = time.monotonic()
        p = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, timeout=120)
        p.elapsed = time.monotonic() - t0
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
        return p, int(m.group(1)) if m else None
    # No /usr/bin/time: a fresh Python child runs the tool, so RUSAGE_CHILDREN is that tool's alone.
    probe = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(p.returncode)")
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, timeout=120)
    p.elapsed = time.monotonic() - t0
    return p, int(p.stderr.strip().splitlines()[-1])


def room_for(nbytes):
    """Whether this machine's overcommit policy lets a process reserve `nbytes` it never touches."""
    try:
        mode = int(open("/proc/sys/vm/overcommit_memory").read())
        info = dict(line.split(":", 1) for line in open("/proc/meminfo"))
        total = sum(int(info[k].split()[0]) * 1024 for k in ("MemTotal", "SwapTotal"))
    except (OSError, ValueError, KeyError):
        return False
    return mode == 1 or (mode == 0 and nbytes < total)


class PixelLimitTests(CLITestCase):
    def setUp(self):
        super().setUp()
        self.huge = self.path("huge.png")
        with open(self.huge, "wb") as f:
            f.write(crafted_png())
        self.assertEqual(os.path.getsize(self.huge), 145)

    def test_a_145_byte_png_of_26000x26000_is_refused_at_once_in_little_memory(self):
        p, rss = measured("sr", "upscale", self.huge, "-o", self.path("out.png"), "--quiet")
        self.assertNotEqual(p.returncode, OK, p.stderr)
        self.assertIn(f"huge.png: 26000x26000 = 676000000 pixels exceeds the limit of {DEFAULT_LIMIT}", p.stderr)
        self.assertLess(p.elapsed, 5, "took too long")
        self.assertIsNotNone(rss)
        self.assertLess(rss, RSS_LIMIT_KB, f"peak RSS {rss} KiB")
        self.assertFalse(os.path.exists(self.path("out.png")))
        print(f"\n    sr upscale (145-byte 26000x26000 PNG): {p.elapsed:.2f} s, peak RSS {rss / 1024:.1f} MiB",
              file=sys.stderr, end=" ")

    def test_without_a_limit_the_truncated_file_still_costs_only_what_it_holds(self):
        # The LR planes (8.1 GB of float for 26000 x 26000 RGB) are reserved but never written.
        if not room_for(3 * 26000 * 26000 * 4):
            self.skipTest("this machine's overcommit policy refuses an 8 GB reservation")
        p, rss = measured("sr", "upscale", self.huge, "-o", self.path("out.png"), "--quiet", "--max-pixels", 0)
        self.assertEqual(p.returncode, DATA, p.stderr)
        self.assertIn("huge.png: Not enough image data", p.stderr)
        self.assertLess(p.elapsed, 5, "took too long")
        self.assertLess(rss, RSS_LIMIT_KB, f"peak RSS {rss} KiB")

    def test_eval_and_srprep_apply_the_limit_and_validate_it(self):
        folder = small_images()  # 96 x 80 = 7680 pixels each
        model = os.path.join(ROOT, "Models", "dcscn-x2.safetensors")
        if os.path.exists(model):
            p = run("sr", "eval", "--model", model, folder, "--max-pixels", 7679)
            self.assertExit(p, 1, "96x80 = 7680 pixels exceeds the limit of 7679", quick=30)
        p = run("srprep", "build", "--scale", 2, "--input", folder, "-o", self.path("p.h5"), "--max-pixels", 7679, "--quiet")
        self.assertExit(p, 1, "96x80 = 7680 pixels exceeds the limit of 7679", quick=30)
        self.assertFalse(os.path.exists(self.path("p.h5")))
        p = run("srprep", "build", "--scale", 2, "--input", folder, "-o", self.path("p.h5"), "--max-pixels", 7680,
                "--augment", 1, "--quiet")
        self.assertExit(p, OK)
        for argv in (("sr", "upscale", self.huge, "-o", self.path("o.png")),
                     ("srprep", "build", "--scale", 2, "--input", folder, "-o", self.path("q.h5"))):
            with self.subTest(tool=argv[0]):
                p = run(*argv, "--max-pixels", -1)
                self.assertExit(p, USAGE, "--max-pixels must be in 0...")


if __name__ == "__main__":
    unittest.main()
