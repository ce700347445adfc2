"""sr train's model knobs (docs/techniques.md "Knobs") as a user runs them: bad values exit 64
quickly, and a run with knobs exports weights that record them and upscale with no flags, tiled
output identical to whole-image output."""
import json
import os
import struct

from support import OK, USAGE, CLITestCase, is_whole_png, patch_set, run, sha256, small_images


def safetensors(path):
    """(metadata, {name: list of float32}) of a safetensors file, read with the format's own rules."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    tensors = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        tensors[name] = list(struct.unpack(f"<{(b - a) // 4}f", body[a:b]))
    return header.get("__metadata__", {}), tensors


class KnobTests(CLITestCase):
    def assertTiledEqualsWhole(self, model):
        """`sr upscale` with `model` and no knob flags: tiles of 7 give the whole-image PNG byte for byte."""
        whole, tiled = self.path("whole.png"), self.path("tiled.png")
        image = os.path.join(small_images(), "s0.png")
        self.assertExit(run("sr", "upscale", image, "-o", whole, "--model", model, "--quiet"), OK)
        self.assertExit(run("sr", "upscale", image, "-o", tiled, "--model", model, "--tile", 7, "--quiet"), OK)
        self.assertTrue(is_whole_png(whole))
        self.assertEqual(sha256(whole), sha256(tiled))

    def train(self, *extra, run_dir):
        return run("sr", "train", "--data", patch_set(), "--run-dir", run_dir, "--batch", 4, "--no-tensorboard",
                   "--steps", 2, *extra)

    def test_bad_values_exit_64(self):
        for extra, message in [
            (["--activation", "swish"], "is invalid for '--activation <activation>'"),
            (["--leaky-slope", "2"], "--leaky-slope must be a finite number"),
            (["--leaky-slope", "nan"], "--leaky-slope must be a finite number"),
            (["--initializer", "orthogonal"], "Please provide one of"),
            (["--init-std", "0"], "--init-std must be a finite number, positive"),
            (["--input-scale", "0"], "--input-scale must be a finite number, positive"),
            (["--collapsible-width", "5000"], "--collapsible-width must be in 0...4096"),
            (["--collapsible-width", "8", "--init", "x.safetensors"], "--init and --collapsible-width exclude each other"),
            (["--input-shift", "300"], "--input-shift must be a finite number"),
        ]:
            with self.subTest(args=extra):
                self.assertExit(self.train(*extra, run_dir=self.path("r")), USAGE, message, quick=10)
        self.assertEqual(os.listdir(self.dir), [])

    def test_knobs_are_recorded_and_upscale_needs_no_flags(self):
        rd = self.path("run")
        p = self.train("--activation", "leaky_relu", "--leaky-slope", "0.25", "--initializer", "truncated_normal",
                       "--init-std", "0.02", run_dir=rd)
        self.assertExit(p, OK)
        model = os.path.join(rd, "model.safetensors")
        meta, tensors = safetensors(model)
        self.assertEqual(meta["format_version"], "2.0")  # the inference graph is unchanged: older readers run it
        self.assertEqual(meta["provenance/activation"], "leaky_relu")
        self.assertEqual(meta["provenance/leaky_slope"], "0.25")
        self.assertEqual(meta["provenance/initializer"], "truncated_normal")
        self.assertEqual(meta["provenance/init_std"], "0.02")
        slopes = [v for name, t in tensors.items() if "alpha" in name.lower() for v in t]
        self.assertTrue(slopes)
        self.assertEqual(set(slopes), {0.25})
        self.assertTiledEqualsWhole(model)

    def test_default_run_records_no_knobs(self):
        rd = self.path("run")
        self.assertExit(self.train(run_dir=rd), OK)
        meta, _ = safetensors(os.path.join(rd, "model.safetensors"))
        self.assertFalse([k for k in meta if k in ("provenance/activation", "provenance/initializer")])
        self.assertEqual(meta["format_version"], "2.0")
        self.assertEqual(meta["residual"], "bicubic")
        self.assertNotIn("input_shift", meta)

    def test_structure_knobs_are_stored_as_format_3(self):
        rd = self.path("run")
        self.assertExit(self.train("--no-residual", "--input-shift", "127.5", "--input-scale", "0.0078125", run_dir=rd), OK)
        model = os.path.join(rd, "model.safetensors")
        meta, _ = safetensors(model)
        # 2.x readers would add the bicubic and skip the normalisation: the major version tells them to refuse.
        self.assertEqual(meta["format_version"], "3.0")
        self.assertEqual(meta["residual"], "none")
        self.assertEqual(float(meta["input_shift"]), 127.5)
        self.assertEqual(float(meta["input_scale"]), 0.0078125)
        self.assertTiledEqualsWhole(model)
        h5 = self.path("m.h5")
        p = run("sr", "convert", model, "-o", h5)
        self.assertNotEqual(p.returncode, OK)
        self.assertFalse(os.path.exists(h5))

    def test_collapsible_blocks_export_a_plain_model(self):
        rd = self.path("run")
        self.assertExit(self.train("--collapsible-width", 16, run_dir=rd), OK)
        model = os.path.join(rd, "model.safetensors")
        meta, tensors = safetensors(model)
        # Collapsed at export: the plain layout and version, only the provenance names the knob.
        self.assertEqual(meta["format_version"], "2.0")
        self.assertEqual(meta["provenance/collapsible_width"], "16")
        self.assertFalse([n for n in tensors if not n.endswith(("/kernel", "/bias", "/alpha"))])
        self.assertTiledEqualsWhole(model)

    def test_tanh_elu_selu_are_stored_as_format_3(self):
        for act in ["tanh", "elu", "selu"]:
            with self.subTest(activation=act):
                rd = self.path("run-" + act)
                self.assertExit(self.train("--activation", act, run_dir=rd), OK)
                model = os.path.join(rd, "model.safetensors")
                meta, tensors = safetensors(model)
                # The engine runs an activation step 2.x readers do not know: they must refuse the file.
                self.assertEqual(meta["format_version"], "3.0")
                self.assertEqual(meta["activation"], act)
                self.assertFalse([n for n in tensors if n.endswith("/alpha")])
                self.assertTiledEqualsWhole(model)
                for png in ("whole.png", "tiled.png"):
                    os.remove(self.path(png))

    def test_dilations_are_stored_as_format_3(self):
        rd = self.path("run")
        self.assertExit(self.train("--layers", 3, "--dilations", "1,2,4", run_dir=rd), OK)
        model = os.path.join(rd, "model.safetensors")
        meta, _ = safetensors(model)
        self.assertEqual(meta["format_version"], "3.0")
        self.assertEqual(json.loads(meta["dilations"]), [1, 2, 4])
        # The tiling halo follows the wider receptive field: tiles of 7 still equal the whole image.
        self.assertTiledEqualsWhole(model)

    def test_bad_dilations_exit_64(self):
        for extra, message in [
            (["--layers", 3, "--dilations", "1,2"], "--dilations has 2 values, the model has 3 feature layers"),
            (["--layers", 2, "--dilations", "1,0"], "--dilations must be comma-separated integers in 1...64"),
            (["--layers", 2, "--dilations", "1,x"], "--dilations must be comma-separated integers in 1...64"),
        ]:
            with self.subTest(args=extra):
                self.assertExit(self.train(*extra, run_dir=self.path("r")), USAGE, message, quick=10)

    def test_transposed_upsampler(self):
        """--upsampler transposed: bad kernels exit 64; the export is the equivalent pixel-shuffle conv
        (format 2.0, the knob in the provenance), tiles equal the whole image, and --resume needs the
        same upsampler."""
        for extra, message in [
            (["--upsampler", "deconv"], "is invalid for '--upsampler <upsampler>'"),
            (["--upsampler", "pixel_shuffle", "--transposed-kernel", "6"], "--transposed-kernel needs --upsampler transposed"),
            (["--upsampler", "transposed", "--transposed-kernel", "5"], "transposed kernel 5 does not fit"),
            (["--upsampler", "transposed", "--transposed-kernel", "4"], "K must be 2·k' with k' odd"),
            (["--upsampler", "transposed", "--transposed-kernel", "10"], "transposed kernel 10 does not fit"),
            (["--upsampler", "transposed", "--transposed-kernel", "0"], "--transposed-kernel must be in"),
            (["--upsampler", "transposed", "--collapsible-width", "8"], "exclude each other"),
            (["--transposed-kernel", "2", "--batch-norm"], "--batch-norm and --upsampler transposed are not combined yet"),
        ]:
            with self.subTest(args=extra):
                self.assertExit(self.train(*extra, run_dir=self.path("r")), USAGE, message, quick=10)
        self.assertEqual(os.listdir(self.dir), [])

        rd = self.path("run")
        self.assertExit(self.train("--upsampler", "transposed", run_dir=rd), OK)
        model = os.path.join(rd, "model.safetensors")
        meta, tensors = safetensors(model)
        self.assertEqual(meta["format_version"], "2.0")  # exported rearranged: older readers run it
        self.assertEqual(meta["provenance/upsampler"], "transposed")
        self.assertEqual(meta["provenance/transposed_kernel"], "6")
        self.assertFalse([n for n in tensors if not n.endswith(("/kernel", "/bias", "/alpha"))])
        self.assertTiledEqualsWhole(model)
        r = run("sr", "train", "--data", patch_set(), "--run-dir", rd, "--batch", 4, "--no-tensorboard",
                "--steps", 3, "--resume", "--upsampler", "transposed")
        self.assertExit(r, OK)
        self.assertIn("resumed at step 2", r.stdout)
        r = self.train("--steps", 4, "--resume", run_dir=rd)
        self.assertNotEqual(r.returncode, OK)
        self.assertIn("resume with the same --upsampler and --transposed-kernel", r.stderr)

        # K = 2 (k' = 1): only the centre tap of the 3x3 Up-PS kernel is non-zero.
        rd2 = self.path("run2")
        self.assertExit(self.train("--transposed-kernel", 2, run_dir=rd2), OK)   # the kernel alone implies transposed
        meta, tensors = safetensors(os.path.join(rd2, "model.safetensors"))
        self.assertEqual(meta["provenance/transposed_kernel"], "2")
        self.assertEqual(meta["provenance/upsampler"], "transposed")
        up = [(name, t) for name, t in tensors.items() if name.startswith("Up-PS") and name.endswith("/kernel")]
        self.assertTrue(up)
        for name, t in up:
            per_tap = len(t) // 9
            self.assertTrue(any(t[4 * per_tap:5 * per_tap]), name)
            self.assertEqual([v for i, v in enumerate(t) if i // per_tap != 4 and v != 0], [], name)
        # --init: T starts as the rearrangement of the copied Up-PS kernel.
        self.assertExit(self.train("--upsampler", "transposed", "--init", model, run_dir=self.path("run3")), OK)

    def test_batch_norm_exports_a_folded_plain_model(self):
        rd = self.path("run")
        self.assertExit(self.train("--batch-norm", "--micro-batch", 2, run_dir=rd), OK)
        model = os.path.join(rd, "model.safetensors")
        meta, tensors = safetensors(model)
        # Folded into the feature convs at export: the plain layout and version, only the provenance names it.
        self.assertEqual(meta["format_version"], "2.0")
        self.assertEqual(meta["provenance/batch_norm"], "on")
        self.assertFalse([n for n in tensors if not n.endswith(("/kernel", "/bias", "/alpha"))])
        self.assertTiledEqualsWhole(model)

    def test_bad_batch_norm_combinations_exit_64(self):
        for extra, message in [
            (["--batch-norm", "--collapsible-width", "8"], "--batch-norm and --collapsible-width exclude each other"),
            (["--batch-norm", "--resume"], "--resume of a --batch-norm run is not supported"),
            (["--batch-norm", "--optimizer", "sgd"], "--batch-norm trains with --optimizer adam only"),
            (["--batch-norm", "--ema", "0.9", "--export-ema"], "--batch-norm and --export-ema exclude each other"),
        ]:
            with self.subTest(args=extra):
                self.assertExit(self.train(*extra, run_dir=self.path("r")), USAGE, message, quick=10)
        self.assertEqual(os.listdir(self.dir), [])
