"""Ctrl-C (SIGINT) while a tool is writing: exit 130, no temporary file left, the destination
absent or an earlier whole file untouched."""
import glob
import os
import re
import shutil
import signal
import subprocess
import time

from support import (CLITestCase, INTERRUPTED, OK, big_images, is_whole_hdf5, is_whole_png, is_whole_safetensors, patch_set, run, sha256,
                     start, wait_for)


class Interrupted:
    """A finished Popen, shaped like the CompletedProcess that CLITestCase.assertExit takes."""

    def __init__(self, proc, t0):
        try:
            self.stdout, self.stderr = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            self.stdout, self.stderr = proc.communicate()
        self.returncode = proc.returncode
        self.args = proc.args
        self.elapsed = time.monotonic() - t0


class InterruptTests(CLITestCase):
    def interrupt_when(self, proc, ready, what, timeout=60):
        """Sends SIGINT once `ready()` holds (the tool has started writing) and the tool still runs."""
        if not wait_for(ready, timeout, proc):
            proc.kill()
            out, err = proc.communicate()
            self.fail(f"never saw {what} (status {proc.returncode}): {err}")
        time.sleep(0.2)  # well inside the write
        self.assertIsNone(proc.poll(), f"finished before the SIGINT could be sent ({what}): too little work")
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        return Interrupted(proc, t0)

    def build(self, out, *extra):
        return start("srprep", "build", "--scale", 2, "--input", big_images(), "-o", out, "--threads", 2, *extra)

    def test_srprep_build_new_output(self):
        """The temporary .out.h5.tmp-PID exists (the build is writing patches) when SIGINT arrives:
        the handler removes it, nothing is left, status 130."""
        out = self.path("out.h5")
        proc = self.build(out)
        temp = self.path(f".out.h5.tmp-{proc.pid}")
        p = self.interrupt_when(proc, lambda: os.path.exists(temp) and os.path.getsize(temp) > 0, temp)
        self.assertExit(p, INTERRUPTED, "srprep: interrupted")
        self.assertFalse(os.path.exists(temp), "temporary file left")
        self.assertFalse(os.path.exists(out), "a partial output appeared")
        self.assertEqual(os.listdir(self.dir), [])

    def test_srprep_build_force_keeps_the_earlier_output(self):
        """With --force over an earlier patch set, an interrupted rebuild leaves that file byte for
        byte as it was."""
        out = self.path("out.h5")
        shutil.copy(patch_set(), out)
        before, mtime = sha256(out), os.stat(out).st_mtime_ns
        proc = self.build(out, "--force")
        temp = self.path(f".out.h5.tmp-{proc.pid}")
        p = self.interrupt_when(proc, lambda: os.path.exists(temp) and os.path.getsize(temp) > 0, temp)
        self.assertExit(p, INTERRUPTED)
        self.assertFalse(os.path.exists(temp), "temporary file left")
        self.assertEqual(sha256(out), before)
        self.assertEqual(os.stat(out).st_mtime_ns, mtime)
        self.assertEqual(os.listdir(self.dir), ["out.h5"])

    def test_sr_train(self):
        """A long run that checkpoints every step is stopped before the next step: status 130, no
        temporary file in the run folder, checkpoint.h5 and model.safetensors whole, and the run resumes."""
        rd = self.path("run")
        proc = start("sr", "train", "--data", patch_set(), "--run-dir", rd, "--batch", 4, "--steps", 100000,
                     "--checkpoint-every", 1, "--log-every", 1000, "--no-tensorboard")
        ck = os.path.join(rd, "checkpoint.h5")
        p = self.interrupt_when(proc, lambda: os.path.exists(ck), ck)
        self.assertExit(p, INTERRUPTED, ("sr: error: interrupted at step", "continue with --resume"))
        self.assertLess(p.elapsed, 10, "did not stop at the next step")
        self.assertNoTemporaries(rd)
        self.assertTrue(is_whole_hdf5(os.path.join(rd, "checkpoint.h5")))
        self.assertTrue(is_whole_safetensors(os.path.join(rd, "model.safetensors")))
        step = int(re.search(r"interrupted at step (\d+)", p.stderr).group(1))
        r = run("sr", "train", "--data", patch_set(), "--run-dir", rd, "--batch", 4, "--steps", step + 1,
                "--resume", "--no-tensorboard")
        self.assertExit(r, OK)
        self.assertIn(f"resumed at step {step}", r.stdout)

    def test_sr_upscale_folder(self):
        """SIGINT while the first output is being written: its temporary file is removed, and the
        output folder, created by this run and still empty, is removed too."""
        out = self.path("out")
        proc = start("sr", "upscale", big_images(), "-o", out, "--threads", 2, "--quiet")
        temps = lambda: glob.glob(os.path.join(out, ".b0.png.tmp-*"))
        p = self.interrupt_when(proc, lambda: len(temps()) > 0, "the first temporary PNG")
        self.assertExit(p, INTERRUPTED, "sr: error: interrupted after")
        if os.path.exists(out):
            # The first file finished just before the signal: only whole PNGs may be there.
            self.assertNoTemporaries(out)
            names = os.listdir(out)
            self.assertTrue(names and all(is_whole_png(os.path.join(out, n)) for n in names), names)
        else:
            self.assertEqual(os.listdir(self.dir), [])
