#!/usr/bin/env python3
"""A held-out validation set of urban-like scenes: straight edges at many angles, repeated structure.

Issue 13 asks the shipped models to beat the reference c-DCSCN on every kind of content; Urban100 (the
usual benchmark for it) is not in this project's data, and the training photos (yang91, bsd200) hold few
buildings. This script renders such pictures deterministically (the same files for the same --seed and
Pillow version): building facades in perspective (a projective map of a flat facade, so window rows
converge), window grids with frames and mullions, brick and tile courses, railings, sky and ground
gradients with mild noise — each drawn at 4x and reduced with a box filter, so edges are anti-aliased as
a camera would record them.

    python3 tools/make_urban.py --out urban --count 12 [--size 256] [--seed 1]
    sr eval --scale 2 urban                  # the shipped model
    sr eval --scale 2 --model cdcscn_x2.safetensors urban

Needs Pillow and numpy (`pip install pillow numpy`).
"""
import argparse
import os
import random

import numpy as np
from PIL import Image, ImageDraw


def homography(src, dst):
    """3x3 H with H @ [x, y, 1] ~ dst for the four point pairs (direct linear solve)."""
    a, b = [], []
    for (x, y), (u, v) in zip(src, dst):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); b.append(u)
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y]); b.append(v)
    h = np.linalg.solve(np.array(a, float), np.array(b, float))
    return np.append(h, 1).reshape(3, 3)


def facade(rng, w, h):
    """A flat facade image (RGB, w x h): wall, window grid, courses, a cornice."""
    wall = tuple(rng.randint(90, 220) for _ in range(3))
    img = Image.new("RGB", (w, h), wall)
    d = ImageDraw.Draw(img)
    kind = rng.choice(["brick", "panel", "plain"])
    if kind == "brick":
        course = rng.choice([10, 14, 18])
        mortar = tuple(max(0, c - rng.randint(30, 60)) for c in wall)
        for y in range(0, h, course):
            d.line([(0, y), (w, y)], fill=mortar, width=2)
            off = (y // course % 2) * course
            for x in range(off, w, 2 * course):
                d.line([(x, y), (x, y + course)], fill=mortar, width=2)
    elif kind == "panel":
        step = rng.choice([60, 80, 120])
        seam = tuple(max(0, c - 40) for c in wall)
        for x in range(0, w, step):
            d.line([(x, 0), (x, h)], fill=seam, width=3)
        for y in range(0, h, step):
            d.line([(0, y), (w, y)], fill=seam, width=3)
    cols, rows = rng.randint(3, 7), rng.randint(3, 7)
    mx, my = w // (cols * 4), h // (rows * 4)
    cw, rh = (w - 2 * mx) // cols, (h - 2 * my) // rows
    glass = tuple(rng.randint(20, 90) for _ in range(3))
    frame = tuple(rng.randint(200, 255) for _ in range(3)) if rng.random() < 0.6 else (30, 30, 30)
    for r in range(rows):
        for c in range(cols):
            x0, y0 = mx + c * cw + cw // 6, my + r * rh + rh // 6
            x1, y1 = x0 + cw * 2 // 3, y0 + rh * 2 // 3
            d.rectangle([x0, y0, x1, y1], fill=glass, outline=frame, width=max(3, cw // 25))
            if rng.random() < 0.7:   # mullions
                d.line([((x0 + x1) // 2, y0), ((x0 + x1) // 2, y1)], fill=frame, width=max(2, cw // 40))
            if rng.random() < 0.4:
                d.line([(x0, (y0 + y1) // 2), (x1, (y0 + y1) // 2)], fill=frame, width=max(2, cw // 40))
            if rng.random() < 0.3:   # a railing under the window
                for x in range(x0, x1, max(4, cw // 20)):
                    d.line([(x, y1 + rh // 12), (x, y1 + rh // 6)], fill=(20, 20, 20), width=2)
                d.line([(x0, y1 + rh // 12), (x1, y1 + rh // 12)], fill=(20, 20, 20), width=3)
    d.rectangle([0, 0, w, my // 2 + 4], fill=tuple(max(0, c - 50) for c in wall))
    return img


def scene(rng, size):
    k = 4
    big = size * k
    sky0, sky1 = np.array([rng.randint(120, 200), rng.randint(150, 220), 255.0]), np.array([230.0, 235, 245])
    t = np.linspace(0, 1, big)[:, None, None]
    canvas = (sky0 * (1 - t) + sky1 * t) * np.ones((big, big, 3))
    out = Image.fromarray(canvas.astype(np.uint8))
    for _ in range(rng.randint(1, 3)):
        fw, fh = rng.choice([(800, 1000), (1000, 800), (900, 1200)])
        f = facade(rng, fw, fh)
        # a quadrilateral on the canvas: converging verticals or horizontals (perspective)
        x0 = rng.uniform(-0.2, 0.5) * big
        x1 = x0 + rng.uniform(0.5, 1.0) * big
        yt0, yb0 = rng.uniform(-0.1, 0.3) * big, rng.uniform(0.7, 1.1) * big
        squeeze = rng.uniform(0.0, 0.25) * big
        if rng.random() < 0.5:
            quad = [(x0, yt0), (x1, yt0 + squeeze), (x1, yb0 - squeeze * 0.6), (x0, yb0)]
        else:
            quad = [(x0, yt0 + squeeze), (x1, yt0), (x1, yb0), (x0, yb0 - squeeze * 0.6)]
        # PIL's perspective transform maps output -> input: H from the canvas quad to the facade corners
        hm = homography(quad, [(0, 0), (fw, 0), (fw, fh), (0, fh)])
        coeffs = (hm / hm[2, 2]).flatten()[:8]
        warped = f.transform((big, big), Image.Transform.PERSPECTIVE, tuple(coeffs), Image.Resampling.BILINEAR)
        mask = Image.new("L", (big, big), 0)
        ImageDraw.Draw(mask).polygon(quad, fill=255)
        out.paste(warped, (0, 0), mask)
    d = ImageDraw.Draw(out)
    if rng.random() < 0.6:   # a street: ground band and lane lines converging
        gy = int(rng.uniform(0.8, 0.92) * big)
        d.rectangle([0, gy, big, big], fill=(70, 70, 75))
        vx = rng.uniform(0.3, 0.7) * big
        for s in (-0.6, -0.2, 0.2, 0.6):
            d.line([(vx, gy), (vx + s * big * 2, big)], fill=(230, 230, 230), width=k * 2)
    small = out.resize((size, size), Image.Resampling.BOX)
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 1.5, (size, size, 3))
    return Image.fromarray(np.clip(np.asarray(small, float) + noise, 0, 255).round().astype(np.uint8))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    for i in range(a.count):
        scene(rng, a.size).save(os.path.join(a.out, f"urban{i:02d}.png"))
    print(f"wrote {a.count} pictures of {a.size}x{a.size} to {a.out}")


if __name__ == "__main__":
    main()
