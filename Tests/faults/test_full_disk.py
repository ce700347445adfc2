"""A full disk for every command that writes (docs/faults.md): each level of free space makes a
different write fail (HDF5 metadata, rows, the PNG, a checkpoint, a snapshot, a log). Every failure
must be clean (faultlib.check_failed_cleanly); a level with room enough must give the same file as
on a roomy disk."""
import os
import shutil
import unittest

import faultlib as F


class FullDiskTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        F.setup()

    def sweep(self, name, command, dest_rel, levels, reference=None):
        """Runs `command(dest)` with each level of free KiB, with no destination and with an old
        file in its place; a run that fits must write `reference`'s bytes (when given)."""
        outcomes = {}
        for free in levels:
            for old in (None, os.urandom(1500)):
                dest = os.path.join(F.DISK.path, dest_rel)
                with self.subTest(free_kib=free, old_file=old is not None):
                    F.DISK.prepare(free, {dest_rel: old} if old is not None else None)
                    r = F.run(command(dest), limit=F.DISK.limit)
                    if r.returncode == 0:
                        self.assertEqual(F.temporaries(F.DISK.path), [])
                        if reference:
                            self.assertTrue(F.same_content(dest, reference), f"{dest} differs from {reference}")
                        result = "fits: written whole"
                    else:
                        F.check_failed_cleanly(self, r, dest, old)
                        result = "clean error: " + F.reason(r.stderr, dest)
                    outcomes.setdefault(result.split(":")[0], []).append(f"{free}{'+old' if old else ''}")
                    F.record(name, f"{free} KiB free" + (", old file in place" if old else ""), "ok, " + result[:70])
        return outcomes

    def reference(self, name, command):
        os.makedirs(F.WORK + "/ref", exist_ok=True)   # not the shards' folder: merge then stores absolute paths
        path = os.path.join(F.WORK, "ref", name)
        if not os.path.exists(path):
            r = F.run(command(path))
            self.assertEqual(r.returncode, 0, r.stderr)
        return path

    def test_srprep_build(self):
        cmd = lambda out: [F.BIN + "/srprep", "build", "--scale", "2", "--input", F.WORK + "/imgs", "-o", out,
                           "--patch", "16", "--quiet", "--force", "--threads", "2"]
        self.sweep("srprep build", cmd, "set.h5", [0, 4, 16, 64, 1024, 3500])

    def test_srprep_build_huge_header(self):
        # 1,000,000 x 1,000,000 pixels claimed: the file would exceed the file system's limit (EFBIG).
        # The default pixel limit refuses such a header first; it is lifted (--max-pixels 0) so the
        # patch-set writer meets the EFBIG it must report cleanly.
        for folder in (F.WORK + "/hugeout", F.DISK.path):
            F.DISK.prepare(1024)
            os.makedirs(folder, exist_ok=True)
            dest = folder + "/huge.h5"
            r = F.run([F.BIN + "/srprep", "build", "--scale", "2", "--input", F.WORK + "/huge", "-o", dest,
                       "--patch", "16", "--quiet", "--threads", "1", "--max-pixels", "0"], limit=F.DISK.limit)
            F.check_failed_cleanly(self, r, dest, None)
            F.record("srprep build", "PNG header 10^6 x 10^6" + (" (small disk)" if folder == F.DISK.path else ""),
                     "ok, clean error: " + F.reason(r.stderr, dest)[:70])

    def test_srprep_merge(self):
        cmd = lambda out: [F.BIN + "/srprep", "merge", F.WORK + "/sh1.h5", F.WORK + "/sh2.h5", "-o", out, "--force"]
        ref = self.reference("merged.h5", cmd)
        out = self.sweep("srprep merge", cmd, "merged.h5", [0, 4, 16, 64, 128, 1024], reference=ref)
        self.assertIn("fits", out)
        # The merged set written at the roomy level reads back (its shards are absolute paths).
        F.DISK.prepare(1024)
        r = F.run(cmd(F.DISK.path + "/merged.h5"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(F.run([F.BIN + "/srprep", "inspect", F.DISK.path + "/merged.h5"]).returncode, 0)

    def test_sr_upscale(self):
        model = F.WORK + "/run0/model.safetensors"
        cmd = lambda out: [F.BIN + "/sr", "upscale", F.WORK + "/imgs/s0.png", "-o", out, "--model", model,
                           "--force", "--quiet"]
        ref = self.reference("up.png", cmd)
        self.assertIn("fits", self.sweep("sr upscale", cmd, "up.png", [0, 4, 32, 100, 1024], reference=ref))

    def test_sr_import_tf(self):
        if not os.path.exists(F.REF_CKPT + ".index"):
            F.record("sr import-tf", "full disk", "SKIPPED: no ../shared reference checkpoint")
            self.skipTest("no ../shared/reference/dcscn-tf checkpoint")
        cmd = lambda out: [F.BIN + "/sr", "import-tf", F.REF_CKPT, "-o", out, "--force"]
        ref = self.reference("imported.h5", cmd)
        self.assertIn("fits", self.sweep("sr import-tf", cmd, "model.h5", [0, 8, 64, 128, 1024], reference=ref))

    def train(self, run_dir, steps, resume=False, limit=None):
        args = [F.BIN + "/sr", "train", "--data", F.WORK + "/sh2.h5", "--run-dir", run_dir, "--steps", str(steps),
                "--checkpoint-every", "10", *F.TINY] + (["--resume"] if resume else [])
        return F.run(args, limit=limit)

    def test_sr_train(self):
        """Fresh runs and resumed runs: whichever file meets the full disk (train.csv, the event file,
        checkpoint.h5, model.safetensors, a snapshot), the error is clean, the files that were there are as
        they were or whole, and on a roomy disk `--resume` (or a fresh run) completes."""
        run0 = F.WORK + "/run0"
        for resume in (False, True):
            for free in [0, 8, 16, 24, 32, 48, 64, 80, 100, 140]:
                with self.subTest(free_kib=free, resume=resume):
                    run_dir = F.DISK.path + "/run"
                    existing = {}
                    if resume:   # the finished 20-step run, to be continued to 40 steps
                        for d, _, names in os.walk(run0):
                            for n in names:
                                with open(os.path.join(d, n), "rb") as f:
                                    existing[os.path.join("run", os.path.relpath(d, run0), n)] = f.read()
                    F.DISK.prepare(free, existing)
                    before = {n: existing["run/./" + n] for n in ("checkpoint.h5", "model.safetensors")} if resume else {}
                    r = self.train(run_dir, 40 if resume else 20, resume=resume, limit=F.DISK.limit)
                    if r.returncode == 0:
                        result = "fits"
                    else:
                        self.assertGreater(r.returncode, 0, r.stderr)
                        self.assertNotIn("HDF5-DIAG", r.stderr)
                        self.assertNotIn(".tmp-", r.stderr)
                        self.assertIn(run_dir, r.stderr)
                        line = r.stderr.strip().splitlines()[-1]
                        result = "clean error: " + line.split(run_dir + "/", 1)[-1][:60]
                    self.assertEqual(F.temporaries(F.DISK.path), [])
                    for n, data in before.items():
                        with open(os.path.join(run_dir, n), "rb") as f:
                            now = f.read()
                        if now != data:
                            self.assertTrue(F.whole(os.path.join(run_dir, n)))
                            result += f"; new {n} whole"
                    # Room again: the run resumes from what is there (proving checkpoint.h5 whole).
                    F.DISK.grow()
                    again = self.train(run_dir, 40 if resume else 20,
                                       resume=os.path.exists(run_dir + "/checkpoint.h5"))
                    self.assertEqual(again.returncode, 0, again.stderr)
                    self.assertEqual(again.stderr, "")
                    self.assertEqual(F.temporaries(F.DISK.path), [])
                    F.DISK.shrink()
                    F.record("sr train" + (" --resume" if resume else ""), f"{free} KiB free",
                             f"ok, {result[:80]}; rerun ok")

    def test_sr_train_exit_is_quiet(self):
        """Regression: about 1 run in 4 printed an "H5Fclose ... invalid file identifier" trace at
        exit (the prefetch thread's last reference closed the patch set after H5_term_library)."""
        noisy = 0
        for i in range(12):
            run_dir = f"{F.WORK}/quiet{i}"
            r = self.train(run_dir, 20)
            self.assertEqual(r.returncode, 0, r.stderr)
            noisy += r.stderr != ""
            shutil.rmtree(run_dir)
        self.assertEqual(noisy, 0)
        F.record("sr train", "12 runs, exit after training", "ok, no HDF5 trace at exit")
