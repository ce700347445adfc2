"""Upscaling with the srcore Python package (pip install ./python), three ways.

    python3 examples/python/upscale.py photo.png photo-x2.png [--scale 2] [--ensemble 8] [--via file|pil|numpy]

  file   srcore.upscale_file: streamed, the very bytes `sr upscale photo.png -o photo-x2.png` writes
  pil    Pillow opens the picture, Model.upscale returns a PIL image of the same mode, Pillow saves it
  numpy  the pixels as a numpy array (uint8/uint16), upscaled into a new array
"""
import argparse
import sys
import time

import srcore


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--scale", type=int, default=2, choices=(2, 3, 4))
    p.add_argument("--ensemble", type=int, default=1, help="1 = off, 8 = all flips and rotations")
    p.add_argument("--via", choices=("file", "pil", "numpy"), default="file")
    args = p.parse_args(argv)
    start = time.perf_counter()
    model = srcore.Model.builtin(args.scale)
    try:
        if args.via == "file":
            model.upscale_file(args.input, args.output, ensemble=args.ensemble)
        else:
            import numpy as np
            from PIL import Image
            with Image.open(args.input) as image:
                if args.via == "pil":
                    out = model.upscale(image, ensemble=args.ensemble)
                else:
                    out = Image.fromarray(model.upscale(np.asarray(image), ensemble=args.ensemble))
            out.save(args.output)
    except (srcore.SRError, OSError) as e:  # srcore's messages name the file and the problem
        print(f"upscale.py: {e}", file=sys.stderr)
        return 1
    print(f"{args.input} -> {args.output} (x{model.scale}, {time.perf_counter() - start:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
