#!/usr/bin/env python3
"""Writes the seed corpora of the jpeg, webp and exif fuzz harnesses (docs/fuzzing.md) with Pillow:
small JPEGs of every kind the reader handles (baseline, progressive, gray, CMYK, restart markers,
4:4:4, EXIF orientations, ICC), small WebPs (lossy, lossless, with alpha, with EXIF and ICCP chunks)
raw EXIF (TIFF) blocks in both byte orders, and the png harness's metadata seed. Deterministic, so the
committed seeds (each under 2 KiB) are reproducible:  python3 Tests/fuzz/make_photo_seeds.py
"""
import io
import os
import struct

import numpy as np
from PIL import Image, ImageCms, PngImagePlugin

HERE = os.path.dirname(os.path.abspath(__file__))


def picture(w, h):
    y, x = np.mgrid[0:h, 0:w]
    a = np.stack([x * 255 // max(1, w - 1), y * 255 // max(1, h - 1), (x * y) % 256], -1)
    return Image.fromarray(a.astype(np.uint8), "RGB")


def exif(orientation, big_endian=False):
    e = Image.Exif()
    e[274] = orientation
    e[271] = "seed"
    b = e.tobytes()
    if big_endian:  # Pillow writes little-endian; build a minimal big-endian IFD0 by hand
        b = b"MM\x00\x2a\x00\x00\x00\x08\x00\x01" + b"\x01\x12\x00\x03\x00\x00\x00\x01" \
            + bytes([0, orientation, 0, 0]) + b"\x00\x00\x00\x00"
    return b


def main():
    jd = os.path.join(HERE, "jpeg", "corpus")
    xd = os.path.join(HERE, "exif", "corpus")
    os.makedirs(jd, exist_ok=True)
    os.makedirs(xd, exist_ok=True)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    icc = icc[:24] + bytes(12) + icc[36:]  # no creation date: the seeds stay reproducible
    pic = picture(16, 12)
    seeds = {
        "baseline.jpg": (pic, {"quality": 75}),
        "progressive.jpg": (pic, {"quality": 75, "progressive": True}),
        "gray.jpg": (pic.convert("L"), {"quality": 75}),
        "cmyk.jpg": (pic.convert("CMYK"), {"quality": 75}),
        "restart.jpg": (pic, {"quality": 75, "restart_marker_blocks": 1}),
        "q444.jpg": (pic, {"quality": 75, "subsampling": 0}),
        "orient6.jpg": (pic, {"quality": 50, "exif": exif(6)}),
        "icc.jpg": (picture(8, 8), {"quality": 50, "icc_profile": icc[:400]}),
        "tiny.jpg": (picture(1, 1), {"quality": 50}),
    }
    for name, (im, kw) in seeds.items():
        b = io.BytesIO()
        im.save(b, "JPEG", **kw)
        with open(os.path.join(jd, name), "wb") as f:
            f.write(b.getvalue())
    wd = os.path.join(HERE, "webp", "corpus")
    os.makedirs(wd, exist_ok=True)
    rgba = pic.copy()
    rgba.putalpha(pic.convert("L"))
    webps = {
        "lossy.webp": (pic, {"quality": 50}),
        "lossless.webp": (pic, {"lossless": True}),
        "alpha-lossy.webp": (rgba, {"quality": 50}),
        "alpha-lossless.webp": (rgba, {"lossless": True}),
        "orient6-icc.webp": (picture(8, 8), {"quality": 50, "exif": exif(6), "icc_profile": icc[:400]}),
        "tiny.webp": (picture(1, 1), {"lossless": True}),
    }
    for name, (im, kw) in webps.items():
        b = io.BytesIO()
        im.save(b, "WEBP", **kw)
        with open(os.path.join(wd, name), "wb") as f:
            f.write(b.getvalue())
    # The png harness's metadata seed: iCCP, eXIf, tEXt, zTXt, iTXt, sRGB, gAMA (docs/image-formats.md).
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", "seed")
    info.add_text("Comment", "z" * 40, zip=True)
    info.add_itxt("Author", "\u00fc", "de", "Autor")
    info.add(b"sRGB", b"\x00")
    info.add(b"gAMA", struct.pack(">I", 45455))
    b = io.BytesIO()
    picture(4, 4).save(b, "PNG", pnginfo=info, icc_profile=icc, exif=exif(6))
    with open(os.path.join(HERE, "png", "corpus", "metadata.png"), "wb") as f:
        f.write(b.getvalue())
    for o in (1, 3, 6, 8):
        with open(os.path.join(xd, f"le-{o}.tiff"), "wb") as f:
            f.write(exif(o))
    with open(os.path.join(xd, "be-5.tiff"), "wb") as f:
        f.write(exif(5, big_endian=True))


if __name__ == "__main__":
    main()
