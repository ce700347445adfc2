"""kill -9 at several moments of every command that writes (docs/faults.md): as soon as a temporary
file appears, and after fixed delays. The destination must then be the old file or the whole new
one (the same bytes as an uninterrupted run), and a rerun must complete and remove the stale
temporary files of the killed process."""
import os
import shutil
import unittest

import faultlib as F

POINTS = ["temp", 0.05, 0.2, 0.5]


class KillTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        F.setup()

    def kill_and_rerun(self, name, command, dest):
        folder = os.path.dirname(dest)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        r = F.run(command)
        self.assertEqual(r.returncode, 0, r.stderr)
        reference = os.path.join(F.WORK, "ref-kill-" + os.path.basename(dest))
        os.replace(dest, reference)
        old = b"the old file\n"
        for when in POINTS:
            with self.subTest(kill_at=when):
                shutil.rmtree(folder)
                os.makedirs(folder)
                with open(dest, "wb") as f:
                    f.write(old)
                what = F.kill_during(command, folder, when)
                with open(dest, "rb") as f:
                    data = f.read()
                state = "old file" if data == old else "new file"
                if data != old:
                    self.assertTrue(F.same_content(dest, reference), "the destination is neither the old nor the whole new file")
                stale = F.temporaries(folder)
                r = F.run(command)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertTrue(F.same_content(dest, reference))
                self.assertEqual(F.temporaries(folder), [], "the rerun left stale temporary files")
                F.record(name, f"kill -9 at {when}" + ("" if isinstance(when, str) else " s"),
                         f"ok, {what}: {state}, {len(stale)} stale temp; rerun whole")

    def test_srprep_build(self):
        dest = F.WORK + "/kill-build/set.h5"
        self.kill_and_rerun("srprep build", [F.BIN + "/srprep", "build", "--scale", "2", "--input", F.WORK + "/big",
                                             "-o", dest, "--patch", "16", "--augment", "4", "--quiet", "--force",
                                             "--threads", "2"], dest)

    def test_srprep_merge(self):
        dest = F.WORK + "/kill-merge/merged.h5"
        self.kill_and_rerun("srprep merge", [F.BIN + "/srprep", "merge", F.WORK + "/sh1.h5", F.WORK + "/sh2.h5",
                                             "-o", dest, "--force"], dest)

    def test_sr_upscale(self):
        dest = F.WORK + "/kill-upscale/up.png"
        self.kill_and_rerun("sr upscale", [F.BIN + "/sr", "upscale", F.WORK + "/large.png", "-o", dest,
                                           "--model", F.WORK + "/run0/model.safetensors", "--force", "--quiet"], dest)

    def test_sr_import_tf(self):
        if not os.path.exists(F.REF_CKPT + ".index"):
            F.record("sr import-tf", "kill -9", "SKIPPED: no ../shared reference checkpoint")
            self.skipTest("no ../shared/reference/dcscn-tf checkpoint")
        dest = F.WORK + "/kill-import/model.h5"
        self.kill_and_rerun("sr import-tf", [F.BIN + "/sr", "import-tf", F.REF_CKPT, "-o", dest, "--force"], dest)

    def test_sr_train(self):
        """Killed at any moment, the run folder holds whole files only, and `--resume` (or a fresh
        run when no checkpoint was written yet) completes and removes the stale temporary files."""
        run_dir = F.WORK + "/kill-train"
        args = [F.BIN + "/sr", "train", "--data", F.WORK + "/sh2.h5", "--run-dir", run_dir, "--steps", "600",
                "--checkpoint-every", "15", *F.TINY]
        for when in POINTS + ["temp:checkpoint", "temp:model", 1.0]:
            with self.subTest(kill_at=when):
                shutil.rmtree(run_dir, ignore_errors=True)
                what = F.kill_during(args, run_dir, when)
                stale = F.temporaries(run_dir)
                for d, _, names in os.walk(run_dir):
                    for n in names:
                        if n.endswith((".h5", ".safetensors")) and ".tmp" not in n:
                            self.assertTrue(F.whole(os.path.join(d, n)), f"{n} is not whole after kill -9")
                resume = os.path.exists(run_dir + "/checkpoint.h5")
                r = F.run(args + (["--resume"] if resume else []))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stderr, "")
                if resume:
                    self.assertIn("resumed at step", r.stdout)
                self.assertEqual(F.temporaries(run_dir), [], "the rerun left stale temporary files")
                F.record("sr train", f"kill -9 at {when}" + ("" if isinstance(when, str) else " s"),
                         f"ok, {what}: {len(stale)} stale temp; " + ("--resume" if resume else "fresh rerun")
                         + " completes")
