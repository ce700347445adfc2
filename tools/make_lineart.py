#!/usr/bin/env python3
"""A held-out validation set unlike the training photos: line art, manga-like screentones and text.

Issue 13 asks the shipped models to beat the reference c-DCSCN on every kind of content, not only on
set5's five photos; the training data (yang91, bsd200) holds no drawings. This script renders such
pictures deterministically (the same files for the same --seed and Pillow version): black strokes of
several widths (lines, Bezier-like curves, ellipses, polygons), flat grey fills, dot and line screentones,
and text in Pillow's bundled font at several sizes — each drawn at 4x and reduced with a box filter, so
edges are anti-aliased as in a scanned or rendered page.

    python3 tools/make_lineart.py --out lineart --count 12 [--size 256] [--seed 1]
    sr eval --scale 2 lineart            # the shipped model
    sr eval --scale 2 --model cdcscn_x2.safetensors lineart

Needs Pillow (`pip install pillow`).
"""
import argparse
import os
import random

from PIL import Image, ImageDraw, ImageFont

WORDS = ("the quick brown fox jumps over the lazy dog SUPER RESOLUTION 0123456789 "
         "manga line art screentone DCSCN srcore kernel edges pixels").split()


def screentone(draw, box, rng, k):
    x0, y0, x1, y1 = box
    step = rng.choice([3, 4, 6]) * k
    if rng.random() < 0.5:   # dots
        r = max(1, step // 3)
        for y in range(y0, y1, step):
            for x in range(x0 + (step // 2 if (y // step) % 2 else 0), x1, step):
                draw.ellipse([x - r, y - r, x + r, y + r], fill=0)
    else:                    # hatching
        for t in range(x0 - (y1 - y0), x1, step):
            draw.line([t, y1, t + (y1 - y0), y0], fill=0, width=max(1, k))


def picture(rng, size, k=4):
    big = size * k
    img = Image.new("L", (big, big), 255)
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(1, 3)):   # flat fills and tones, behind the strokes
        x0, y0 = rng.randrange(0, big - big // 4), rng.randrange(0, big - big // 4)
        box = [x0, y0, x0 + rng.randrange(big // 8, big // 3), y0 + rng.randrange(big // 8, big // 3)]
        if rng.random() < 0.5:
            d.rectangle(box, fill=rng.choice([160, 200, 230]))
        else:
            screentone(d, box, rng, k)
    for _ in range(rng.randint(6, 14)):
        w = rng.choice([1, 1, 2, 3, 5]) * k
        kind = rng.random()
        pts = [(rng.randrange(big), rng.randrange(big)) for _ in range(4)]
        if kind < 0.3:
            d.line(pts[:2], fill=0, width=w)
        elif kind < 0.55:   # a smooth curve through a cubic Bezier's points
            curve = []
            for i in range(41):
                t = i / 40
                bern = ((1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3)
                curve.append((sum(c * p[0] for c, p in zip(bern, pts)), sum(c * p[1] for c, p in zip(bern, pts))))
            d.line(curve, fill=0, width=w, joint="curve")
        elif kind < 0.75:
            x0, y0 = pts[0]
            d.ellipse([x0, y0, x0 + rng.randrange(big // 10, big // 2), y0 + rng.randrange(big // 10, big // 2)],
                      outline=0, width=w)
        else:
            d.polygon(pts[:rng.randint(3, 4)], outline=0, width=w)
    for _ in range(rng.randint(1, 3)):   # text lines
        px = rng.choice([9, 12, 16, 24]) * k
        font = ImageFont.load_default(size=px)
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))
        d.text((rng.randrange(0, big // 3), rng.randrange(0, big - px)), text, fill=0, font=font)
    return img.resize((size, size), Image.BOX).convert("RGB")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    for i in range(a.count):
        path = os.path.join(a.out, f"lineart_{i + 1:03d}.png")
        picture(rng, a.size).save(path + ".tmp.png")
        os.replace(path + ".tmp.png", path)
    print(f"wrote {a.count} pictures of {a.size}x{a.size} to {a.out}")


if __name__ == "__main__":
    main()
