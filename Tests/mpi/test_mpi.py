#!/usr/bin/env python3
"""End-to-end tests of `mpirun -np N sr train` (docs/scale-out.md), Python stdlib only.

    python3 Tests/mpi/test_mpi.py BIN_DIR [-k PATTERN]

BIN_DIR holds the built `sr` and `srprep`. The truth each test checks against is an independent run:
a single process whose threads cover the same shares of each batch (equivalence), the same job
run twice (determinism), an uninterrupted run (resume with another N, killed-rank recovery), the
one-process `sr sweep` of the same plan (`mpirun -np 2 sr sweep`: same results.csv rows, each run once).
"""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

BIN = None
MPIRUN = ["mpirun", "--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,vader",
          "--mca", "oob_tcp_if_include", "lo"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
STEPS = 100
BATCH = 8


def tool(name):
    return os.path.join(BIN, name)


def run(args, timeout=300, env=ENV):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=env)


def mpi(n, *args, extra=()):
    return [*MPIRUN, *extra, "-np", str(n), tool("sr"), *args]


def tensors(path):
    """name -> raw bytes of every tensor of a safetensors file (header: u64 length + JSON)."""
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    return {k: body[v["data_offsets"][0]:v["data_offsets"][1]] for k, v in header.items() if k != "__metadata__"}


def losses(run_dir):
    with open(os.path.join(run_dir, "train.csv")) as f:
        return {int(r["step"]): float(r["loss"]) for r in csv.DictReader(f)}


class MPITrainTests(unittest.TestCase):
    tmp = None
    data = None
    cache = {}

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="srcore-mpi-")
        img = os.path.join(cls.tmp, "img")
        os.mkdir(img)
        for i in range(4):
            p = run([tool("sr"), "sample", "-o", os.path.join(img, f"s{i}.png"), "--width", 192, "--height", 160,
                     "--seed", i + 1])
            assert p.returncode == 0, p.stderr
        cls.data = os.path.join(cls.tmp, "p.h5")
        p = run([tool("srprep"), "build", "--scale", 2, "--input", img, "-o", cls.data, "--quiet"])
        assert p.returncode == 0, p.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def train_args(self, run_dir, threads, steps=STEPS, *more):
        return ["train", "--data", self.data, "--run-dir", run_dir, "--steps", steps, "--batch", BATCH,
                "--threads", threads, "--log-every", 1, "--checkpoint-every", 10, "--no-tensorboard",
                "--dropout-keep", 0.8, *more]

    def reference(self, name, n):
        """A 100-step run: one process with 2 threads (n = 0) or n ranks of 2/n threads; cached."""
        if name not in self.cache:
            d = os.path.join(self.tmp, name)
            args = self.train_args(d, 2) if n == 0 else self.train_args(d, 2 // n)
            p = run([tool("sr"), *args] if n == 0 else mpi(n, *args))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.cache[name] = d
        return self.cache[name]

    def test_two_ranks_match_two_threads(self):
        one, two = losses(self.reference("threads2", 0)), losses(self.reference("ranks2", 2))
        self.assertEqual(sorted(one), list(range(1, STEPS + 1)))
        self.assertEqual(sorted(one), sorted(two))
        worst = max(abs(one[s] - two[s]) / abs(one[s]) for s in one)
        self.assertLess(worst, 1e-5, "loss curves of 2 ranks x 1 thread and 1 process x 2 threads differ")

    def test_same_ranks_bit_identical(self):
        a = self.reference("ranks2", 2)
        b = os.path.join(self.tmp, "ranks2-again")
        p = run(mpi(2, *self.train_args(b, 1)))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(losses(a), losses(b))
        self.assertEqual(tensors(os.path.join(a, "model.safetensors")), tensors(os.path.join(b, "model.safetensors")))

    def test_checksum_guard_stops_diverged_ranks(self):
        d = os.path.join(self.tmp, "perturbed")
        env = dict(ENV, SRCORE_TEST_PERTURB_RANK="1")
        p = run(mpi(2, *self.train_args(d, 1, 20, "--sync-check", 5), extra=["-x", "SRCORE_TEST_PERTURB_RANK"]), env=env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ranks out of step at step 5", p.stderr)
        # Unperturbed, the same job passes its checks.
        p = run(mpi(2, *self.train_args(d + "-ok", 1, 20, "--sync-check", 1)))
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_batch_must_divide_over_ranks(self):
        p = run(mpi(3, *self.train_args(os.path.join(self.tmp, "three"), 1, 5)))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("does not divide over 3 ranks", p.stderr)

    def test_batch_norm_is_refused_under_mpirun(self):
        # Its batch statistics are not averaged over the ranks: a clear refusal, not a silent difference.
        p = run(mpi(2, *self.train_args(os.path.join(self.tmp, "bn"), 1, 5, "--batch-norm")))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("batch norm is not supported under mpirun", p.stderr)

    def test_resume_with_another_number_of_ranks(self):
        # 2 ranks to step 50, then one process with 2 threads to 100: the uninterrupted 1-process run.
        d = os.path.join(self.tmp, "resume")
        p = run(mpi(2, *self.train_args(d, 1, 50)))
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run([tool("sr"), *self.train_args(d, 2), "--resume"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("resumed at step 50", p.stdout)
        ref = self.reference("threads2", 0)
        self.assertEqual(tensors(os.path.join(d, "model.safetensors")), tensors(os.path.join(ref, "model.safetensors")))

    def test_killed_rank_then_resume(self):
        d = os.path.join(self.tmp, "killed")
        args = mpi(2, *self.train_args(d, 1, STEPS * 4))
        job = subprocess.Popen([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        victim = None
        deadline = time.time() + 120
        while time.time() < deadline and job.poll() is None:
            try:
                if max(losses(d), default=0) >= 25:
                    victim = rank_pid(job.pid, 1)
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.05)
        self.assertIsNotNone(victim, "the job ended or never reached step 25")
        os.kill(victim, signal.SIGKILL)
        _, err = job.communicate(timeout=60)
        self.assertNotEqual(job.returncode, 0, "mpirun must end the job when a rank dies")
        # The last checkpoint is whole: --resume continues to the end and matches the uninterrupted run.
        p = run(mpi(2, *self.train_args(d, 1), "--resume"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"resumed at step [1-9]\d*0 ")
        ref = self.reference("ranks2", 2)
        self.assertEqual(tensors(os.path.join(d, "model.safetensors")), tensors(os.path.join(ref, "model.safetensors")))

    def test_two_rank_build_equals_one_process_build(self):
        import h5py
        import numpy as np
        tmp = self.tmp
        img = os.path.join(tmp, "img")
        one, two = os.path.join(tmp, "one.h5"), os.path.join(tmp, "two.h5")
        common = ["build", "--scale", 2, "--input", img, "--quiet", "--augment", 2, "--threads", 1]
        p = run([tool("srprep"), *common, "-o", one])
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run([*MPIRUN, "-np", "2", tool("srprep"), *common, "-o", two])
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run([tool("srprep"), "inspect", two])
        self.assertEqual(p.returncode, 0, p.stderr)
        with h5py.File(one, "r") as a, h5py.File(two, "r") as b:
            for name in ("lr", "hr"):
                x, y = np.asarray(a[name]), np.asarray(b[name])
                self.assertEqual(x.shape, y.shape)
                key = lambda m: sorted(r.tobytes() for r in m.reshape(m.shape[0], -1))
                self.assertEqual(key(x), key(y), f"/{name}: the two builds hold different patches")
        # The trainer accepts the merged set, with and without mpirun.
        p = run(mpi(2, "train", "--data", two, "--run-dir", os.path.join(tmp, "on-merged"), "--steps", 3,
                    "--batch", BATCH, "--threads", 1, "--no-tensorboard"))
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_upscale_and_eval_split_over_ranks(self):
        img = os.path.join(self.tmp, "img")
        one, two = os.path.join(self.tmp, "up1"), os.path.join(self.tmp, "up2")
        p = run([tool("sr"), "upscale", img, "-o", one, "--quiet"])
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run(mpi(2, "upscale", img, "-o", two, "--quiet"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.count("4 upscaled, 0 skipped, 0 failed"), 1, "rank 0 alone prints the totals")
        self.assertEqual(sorted(os.listdir(one)), sorted(os.listdir(two)))
        for name in os.listdir(one):
            with open(os.path.join(one, name), "rb") as a, open(os.path.join(two, name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)
        alone = run([tool("sr"), "eval", img, "--json"])
        self.assertEqual(alone.returncode, 0, alone.stderr)
        split = run(mpi(3, "eval", img, "--json"))
        self.assertEqual(split.returncode, 0, split.stderr)
        self.assertEqual(json.loads(alone.stdout), json.loads(split.stdout))
        self.assertEqual(split.stdout.count('"model"'), 1, "rank 0 alone prints the report")

    def sweep_args(self, out, vary="lr=0.003,0.001", seeds=2):
        """A tiny sweep: 2 configs x `seeds` seeds of 20 steps of a 3-layer network, one thread each."""
        return ["sweep", "--out", out, "--vary", vary, "--seeds", seeds, "--steps", 20, "--",
                "--data", self.data, "--batch", 4, "--schedule", "constant", "--layers", 3, "--filters", 8,
                "--min-filters", 4, "--nin-a", 6, "--nin-b", 4, "--val", os.path.join(self.tmp, "img"),
                "--val-every", 10, "--log-every", 5, "--checkpoint-every", 10, "--no-tensorboard", "--threads", 1]

    def test_sweep_over_ranks_equals_one_process(self):
        one, two = os.path.join(self.tmp, "sweep1"), os.path.join(self.tmp, "sweep2")
        p = run([tool("sr"), *self.sweep_args(one)])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = run(mpi(2, *self.sweep_args(two)))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        runs = [("baseline", "000-baseline", 1), ("baseline", "000-baseline", 2),
                ("lr=0.001", "001-lr=0.001", 1), ("lr=0.001", "001-lr=0.001", 2)]
        # The plan's runs dealt out: run i on rank i % 2, each started once, each trained once.
        for i, (name, folder, seed) in enumerate(runs):
            self.assertEqual(p.stdout.count(f"sweep: start {name} seed {seed} on rank {i % 2}:"), 1, p.stdout)
            self.assertEqual(p.stdout.count(f"sweep: start {name} seed {seed} "), 1, p.stdout)
            with open(os.path.join(two, folder, f"seed-{seed}", "train.log")) as f:
                self.assertEqual(sum(line.startswith("training ") for line in f), 1, f"{folder}/seed-{seed} trained twice")
        self.assertEqual(p.stdout.count("sweep: 4 runs in"), 1, "rank 0 alone writes the reports")
        # The same rows as the one-process sweep (time_s aside).
        def rows(out):
            with open(os.path.join(out, "results.csv")) as f:
                return [{k: v for k, v in r.items() if k != "time_s"} for r in csv.DictReader(f)]
        self.assertEqual(len(rows(two)), 4)
        self.assertEqual(rows(one), rows(two))
        for name in ("summary.md", "sweep.svg"):
            self.assertTrue(os.path.getsize(os.path.join(two, name)) > 0, name)
        # A rerun under mpirun trains nothing and leaves the finished runs alone.
        marks = {r: os.stat(os.path.join(two, r[1], f"seed-{r[2]}", "done")).st_mtime_ns for r in runs}
        p = run(mpi(2, *self.sweep_args(two)))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("sweep: start ", p.stdout)
        self.assertEqual(p.stdout.count("done, kept"), 4, p.stdout)
        for r, t in marks.items():
            self.assertEqual(os.stat(os.path.join(two, r[1], f"seed-{r[2]}", "done")).st_mtime_ns, t)
        self.assertEqual(rows(one), rows(two))
        # Resume: seed 1 of each config alone, then under mpirun the plan of 2 seeds deals out the rest.
        part = os.path.join(self.tmp, "sweep-part")
        p = run([tool("sr"), *self.sweep_args(part, seeds=1)])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = run(mpi(2, *self.sweep_args(part)))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stdout.count("seed 1 done, kept"), 2, p.stdout)
        self.assertEqual(p.stdout.count("sweep: start "), 2, p.stdout)
        self.assertIn("sweep: start baseline seed 2 on rank 0:", p.stdout)
        self.assertIn("sweep: start lr=0.001 seed 2 on rank 1:", p.stdout)
        self.assertEqual(rows(one), rows(part))

    def test_sweep_failed_run_on_one_rank_ends_the_job(self):
        # Run 1 (rank 1) fails in its child sr train; rank 0's run finishes, the reports hold it, the job fails.
        out = os.path.join(self.tmp, "sweep-fail")
        p = run(mpi(2, *self.sweep_args(out, vary="micro-batch=1,99", seeds=1)), timeout=180)
        self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("sweep: micro-batch=99 seed 1 failed", p.stderr)
        self.assertEqual(p.stderr.count("sweep: 1 run(s) failed"), 1, p.stderr)
        with open(os.path.join(out, "results.csv")) as f:
            self.assertEqual([(r["config"], r["seed"]) for r in csv.DictReader(f)], [("baseline", "1")])


def rank_pid(mpirun_pid, rank):
    """The pid of the sr process of `rank` started by the mpirun `mpirun_pid`."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if ppid == mpirun_pid and f"OMPI_COMM_WORLD_RANK={rank}".encode() in env:
            return int(pid)
    return None


def main():
    global BIN
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    BIN = os.path.abspath(args[0])
    if shutil.which("mpirun") is None:
        print("mpi tests: mpirun is not installed (make deps installs openmpi-bin)", file=sys.stderr)
        return 2
    loader = unittest.TestLoader()
    if len(args) >= 3 and args[1] == "-k":
        loader.testNamePatterns = [f"*{args[2]}*"]
    suite = loader.loadTestsFromTestCase(MPITrainTests)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
