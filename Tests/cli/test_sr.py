"""sr upscale / train / import-tf / eval / bench / sample as a user runs them: exit statuses,
messages, files."""
import json
import os
import shutil
import unittest

from support import (CHECKPOINTS, ROOT, CKPT_NAME, CLITestCase, DATA, EXISTS, IOERR, OK, USAGE, is_whole_hdf5, is_whole_safetensors,
                     is_whole_png, patch_set, run, sha256, small_images)


class HelpTests(CLITestCase):
    def test_help_documents_exit_codes_and_lists_choices(self):
        p = run("sr", "--help")
        self.assertExit(p, OK)
        for s in ("Exit codes:", "64 bad arguments", "65 bad input data", "73 output exists", "74 I/O error",
                  "130 interrupted"):
            self.assertIn(s, " ".join(p.stdout.split()))
        for command, values in (("bench", "values: c-DCSCN, L12"), ("train", "values: step, cosine, constant"),
                                ("upscale", "values: 2, 3, 4"), ("upscale", "values: 8, 16")):
            with self.subTest(command=command):
                p = run("sr", command, "--help")
                self.assertExit(p, OK)
                self.assertIn(values, " ".join(p.stdout.split()))  # help wraps lines


class UpscaleTests(CLITestCase):
    def image(self):
        return os.path.join(small_images(), "s0.png")

    def test_bad_arguments_exit_64(self):
        cases = [
            (["--scale", "5"], "Please provide one of '2', '3' or '4'"),
            (["--bit-depth", "12"], "Please provide one of '8' and '16'"),
            (["--ensemble", "0"], "--ensemble must be in 1...8 (got 0)"),
            (["--ensemble", "-1"], "--ensemble must be in 1...8 (got -1)"),
            (["--ensemble", "9"], "--ensemble must be in 1...8 (got 9)"),
            (["--threads", "0"], "--threads must be in 1...256 (got 0)"),
            (["--tile", "0"], "--tile must be in 1...65536 (got 0)"),
            (["--jobs", "0"], "--jobs must be in 1...64 (got 0)"),
            (["--compression", "10"], "--compression must be in 0...9 (got 10)"),
            (["--skip-existing", "--force"], "exclude each other"),
        ]
        for extra, message in cases:
            with self.subTest(args=extra):
                self.assertExit(run("sr", "upscale", self.image(), "-o", self.path("out.png"), *extra), USAGE,
                                message, quick=10)
        self.assertEqual(os.listdir(self.dir), [])

    def test_existing_output_needs_force(self):
        out = self.path("out.png")
        self.assertExit(run("sr", "upscale", self.image(), "-o", out, "--quiet"), OK)
        self.assertTrue(is_whole_png(out))
        before = sha256(out)
        p = run("sr", "upscale", self.image(), "-o", out, "--quiet", "--bit-depth", 16)
        self.assertExit(p, EXISTS, ("sr: error: ", "out.png", "(use --force to replace it)"))
        self.assertEqual(sha256(out), before)
        self.assertExit(run("sr", "upscale", self.image(), "-o", out, "--quiet", "--skip-existing"), OK)
        self.assertEqual(sha256(out), before)
        self.assertExit(run("sr", "upscale", self.image(), "-o", out, "--quiet", "--bit-depth", 16, "--force"), OK)
        self.assertNotEqual(sha256(out), before)
        self.assertNoTemporaries(self.dir)

    def test_missing_and_corrupt_inputs(self):
        self.assertExit(run("sr", "upscale", self.path("nothere.png"), "-o", self.path("a.png")), IOERR,
                        ("sr: error: ", "nothere.png"))
        with open(self.image(), "rb") as f:
            data = f.read()
        for name, content in (("junk.png", b"not a PNG\n" * 20), ("cut.png", data[: len(data) // 2])):
            with self.subTest(name=name):
                src = self.path(name)
                with open(src, "wb") as f:
                    f.write(content)
                out = self.path("up-" + name)
                self.assertExit(run("sr", "upscale", src, "-o", out, "--quiet"), DATA, ("sr: error: ", name))
                self.assertFalse(os.path.exists(out))
        self.assertExit(run("sr", "upscale", self.image(), "-o", self.path("b.png"), "--model", self.path("junk.png")),
                        DATA, "sr: error: ")
        self.assertNoTemporaries(self.dir)

    def test_folder_without_images_creates_no_output_folder(self):
        empty = self.path("empty")
        os.mkdir(empty)
        with open(os.path.join(empty, "notes.txt"), "w") as f:
            f.write("no pictures here\n")
        out = self.path("out")
        self.assertExit(run("sr", "upscale", empty, "-o", out), USAGE, ("sr: error: ", "no .png/.jpg/.jpeg/.jpe/.jfif/.webp files"))
        self.assertFalse(os.path.exists(out))

    def test_folder_of_unreadable_images_leaves_no_output_folder(self):
        bad = self.path("bad")
        os.mkdir(bad)
        for name in ("a.png", "b.png"):
            with open(os.path.join(bad, name), "wb") as f:
                f.write(b"garbage" * 30)
        out = self.path("out")
        p = run("sr", "upscale", bad, "-o", out, "--quiet")
        self.assertExit(p, DATA, ("a.png", "b.png", "0 upscaled, 0 skipped, 2 failed"))
        self.assertFalse(os.path.exists(out))

    def test_folder(self):
        out = self.path("out")
        p = run("sr", "upscale", small_images(), "-o", out, "--quiet", "--threads", 2)
        self.assertExit(p, OK, "4 upscaled")
        self.assertEqual(sorted(os.listdir(out)), ["s0.png", "s1.png", "s2.png", "s3.png"])
        self.assertTrue(all(is_whole_png(os.path.join(out, n)) for n in os.listdir(out)))

    def test_files_in_flight_give_the_same_bytes_and_keep_going_past_failures(self):
        # --jobs 1 (one file at a time) is the truth; 2 and 3 files in flight must write the very same
        # bytes, and a bad file among good ones fails alone with its name, the rest written.
        src = self.path("in")
        shutil.copytree(small_images(), src)
        with open(os.path.join(src, "bad.png"), "wb") as f:
            f.write(b"garbage" * 30)
        digests = {}
        for jobs in (1, 2, 3):
            out = self.path(f"out{jobs}")
            p = run("sr", "upscale", src, "-o", out, "--quiet", "--threads", 2, "--jobs", jobs, "--tile", 24)
            self.assertExit(p, DATA, ("bad.png", "4 upscaled, 0 skipped, 1 failed"))
            self.assertEqual(sorted(os.listdir(out)), ["s0.png", "s1.png", "s2.png", "s3.png"])
            digests[jobs] = {n: sha256(os.path.join(out, n)) for n in os.listdir(out)}
            self.assertNoTemporaries(out)
        self.assertEqual(digests[2], digests[1])
        self.assertEqual(digests[3], digests[1])


class TrainTests(CLITestCase):
    def train(self, *extra, run_dir=None):
        return run("sr", "train", "--data", patch_set(), "--run-dir", run_dir or self.path("run"), "--batch", 4,
                   "--no-tensorboard", *extra)

    def test_every_numeric_option_is_validated_quickly(self):
        # Each of these crashed (SIGFPE), aborted on a huge allocation or said "Missing value" before.
        cases = [
            (["--checkpoint-every", "0"], "--checkpoint-every must be in 1...100000000 (got 0)"),
            (["--log-every", "0"], "--log-every must be in 1...100000000 (got 0)"),
            (["--filters", "100000"], "--filters must be in 1...1024 (got 100000)"),
            (["--filters", "0"], "--filters must be in 1...1024 (got 0)"),
            (["--min-filters", "-1"], "--min-filters must be in 0...1024 (got -1)"),
            (["--layers", "0"], "--layers must be in 1...64 (got 0)"),
            (["--layers", "1000000000"], "--layers must be in 1...64"),
            (["--nin-a", "2000"], "--nin-a must be in 1...1024 (got 2000)"),
            (["--nin-b", "0"], "--nin-b must be in 1...1024 (got 0)"),
            (["--shuffler-filters", "1024"], "output channels; the trainer supports at most 1024"),
            (["--scale", "9"], "--scale must be in 2...8 (got 9)"),
            (["--batch", "0"], "--batch must be in 1...1024 (got 0)"),
            (["--batch", "100000"], "--batch must be in 1...1024"),
            (["--steps", "0"], "--steps must be in 1...100000000 (got 0)"),
            (["--steps", "-5"], "--steps must be in 1...100000000 (got -5)"),
            (["--epochs", "0"], "--epochs must be a finite number, positive"),
            (["--epochs", "1e300"], "--epochs must be a finite number"),
            (["--steps", "5", "--epochs", "1"], "--steps and --epochs exclude each other"),
            (["--lr", "0"], "--lr must be a finite number, positive"),
            (["--lr", "-1"], "--lr must be a finite number, positive and at most 10 (got -1)"),
            (["--lr", "nan"], "--lr must be a finite number"),
            (["--gamma", "0"], "--gamma must be a finite number, positive"),
            (["--decay", "0"], "--decay must be a finite number, positive"),
            (["--decay", "2"], "--decay must be a finite number, positive and at most 1 (got 2)"),
            (["--decay-epochs", "0"], "--decay-epochs must be in 1...1000000 (got 0)"),
            (["--end-lr", "-1"], "--end-lr must be a finite number, at least 0"),
            (["--end-lr", "0"], "never ends"),
            (["--warmup", "-1"], "--warmup must be in 0...100000000 (got -1)"),
            (["--dropout-keep", "0"], "--dropout-keep must be a finite number, positive"),
            (["--l2", "-1"], "--l2 must be a finite number, at least 0"),
            (["--clip", "-1"], "--clip must be a finite number, at least 0"),
            (["--threads", "0"], "--threads must be in 1...256 (got 0)"),
            (["--threads", "257"], "--threads must be in 1...256 (got 257)"),
            (["--slice", "0"], "--slice must be in 1..."),
            (["--micro-batch", "-1"], "--micro-batch must be in 0...4 (got -1)"),
            (["--micro-batch", "5"], "--micro-batch must be in 0...4 (got 5)"),
            (["--val-every", "-1"], "--val-every must be in 0...100000000 (got -1)"),
            (["--overfit", "0"], "--overfit must be in 1..."),
            (["--seed", "-1"], "The value '-1' is invalid for '--seed"),
            (["--schedule", "cosine"], "--schedule cosine needs --steps or --epochs"),
            (["--schedule", "constant"], "--schedule constant needs --steps or --epochs"),
            (["--schedule", "linear"], "Please provide one of 'step', 'cosine' or 'constant'"),
            (["--optimizer", "rmsprop"], "Please provide one of 'adam', 'sgd' or 'adamw'"),
            (["--momentum", "1"], "--momentum must be a finite number, at least 0"),
            (["--ema", "1"], "--ema must be a finite number, positive"),
            (["--export-ema"], "--export-ema needs --ema DECAY"),
            (["--early-stop", "3"], "--early-stop needs --val"),
            (["--early-stop", "0", "--val", "x"], "--early-stop must be in 1...1000000 (got 0)"),
        ]
        for extra, message in cases:
            with self.subTest(args=extra):
                p = self.train(*extra)
                self.assertExit(p, USAGE, message, quick=10)
                self.assertNotIn("Missing value", p.stderr)
        self.assertEqual(os.listdir(self.dir), [])

    def test_data_errors(self):
        self.assertExit(run("sr", "train", "--data", self.path("none.h5"), "--run-dir", self.path("r")), IOERR,
                        ("sr: error: ", "none.h5"))
        png = os.path.join(small_images(), "s0.png")
        self.assertExit(run("sr", "train", "--data", png, "--run-dir", self.path("r")), DATA, "sr: error: ")
        self.assertExit(self.train("--scale", 3, run_dir=self.path("r")), DATA, "x2")
        self.assertFalse(os.path.exists(self.path("r")))

    def test_short_run(self):
        rd = self.path("run")
        p = self.train("--steps", 2, "--log-every", 1, run_dir=rd)
        self.assertExit(p, OK)
        self.assertTrue(is_whole_hdf5(os.path.join(rd, "checkpoint.h5")))
        self.assertTrue(is_whole_safetensors(os.path.join(rd, "model.safetensors")))
        self.assertNoTemporaries(rd)
        # the provenance names the tool, not the machine path it ran from (run() starts it by its full path)
        with open(os.path.join(rd, "model.safetensors"), "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            meta = json.loads(f.read(n))["__metadata__"]
        self.assertTrue(meta["provenance/command"].startswith("sr train --data "), meta["provenance/command"])


@unittest.skipUnless(os.path.exists(os.path.join(CHECKPOINTS, CKPT_NAME + ".index")),
                     f"no reference checkpoint at {CHECKPOINTS} (../shared absent): import-tf tests skipped")
class ImportTFTests(CLITestCase):
    def setUp(self):
        super().setUp()
        for ext in (".index", ".data-00000-of-00001"):
            shutil.copy(os.path.join(CHECKPOINTS, CKPT_NAME + ext), self.path(CKPT_NAME + ext))
            os.chmod(self.path(CKPT_NAME + ext), 0o644)
        self.prefix = self.path(CKPT_NAME)

    def test_existing_output_needs_force(self):
        out = self.path("model.safetensors")
        self.assertExit(run("sr", "import-tf", self.prefix, "-o", out), OK)
        self.assertTrue(is_whole_safetensors(out))
        with open(out, "ab") as f:
            f.write(b"marker")  # so a rewrite is visible
        before = sha256(out)
        self.assertExit(run("sr", "import-tf", self.prefix, "-o", out), EXISTS,
                        ("sr: error: ", "already exists", "(use --force to replace it)"))
        self.assertEqual(sha256(out), before)
        self.assertExit(run("sr", "import-tf", self.prefix + ".index", "-o", out, "--force"), OK)
        self.assertNotEqual(sha256(out), before)
        self.assertNoTemporaries(self.dir)

    def test_never_overwrites_its_own_checkpoint(self):
        os.symlink(self.prefix + ".index", self.path("link.h5"))
        own = [self.prefix + ".index", self.prefix + ".data-00000-of-00001", self.path("link.h5")]
        sums = {p: sha256(p) for p in own}
        for target in own:
            for force in ([], ["--force"]):
                with self.subTest(target=os.path.basename(target), force=force):
                    p = run("sr", "import-tf", self.prefix, "-o", target, *force)
                    self.assertExit(p, USAGE, "is a file of the checkpoint being imported")
        self.assertEqual({p: sha256(p) for p in own}, sums)

    def test_missing_and_corrupt_checkpoints(self):
        self.assertExit(run("sr", "import-tf", self.path("nothere.ckpt"), "-o", self.path("a.h5")), IOERR,
                        "nothere.ckpt.index")
        with open(self.prefix + ".index", "r+b") as f:
            f.seek(100)
            f.write(b"\xff" * 64)
        self.assertExit(run("sr", "import-tf", self.prefix, "-o", self.path("b.h5")), DATA, "sr: error: ")
        self.assertFalse(os.path.exists(self.path("a.h5")) or os.path.exists(self.path("b.h5")))


class OtherCommandTests(CLITestCase):
    def test_argument_errors(self):
        model = self.path("nothere.h5")
        cases = [
            (["eval", "--model", model, small_images(), "--ensemble", "9"], "--ensemble must be in 1...8 (got 9)"),
            (["eval", "--model", model, small_images(), "--threads", "0"], "--threads must be in 1...256 (got 0)"),
            (["bench", "--builtin", "L7"], "Please provide one of 'c-DCSCN' and 'L12'"),
            (["bench", "--threads", "0"], "--threads must be in 1...256 (got 0)"),
            (["bench", "--runs", "0"], "--runs must be in 1...1000 (got 0)"),
            (["bench", "--size", "-4"], "--size must be in 1...8192 (got -4)"),
            (["sample", "-o", self.path("s.png"), "--width", "0"], "--width must be in 1...20000 (got 0)"),
            (["sample", "-o", self.path("s.png"), "--height", "-3"], "--height must be in 1...20000 (got -3)"),
            (["sample", "-o", self.path("s.png"), "--seed", "-1"], "The value '-1' is invalid for '--seed"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                self.assertExit(run("sr", *args), USAGE, message, quick=10)
        self.assertEqual(os.listdir(self.dir), [])

    def test_eval_missing_and_corrupt_model(self):
        self.assertExit(run("sr", "eval", "--model", self.path("nothere.h5"), small_images()), IOERR,
                        ("sr: error: ", "nothere.h5"))
        png = os.path.join(small_images(), "s0.png")
        self.assertExit(run("sr", "eval", "--model", png, small_images()), DATA, "sr: error: ")

    def test_eval_without_model_uses_the_shipped_model_for_its_scale(self):
        for scale in (2, 3):
            with self.subTest(scale=scale):
                shipped = os.path.join(ROOT, "Models", "dcscn-x%d.safetensors" % scale)
                named = run("sr", "eval", "--model", shipped, small_images(), "--json")
                default = run("sr", "eval", "--scale", scale, small_images(), "--json")
                self.assertExit(named, OK)
                self.assertExit(default, OK)
                # the same figures; only the model's name may be spelled differently
                self.assertEqual(json.loads(named.stdout)["images"], json.loads(default.stdout)["images"])
        other = run("sr", "eval", "--scale", 3, small_images(), "--json")
        self.assertNotEqual(json.loads(other.stdout)["images"],
                            json.loads(run("sr", "eval", small_images(), "--json").stdout)["images"])

    def test_model_names_the_shipped_models(self):
        # --model compact is the default; --model best the mid-size model (x2), the same as naming its file
        compact = run("sr", "eval", "--model", "compact", small_images(), "--json")
        default = run("sr", "eval", small_images(), "--json")
        self.assertExit(compact, OK)
        self.assertEqual(json.loads(compact.stdout)["images"], json.loads(default.stdout)["images"])
        best_file = os.path.join(ROOT, "Models", "dcscn-best-x2.safetensors")
        if os.path.exists(best_file):
            best = run("sr", "eval", "--model", "best", small_images(), "--json")
            named = run("sr", "eval", "--model", best_file, small_images(), "--json")
            self.assertExit(best, OK)
            self.assertEqual(json.loads(best.stdout)["images"], json.loads(named.stdout)["images"])
            self.assertNotEqual(json.loads(best.stdout)["images"], json.loads(default.stdout)["images"])
        self.assertExit(run("sr", "eval", "--scale", 3, "--model", "best", small_images()), IOERR,
                        ("sr: error: ", "dcscn-best-x3.safetensors: shipped model not found"))

    def test_bench_states_the_cpu_and_its_fma_ceiling(self):
        p = run("sr", "bench", "--builtin", "c-DCSCN", "--size", 8, "--runs", 1, "--threads", 1)
        self.assertExit(p, OK)
        lines = p.stdout.splitlines()
        with open("/proc/cpuinfo") as f:
            fields = {k.strip(): v.strip() for k, v in (l.split(":", 1) for l in f.read().split("\n\n")[0].splitlines() if ":" in l)}
        family = fields["cpu family"].strip()
        self.assertTrue(lines[0].startswith("cpu: " + fields["model name"].strip()), lines[0])
        self.assertIn("family %s model %s" % (family, fields["model"].strip()), lines[0])
        # the kernels' widest vectors: AVX-512 exactly when /proc/cpuinfo lists avx512f (and nothing opts out)
        wide = "avx512f" in fields.get("flags", "").split() and os.environ.get("SRCORE_KERNELS") is None
        self.assertTrue(lines[1].startswith("kernels: " + ("AVX-512" if wide else "AVX2")), lines[1])
        self.assertTrue(lines[2].startswith("FMA ceiling: "), lines[2])
        self.assertIn("AVX-512 FMA loop" if wide else "AVX2 FMA loop", lines[2])
        self.assertRegex(lines[3], r"GFLOP/s .*, \d+% of the FMA ceiling$")
        rows = json.loads(run("sr", "bench", "--builtin", "c-DCSCN", "--size", 8, "--runs", 1, "--json").stdout)
        self.assertEqual(rows[0]["cpu_family"], int(family))
        self.assertEqual(rows[0]["kernels"], "avx512" if wide else "avx2")
        self.assertAlmostEqual(rows[0]["ceiling_fraction"], rows[0]["gflops"] / rows[0]["fma_ceiling_gflops"], places=3)
        # the AVX2 loop is printed beside the AVX-512 one (no ratio asserted: Zen 4's 512-bit FMAs are
        # double-pumped, the same FLOPs per cycle as AVX2; Zen 5's are full width, twice)
        self.assertGreater(rows[0]["fma_ceiling_avx2_gflops"], 0)

    def test_sample(self):
        out = self.path("s.png")
        self.assertExit(run("sr", "sample", "-o", out, "--width", 40, "--height", 30), OK)
        self.assertTrue(is_whole_png(out))
        self.assertExit(run("sr", "sample", "-o", self.path("missing-folder", "s.png")), IOERR, "sr: error: ")
