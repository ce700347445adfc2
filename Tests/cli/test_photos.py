"""JPEG and WebP photos through `sr upscale`, as a user meets them (docs/image-formats.md).

The truth is Pillow: each JPEG of a varied set (baseline, progressive, gray, CMYK, restart
intervals, EXIF orientations 1-8, with and without an ICC profile) is decoded and turned upright by
Pillow (`ImageOps.exif_transpose`), saved as PNG and upscaled by `sr upscale`; the JPEG itself must
upscale to the same picture, within libjpeg's IDCT rounding (both decoders are libjpeg-turbo with
the integer IDCT, so the luma the network sees differs by at most a unit). Metadata is read back
with Pillow and, when installed, exiftool. Damaged files must fail with the file named and no output.
WebP (WebPTest): lossy, lossless and alpha inputs against the upscale of Pillow's decode (Pillow
bundles its own libwebp), outputs decoded by Pillow, ICCP/EXIF round trips, damaged files.
"""
import struct
import zlib
import io
import os
import shutil
import subprocess
import unittest

from support import DATA, OK, CLITestCase, run

try:
    import numpy as np
    from PIL import Image, ImageCms, ImageOps, PngImagePlugin
except ImportError:  # pragma: no cover - make test-deps installs them
    Image = None

ORIENTATION = 274
MAKE = 271


def photo(width=61, height=43, seed=0):
    """A smooth, photo-like RGB picture (gradients plus a little noise), not symmetric."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 128 + 100 * np.sin(x / 7.0 + seed)
    g = 128 + 90 * np.cos(y / 5.0) * np.sin(x / 11.0)
    b = 40 + 3 * x + 2 * y
    a = np.stack([r, g, b], -1) + rng.normal(0, 6, (height, width, 3))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")


def exif_bytes(orientation):
    e = Image.Exif()
    e[ORIENTATION] = orientation
    e[MAKE] = "srcore-test"
    return e.tobytes()


def srgb_icc():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@unittest.skipIf(Image is None, "needs numpy and Pillow (make test-deps)")
class PhotoTest(CLITestCase):
    def save(self, name, im, **kw):
        p = self.path(name)
        im.save(p, "JPEG", **kw)
        return p

    def upscale(self, src, dst, *extra, status=OK):
        p = run("sr", "upscale", src, "-o", dst, "--scale", "2", *extra)
        self.assertExit(p, status)
        return p

    def truth_via_png(self, jpeg):
        """sr upscale of Pillow's upright decode of `jpeg`, saved losslessly."""
        with Image.open(jpeg) as im:
            up = ImageOps.exif_transpose(im)
            up = up.convert("RGB") if up.mode == "CMYK" else up
            png = jpeg + ".pillow.png"
            up.save(png)
        out = png + "-x2.png"
        self.upscale(png, out)
        with Image.open(out) as o:
            return np.asarray(o).astype(np.int32)

    def assertMatchesPillow(self, jpeg, tolerance=2):
        out = jpeg + "-x2.png"
        self.upscale(jpeg, out)
        truth = self.truth_via_png(jpeg)
        with Image.open(out) as o:
            got = np.asarray(o).astype(np.int32)
        self.assertEqual(got.shape, truth.shape, f"{jpeg}: size/orientation differs from Pillow's upright decode")
        diff = np.abs(got - truth)
        self.assertLessEqual(int(diff.max()), tolerance, f"{jpeg}: max difference {diff.max()}")
        self.assertLess(float(diff.mean()), 0.25, f"{jpeg}: mean difference {diff.mean()}")
        return got

    def test_varied_set_matches_pillow(self):
        base = photo()
        cases = {
            "baseline.jpg": (base, {"quality": 90}),
            "progressive.jpg": (base, {"quality": 85, "progressive": True}),
            "gray.jpg": (base.convert("L"), {"quality": 90}),
            "cmyk.jpg": (base.convert("CMYK"), {"quality": 95}),
            "restart.jpg": (base, {"quality": 90, "restart_marker_blocks": 1}),
            "icc.jpg": (base, {"quality": 90, "icc_profile": srgb_icc()}),
            "q444.jpg": (base, {"quality": 92, "subsampling": 0}),
        }
        for name, (im, kw) in cases.items():
            with self.subTest(name):
                p = self.save(name, im, **kw)
                if name == "restart.jpg":
                    with open(p, "rb") as f:
                        self.assertIn(b"\xff\xdd", f.read(), "Pillow wrote no restart interval")
                self.assertMatchesPillow(p)

    def test_orientations_1_to_8(self):
        base = photo(53, 37, seed=3)
        for o in range(1, 9):
            with self.subTest(orientation=o):
                p = self.save(f"o{o}.jpg", base, quality=92, exif=exif_bytes(o))
                got = self.assertMatchesPillow(p)
                upright = (37, 53) if o <= 4 else (53, 37)
                self.assertEqual(got.shape[:2], (2 * upright[0], 2 * upright[1]))

    def test_format_from_signature_not_name(self):
        p = self.save("really-a-jpeg.png", photo(), quality=90)
        self.assertMatchesPillow(p)
        png = self.path("really-a-png.jpg")
        photo().save(png, "PNG")
        out = self.path("out.png")
        self.upscale(png, out)
        with Image.open(out) as o:
            self.assertEqual(o.size, (122, 86))

    def test_jpeg_output_keeps_icc_and_exif_with_orientation_reset(self):
        icc = srgb_icc()
        p = self.save("in.jpg", photo(), quality=90, exif=exif_bytes(6), icc_profile=icc)
        out = self.path("out.jpg")
        self.upscale(p, out)
        with Image.open(out) as o:
            self.assertEqual(o.format, "JPEG")
            self.assertEqual(o.size, (86, 122))  # upright: 43x61 stored sideways
            self.assertEqual(o.info.get("icc_profile"), icc)
            e = o.getexif()
            self.assertEqual(e.get(ORIENTATION), 1)
            self.assertEqual(e.get(MAKE), "srcore-test")
        if shutil.which("exiftool"):
            tags = subprocess.run(["exiftool", "-s", "-s", "-s", "-n", "-Orientation", "-Make", "-ProfileDescription",
                                   out], capture_output=True, text=True, check=True).stdout.split("\n")
            self.assertEqual(tags[0], "1")
            self.assertEqual(tags[1], "srcore-test")
            self.assertIn("sRGB", tags[2])

    def test_png_output_carries_the_icc_profile(self):
        icc = srgb_icc()
        p = self.save("in.jpg", photo(), quality=90, icc_profile=icc)
        out = self.path("out.png")
        self.upscale(p, out)
        with Image.open(out) as o:
            self.assertEqual(o.format, "PNG")
            self.assertEqual(o.info.get("icc_profile"), icc)
        stripped = self.path("stripped.png")
        self.upscale(p, stripped, "--strip-metadata")
        with Image.open(stripped) as o:
            self.assertIsNone(o.info.get("icc_profile"))

    def test_large_icc_profile_spans_app2_segments(self):
        # A profile over one APP2 segment (65519 bytes) is split by Pillow and must come back whole.
        icc = srgb_icc()
        big = icc + bytes((i * 7) & 0xFF for i in range(150000))
        p = self.save("bigicc.jpg", photo(), quality=90, icc_profile=big)
        out = self.path("out.jpg")
        self.upscale(p, out)
        with Image.open(out) as o:
            self.assertEqual(o.info.get("icc_profile"), big)

    def test_strip_metadata(self):
        p = self.save("in.jpg", photo(), quality=90, exif=exif_bytes(3), icc_profile=srgb_icc())
        out = self.path("out.jpg")
        self.upscale(p, out, "--strip-metadata")
        with Image.open(out) as o:
            self.assertIsNone(o.info.get("icc_profile"))
            self.assertEqual(dict(o.getexif()), {})

    def test_format_and_quality_options(self):
        p = self.save("in.jpg", photo(), quality=90)
        sizes = {}
        for q in (30, 95):
            out = self.path(f"q{q}.out")
            self.upscale(p, out, "--format", "jpg", "--quality", str(q))
            with Image.open(out) as o:
                self.assertEqual(o.format, "JPEG")
            sizes[q] = os.path.getsize(out)
        self.assertLess(sizes[30], sizes[95])
        bad = run("sr", "upscale", p, "-o", self.path("x.jpg"), "--quality", "0")
        self.assertNotEqual(bad.returncode, OK)

    def test_folder_takes_every_supported_image(self):
        d = self.path("in")
        os.mkdir(d)
        photo().save(os.path.join(d, "a.png"))
        photo(seed=1).save(os.path.join(d, "b.jpg"), quality=90)
        photo(seed=2).save(os.path.join(d, "c.JPEG"), quality=90)
        with open(os.path.join(d, "notes.txt"), "w") as f:
            f.write("not an image")
        out = self.path("out")
        self.upscale(d, out)
        self.assertEqual(sorted(os.listdir(out)), ["a.png", "b.jpg", "c.JPEG"])
        for n in os.listdir(out):
            with Image.open(os.path.join(out, n)) as o:
                self.assertEqual(o.size, (122, 86))

    def test_damaged_files_fail_cleanly(self):
        good = self.save("good.jpg", photo(120, 90), quality=90)
        with open(good, "rb") as f:
            data = f.read()
        cases = {
            "truncated.jpg": data[: len(data) * 6 // 10],
            "header-only.jpg": data[:200],
            "signature-only.jpg": data[:3],
            "bad-marker.jpg": data[: len(data) // 2] + b"\xff\xd3" + data[len(data) // 2 + 2:],
        }
        for name, blob in cases.items():
            with self.subTest(name):
                src = self.path(name)
                with open(src, "wb") as f:
                    f.write(blob)
                for ext in ("png", "jpg"):
                    out = self.path(f"{name}.{ext}")
                    p = run("sr", "upscale", src, "-o", out, "--scale", "2")
                    self.assertExit(p, DATA, stderr_has=src)
                    self.assertFalse(os.path.exists(out), "a damaged input left an output")
                    self.assertNoTemporaries(self.dir)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def with_chunks(png_bytes, *chunks):
    """`png_bytes` with `chunks` inserted right after IHDR."""
    at = 8 + 25
    return png_bytes[:at] + b"".join(chunks) + png_bytes[at:]


@unittest.skipIf(Image is None, "needs numpy and Pillow (make test-deps)")
class PNGMetadataTest(CLITestCase):
    """Metadata of PNG inputs: iCCP, eXIf, tEXt/zTXt/iTXt, sRGB/gAMA (docs/image-formats.md)."""

    def upscale(self, src, dst, *extra):
        p = run("sr", "upscale", src, "-o", dst, "--scale", "2", *extra)
        self.assertExit(p, OK)
        return p

    def test_png_metadata_is_carried(self):
        icc = srgb_icc()
        info = PngImagePlugin.PngInfo()
        info.add_text("Title", "a title")
        info.add_text("Comment", "compressed " * 40, zip=True)
        info.add_itxt("Author", "J\u00f6rg \u00fc", "de", "Autor")
        src = self.path("in.png")
        photo().save(src, pnginfo=info, icc_profile=icc, exif=exif_bytes(6))
        png, jpg, webp = self.path("out.png"), self.path("out.jpg"), self.path("out.webp")
        for out in (png, jpg, webp):
            self.upscale(src, out)
            with Image.open(out) as o:
                o.load()
                self.assertEqual(o.size, (86, 122), f"{out}: the eXIf orientation 6 is applied")
                self.assertEqual(o.info.get("icc_profile"), icc, out)
                if out != png:
                    e = o.getexif()
                    self.assertEqual((e.get(ORIENTATION), e.get(MAKE)), (1, "srcore-test"), out)
                else:
                    self.assertEqual(o.text, {"Title": "a title", "Comment": "compressed " * 40,
                                              "Author": "J\u00f6rg \u00fc"})
        with open(png, "rb") as f:
            data = f.read()
        self.assertIn(b"zTXt", data)
        self.assertIn(b"iTXt", data)
        if shutil.which("exiftool"):
            tags = subprocess.run(["exiftool", "-s", "-s", "-s", "-Title", "-Author-de", "-ProfileDescription", png],
                                  capture_output=True, text=True, check=True).stdout.split("\n")
            self.assertEqual(tags[:2], ["a title", "J\u00f6rg \u00fc"])
            self.assertIn("sRGB", tags[2])
        stripped = self.path("stripped.png")
        self.upscale(src, stripped, "--strip-metadata")
        with Image.open(stripped) as o:
            o.load()
            self.assertEqual((o.size, o.text, o.info.get("icc_profile")), ((86, 122), {}, None))

    def test_srgb_and_gamma_are_carried_to_png(self):
        b = io.BytesIO()
        photo().save(b, "PNG")
        cases = {
            "srgb.png": (with_chunks(b.getvalue(), png_chunk(b"gAMA", struct.pack(">I", 45455)), png_chunk(b"sRGB", b"\x01")),
                         {"srgb": 1, "gamma": 0.45455}),
            "gamma.png": (with_chunks(b.getvalue(), png_chunk(b"gAMA", struct.pack(">I", 55555))), {"gamma": 0.55555}),
        }
        for name, (blob, want) in cases.items():
            with self.subTest(name):
                src, out = self.path(name), self.path("out-" + name)
                with open(src, "wb") as f:
                    f.write(blob)
                self.upscale(src, out)
                with Image.open(out) as o:
                    self.assertEqual({k: o.info.get(k) for k in want}, want)
                    self.assertNotIn("srgb", set(o.info) - set(want))
                self.upscale(src, out + ".stripped.png", "--strip-metadata")
                with Image.open(out + ".stripped.png") as o:
                    self.assertFalse({"srgb", "gamma"} & set(o.info))

    def test_oversized_metadata_is_dropped_not_buffered(self):
        b = io.BytesIO()
        photo().save(b, "PNG")
        huge = png_chunk(b"tEXt", b"Big\0" + b"x" * (40 << 20))
        bomb = png_chunk(b"zTXt", b"Bomb\0\0" + zlib.compress(b"y" * (64 << 20), 9))
        src = self.path("big.png")
        with open(src, "wb") as f:
            f.write(with_chunks(b.getvalue(), bomb, png_chunk(b"iTXt", b"Kept\0\0\0\0\0kept"), huge))
        out = self.path("out.png")
        from test_pixel_limit import measured
        p, rss = measured("sr", "upscale", src, "-o", out, "--quiet")
        self.assertExit(p, OK)
        self.assertLess(rss, 60 * 1024, f"peak RSS {rss} KiB: the 40 MiB chunk was buffered")
        self.assertIn(f"sr: warning: {src}: tEXt metadata dropped (a chunk over 4 MiB)", p.stderr)
        with Image.open(out) as o:
            o.load()
            self.assertEqual((o.size, o.text), ((122, 86), {"Kept": "kept"}))
        self.assertLess(os.path.getsize(out), 1 << 20)


def vp8l_header(width, height):
    """A WebP whose lossless (VP8L) header declares width x height and holds no image data."""
    bits = (width - 1) | (height - 1) << 14
    vp8l = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 6
    chunk = b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


@unittest.skipIf(Image is None, "needs numpy and Pillow (make test-deps)")
class WebPTest(CLITestCase):
    def upscale(self, src, dst, *extra, status=OK):
        p = run("sr", "upscale", src, "-o", dst, "--scale", "2", *extra)
        self.assertExit(p, status)
        return p

    def decoded(self, path):
        with Image.open(path) as o:
            o.load()
            return o.format, o.mode, o.size, np.asarray(o).astype(np.int32)

    def rgba_photo(self, w=61, h=43, seed=0):
        base = np.asarray(photo(w, h, seed))
        y, x = np.mgrid[0:h, 0:w]
        alpha = np.clip(40 + 4 * x + 3 * y, 0, 255).astype(np.uint8)
        return Image.fromarray(np.dstack([base, alpha]), "RGBA")

    def assertMatchesPillow(self, webp, tolerance):
        """The upscale of `webp` equals the upscale of Pillow's decode of it saved as PNG."""
        out = webp + "-x2.png"
        self.upscale(webp, out)
        with Image.open(webp) as im:
            im.load()
            png = webp + ".pillow.png"
            im.save(png)
        self.upscale(png, png + "-x2.png")
        _, mode, size, got = self.decoded(out)
        _, tmode, tsize, truth = self.decoded(png + "-x2.png")
        self.assertEqual((mode, size), (tmode, tsize), f"{webp}: mode/size differ from Pillow's decode")
        diff = np.abs(got - truth)
        self.assertLessEqual(int(diff.max()), tolerance, f"{webp}: max difference {diff.max()}")
        return got

    def test_webp_inputs_match_pillow(self):
        cases = {
            # Lossless files decode exactly; lossy ones within the YUV->RGB rounding of two libwebp versions.
            "lossless.webp": (photo(), {"lossless": True}, 0),
            "lossy.webp": (photo(), {"quality": 90}, 2),
            "alpha-lossless.webp": (self.rgba_photo(), {"lossless": True, "exact": True}, 0),
            "alpha-lossy.webp": (self.rgba_photo(), {"quality": 85}, 2),
        }
        for name, (im, kw, tol) in cases.items():
            with self.subTest(name):
                p = self.path(name)
                im.save(p, "WEBP", **kw)
                got = self.assertMatchesPillow(p, tol)
                self.assertEqual(got.shape, (86, 122, 4 if "alpha" in name else 3))

    def test_webp_outputs_decode_in_pillow(self):
        rgb, rgba, gray = self.path("rgb.png"), self.path("rgba.png"), self.path("gray.png")
        photo().save(rgb)
        self.rgba_photo().save(rgba)
        photo().convert("L").save(gray)
        for src, mode in ((rgb, "RGB"), (rgba, "RGBA"), (gray, "RGB")):
            for extra in ((), ("--lossless",), ("--quality", "40")):
                with self.subTest(src=os.path.basename(src), extra=extra):
                    out = self.path(os.path.basename(src) + "".join(extra) + ".webp")
                    self.upscale(src, out, *extra)
                    fmt, m, size, _ = self.decoded(out)
                    self.assertEqual((fmt, m, size), ("WEBP", mode, (122, 86)))
        # Lossless: Pillow's decode equals what sr writes as PNG for the same input, sample for sample.
        for src in (rgb, rgba):
            png, webp = src + ".ll.png", src + ".ll.webp"
            self.upscale(src, png)
            self.upscale(src, webp, "--lossless")
            self.assertTrue(np.array_equal(self.decoded(png)[3], self.decoded(webp)[3]), src)
        # --quality changes the lossy size; --format webp picks WebP whatever the name says.
        small, large = self.path("q20.out"), self.path("q95.out")
        self.upscale(rgb, small, "--format", "webp", "--quality", "20")
        self.upscale(rgb, large, "--format", "webp", "--quality", "95")
        self.assertEqual(self.decoded(small)[0], "WEBP")
        self.assertLess(os.path.getsize(small), os.path.getsize(large))

    def test_webp_metadata_round_trips(self):
        icc = srgb_icc()
        src = self.path("in.webp")
        photo().save(src, "WEBP", quality=90, exif=exif_bytes(6), icc_profile=icc)
        jsrc = self.path("in.jpg")
        photo().save(jsrc, "JPEG", quality=90, exif=exif_bytes(8), icc_profile=icc)
        for inp, out in ((src, "out.webp"), (src, "out.jpg"), (jsrc, "j.webp"), (src, "out.png")):
            with self.subTest(inp=os.path.basename(inp), out=out):
                dst = self.path(out)
                self.upscale(inp, dst)
                with Image.open(dst) as o:
                    self.assertEqual(o.size, (86, 122))  # upright: stored sideways
                    self.assertEqual(o.info.get("icc_profile"), icc)
                    if not out.endswith(".png"):
                        e = o.getexif()
                        self.assertEqual(e.get(ORIENTATION), 1)
                        self.assertEqual(e.get(MAKE), "srcore-test")
                if shutil.which("exiftool") and out.endswith(".webp"):
                    tags = subprocess.run(["exiftool", "-s", "-s", "-s", "-n", "-Orientation", "-Make",
                                           "-ProfileDescription", dst], capture_output=True, text=True,
                                          check=True).stdout.split("\n")
                    self.assertEqual(tags[:2], ["1", "srcore-test"])
                    self.assertIn("sRGB", tags[2])
        stripped = self.path("stripped.webp")
        self.upscale(src, stripped, "--strip-metadata")
        with Image.open(stripped) as o:
            self.assertEqual(o.size, (86, 122))  # the orientation is still applied
            self.assertIsNone(o.info.get("icc_profile"))
            self.assertEqual(dict(o.getexif()), {})

    def test_orientations_of_webp(self):
        base = photo(53, 37, seed=3)
        for o in (3, 5, 6, 8):
            with self.subTest(orientation=o):
                p = self.path(f"o{o}.webp")
                base.save(p, "WEBP", lossless=True, exif=exif_bytes(o))
                out = p + ".png"
                self.upscale(p, out)
                with Image.open(p) as im:
                    truth = ImageOps.exif_transpose(im)
                    truth.save(p + ".upright.png")
                self.upscale(p + ".upright.png", p + ".upright.x2.png")
                self.assertTrue(np.array_equal(self.decoded(out)[3], self.decoded(p + ".upright.x2.png")[3]))

    def test_folder_takes_webp(self):
        d = self.path("in")
        os.mkdir(d)
        photo().save(os.path.join(d, "a.webp"), "WEBP", quality=80)
        photo().save(os.path.join(d, "b.WEBP"), "WEBP", lossless=True)
        photo().save(os.path.join(d, "c.png"))
        out = self.path("out")
        self.upscale(d, out)
        self.assertEqual(sorted(os.listdir(out)), ["a.webp", "b.WEBP", "c.png"])
        for n in os.listdir(out):
            self.assertEqual(self.decoded(os.path.join(out, n))[2], (122, 86))

    def test_eval_and_srprep_read_webp(self):
        d = self.path("hr")
        os.mkdir(d)
        photo(48, 40).save(os.path.join(d, "a.webp"), "WEBP", lossless=True)
        photo(48, 40, seed=1).save(os.path.join(d, "b.png"))
        p = run("sr", "eval", "--scale", 2, d)
        self.assertExit(p, OK)
        self.assertIn("a.webp", p.stdout)
        self.assertIn("mean (2)", p.stdout)
        out = self.path("p.h5")
        p = run("srprep", "build", "--scale", 2, "--patch", 8, "--stride", 8, "--input", d, "-o", out, "--quiet")
        self.assertExit(p, OK)
        self.assertIn("from 2 images", p.stdout)
        self.assertNotIn("lossy WebP", p.stderr)
        photo(48, 40, seed=2).save(os.path.join(d, "c.webp"), "WEBP", quality=80)
        p = run("srprep", "build", "--scale", 2, "--patch", 8, "--stride", 8, "--input", d, "-o", out, "--quiet", "--force")
        self.assertExit(p, OK)
        self.assertEqual(p.stderr.count("is a lossy WebP"), 1, p.stderr)
        self.assertIn("c.webp", p.stderr)

    def test_damaged_webp_fails_cleanly(self):
        good = self.path("good.webp")
        photo(120, 90).save(good, "WEBP", quality=90)
        with open(good, "rb") as f:
            data = f.read()
        cases = {
            "truncated.webp": data[: len(data) * 6 // 10],
            "header-only.webp": data[:30],
            "signature-only.webp": data[:12],
            "bad-chunk.webp": data[:12] + b"XXXX" + data[16:],
            "no-image-data.webp": vp8l_header(100, 80),
        }
        for name, blob in cases.items():
            with self.subTest(name):
                src = self.path(name)
                with open(src, "wb") as f:
                    f.write(blob)
                for ext in ("png", "webp"):
                    out = self.path(f"{name}.{ext}")
                    p = run("sr", "upscale", src, "-o", out, "--scale", "2")
                    self.assertExit(p, DATA, stderr_has=src)
                    self.assertFalse(os.path.exists(out), "a damaged input left an output")
                    self.assertNoTemporaries(self.dir)

    def test_pixel_limit_from_the_webp_header(self):
        src = self.path("huge.webp")
        with open(src, "wb") as f:
            f.write(vp8l_header(16000, 16000))
        p = run("sr", "upscale", src, "-o", self.path("out.png"), "--max-pixels", 1000000)
        self.assertNotEqual(p.returncode, OK)
        self.assertIn("huge.webp", p.stderr)
        self.assertIn("exceeds the limit of 1000000", p.stderr)
        self.assertLess(p.elapsed, 5)


if __name__ == "__main__":
    unittest.main()
