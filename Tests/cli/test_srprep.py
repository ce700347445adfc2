"""srprep build / inspect / merge as a user runs them: exit statuses, messages, files."""
import os
import shutil

from support import (CLITestCase, DATA, EXISTS, IOERR, OK, USAGE, is_whole_png, patch_set, run, sha256,
                     small_images)


class HelpTests(CLITestCase):
    def test_help_documents_exit_codes_and_lists_choices(self):
        p = run("srprep", "--help")
        self.assertExit(p, OK)
        for s in ("Exit codes:", "64 bad arguments", "65 bad input data", "73 output exists", "74 I/O error",
                  "130 interrupted"):
            self.assertIn(s, " ".join(p.stdout.split()))
        p = run("srprep", "build", "--help")
        self.assertExit(p, OK)
        text = " ".join(p.stdout.split())  # help wraps lines
        for s in ("values: 1, 2, 4, 8", "values: float32, uint8", "values: pillow, matlab"):
            self.assertIn(s, text)


class BuildArgumentTests(CLITestCase):
    def build(self, *extra, inputs=None):
        inputs = [small_images()] if inputs is None else inputs
        args = ["build", "--scale", 2, "-o", self.path("out.h5"), "--quiet"]
        for i in inputs:
            args += ["--input", i]
        return run("srprep", *args, *extra)

    def test_bad_values_exit_64_quickly_and_write_nothing(self):
        cases = [
            (["--augment", "3"], "Please provide one of '1', '2', '4' or '8'"),
            (["--dtype", "float16"], "'float32'"),
            (["--downsample", "lanczos"], "'pillow'"),
            (["--scale", "1"], "--scale must be in 2...8 (got 1)"),
            (["--scale", "-2"], "--scale must be in 2...8 (got -2)"),  # a negative value, not "Missing value"
            (["--patch", "0"], "--patch must be in 2...4096 (got 0)"),
            (["--patch", "100000"], "--patch must be in 2...4096"),
            (["--stride", "0"], "--stride must be in 1...4096 (got 0)"),
            (["--threads", "0"], "--threads must be in 1...256 (got 0)"),
            (["--threads", "1000"], "--threads must be in 1...256"),
            (["--seed", "-1"], "The value '-1' is invalid for '--seed"),
            (["--shard", "3/2"], "invalid for '--shard"),
            (["--shard", "0/1"], "invalid for '--shard"),
            (["--shard", "x"], "invalid for '--shard"),
        ]
        for extra, message in cases:
            with self.subTest(args=extra):
                p = self.build(*extra)
                self.assertExit(p, USAGE, message, quick=10)
                self.assertNotIn("Missing value", p.stderr)
        self.assertEqual(os.listdir(self.dir), [])

    def test_duplicate_input_folders_are_an_error(self):
        d = small_images()
        for second in (d, d + "/", os.path.join(d, ".")):
            with self.subTest(second=second):
                self.assertExit(self.build(inputs=[d, second]), USAGE, "--input names the same path twice")
        self.assertEqual(os.listdir(self.dir), [])

    def test_missing_input_option(self):
        p = run("srprep", "build", "--scale", 2, "-o", self.path("out.h5"))
        self.assertExit(p, USAGE, "--input")

    def test_missing_input_folder_is_an_io_error(self):
        p = self.build(inputs=[self.path("no-such-folder")])
        self.assertExit(p, IOERR, ("srprep: error: ", "no-such-folder"))
        self.assertEqual(os.listdir(self.dir), [])

    def test_corrupt_and_truncated_pngs_are_bad_data(self):
        good = os.path.join(small_images(), "s0.png")
        with open(good, "rb") as f:
            data = f.read()
        for name, content in (("junk.png", b"this is not a PNG file\n" * 10), ("cut.png", data[: len(data) // 2])):
            with self.subTest(name=name):
                folder = self.path(name + ".d")
                os.mkdir(folder)
                shutil.copy(good, os.path.join(folder, "a.png"))
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(content)
                out = self.path(name + ".h5")
                p = run("srprep", "build", "--scale", 2, "--input", folder, "-o", out, "--quiet")
                self.assertExit(p, DATA, ("srprep: error: ", name))
                self.assertFalse(os.path.exists(out))
                self.assertNoTemporaries(self.dir)
                # --skip-bad reports the file and builds from the rest.
                p = run("srprep", "build", "--scale", 2, "--input", folder, "-o", out, "--quiet", "--skip-bad")
                self.assertExit(p, OK, ("skipped", name))
                self.assertTrue(os.path.exists(out))

    def test_existing_output_needs_force(self):
        out = self.path("out.h5")
        self.assertExit(self.build(), OK)
        before = sha256(out)
        p = self.build("--augment", "2")
        self.assertExit(p, EXISTS, ("srprep: error: ", "already exists", "(use --force to replace it)"))
        self.assertEqual(sha256(out), before)
        self.assertExit(self.build("--augment", "2", "--force"), OK)
        self.assertNotEqual(sha256(out), before)
        self.assertNoTemporaries(self.dir)


class InspectTests(CLITestCase):
    def test_inspect(self):
        sheet = self.path("sheet.png")
        p = run("srprep", "inspect", patch_set(), "--sheet", sheet, "--pairs", 4)
        self.assertExit(p, OK)
        self.assertIn("8 patches", p.stdout)
        self.assertTrue(is_whole_png(sheet))

    def test_inspect_errors(self):
        self.assertExit(run("srprep", "inspect", os.path.join(small_images(), "s0.png")), DATA,
                        "srprep: error: ")
        self.assertExit(run("srprep", "inspect", self.path("missing.h5")), IOERR, "missing.h5")
        self.assertExit(run("srprep", "inspect", patch_set(), "--pairs", 0), USAGE, "--pairs must be in 1...1024")
        self.assertExit(run("srprep", "inspect", patch_set(), "--list-sources", -3), USAGE,
                        "--list-sources must be in 0...1000000 (got -3)")


class MergeTests(CLITestCase):
    def shards(self):
        out = []
        for k in (1, 2):
            path = self.path(f"part{k}.h5")
            p = run("srprep", "build", "--scale", 2, "--input", small_images(), "-o", path, "--augment", 1,
                    "--shard", f"{k}/2", "--quiet")
            self.assertExit(p, OK)
            out.append(path)
        return out

    def test_merge_and_its_errors(self):
        a, b = self.shards()
        out = self.path("all.h5")
        p = run("srprep", "merge", a, b, "-o", out)
        self.assertExit(p, OK)
        self.assertIn("8 patches from 2 shards", p.stdout)
        before = sha256(out)
        self.assertExit(run("srprep", "merge", a, b, "-o", out), EXISTS, "(use --force to replace it)")
        self.assertEqual(sha256(out), before)
        self.assertExit(run("srprep", "merge", a, b, "-o", out, "--force"), OK)
        self.assertExit(run("srprep", "merge", a, a, "-o", self.path("x.h5")), USAGE, "the same path twice")
        self.assertExit(run("srprep", "merge", a, b, "-o", a, "--force"), USAGE, "is one of the shards")
        self.assertExit(run("srprep", "merge", a, os.path.join(small_images(), "s0.png"), "-o", self.path("y.h5")),
                        DATA, "srprep: error: ")
        self.assertExit(run("srprep", "merge", a, self.path("nothere.h5"), "-o", self.path("z.h5")), IOERR,
                        "nothere.h5")
        self.assertExit(run("srprep", "merge", "-o", self.path("w.h5")), USAGE, "no shard files")
        for name in ("x.h5", "y.h5", "z.h5", "w.h5"):
            self.assertFalse(os.path.exists(self.path(name)))
        self.assertNoTemporaries(self.dir)
