"""What the srcore Python package adds over a bare C API call, on the same work in one process.

    python3 bench/python_overhead.py [--size 512] [--reps 15] [--threads 2]

Arms, interleaved round by round (so machine load hits all alike), medians reported:
  bare    ctypes straight to sr_upscale with prebuilt sr_image/sr_options structs and a preallocated
          output: the C API's own cost plus one foreign call
  numpy   srcore.Model.upscale(array): validation, option struct, sr_output_size, output allocation
  pil     srcore.Model.upscale(PIL image): plus the PIL <-> numpy copies
Wall-clock medians on a loaded machine carry noise larger than the effect, so the overhead is also
measured directly: the same arms on a 16x16 picture (--small-reps rounds), where the library's work
is tiny and the difference numpy - bare is the package's fixed cost per call, plus the cost of
allocating and first touching the output array (which bare reuses). The package's share of a full
call is then (fixed + allocation) / bare median.
All use the same library (the one the installed package loads) and the builtin x2 model, on a
size x size RGB uint8 picture.
"""
import argparse
import ctypes
import statistics
import time

import numpy as np

import srcore
from srcore import _native as N


def interleaved(arms, reps):
    """Seconds of each call of each arm, the arms taking turns `reps` times (so load drifts hit all alike)."""
    times = {name: [] for name in arms}
    for _ in range(reps):
        for name, f in arms.items():
            t = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t)
    return times


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--small-reps", type=int, default=3000)
    args = p.parse_args()
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:args.size, 0:args.size]
    rgb = np.clip(np.stack([(yy + xx) % 256, (2 * yy) % 256, (3 * xx) % 256], 2) + rng.integers(0, 20, (args.size, args.size, 3)), 0, 255).astype(np.uint8)
    model = srcore.Model.builtin(2)
    lib = N.lib()

    handle = model._acquire()  # the raw sr_model of the same model
    out = np.empty((2 * args.size, 2 * args.size, 3), np.uint8)
    src = N.Image(N.RGB8, args.size, args.size, args.size * 3, rgb.ctypes.data)
    dst = N.Image(N.RGB8, 2 * args.size, 2 * args.size, 2 * args.size * 3, out.ctypes.data)
    opts = N.Options()
    lib.sr_options_init_size(ctypes.byref(opts), ctypes.sizeof(opts))
    opts.threads = args.threads

    def bare():
        assert lib.sr_upscale(handle, ctypes.byref(opts), ctypes.byref(src), ctypes.byref(dst)) == 0
        return out

    pil_image = None
    try:
        from PIL import Image
        pil_image = Image.fromarray(rgb)
    except ImportError:
        pass
    arms = {"bare": bare, "numpy": lambda: model.upscale(rgb, threads=args.threads)}
    if pil_image is not None:
        arms["pil"] = lambda: model.upscale(pil_image, threads=args.threads)
    results = {name: f() for name, f in arms.items()}  # warm-up, and the same pixels from every arm
    assert np.array_equal(results["bare"], results["numpy"])
    if "pil" in results:
        assert np.array_equal(np.asarray(results["pil"]), results["bare"])
    times = interleaved(arms, args.reps)
    # the fixed cost: the same arms on a 16x16 picture
    small = np.ascontiguousarray(rgb[:16, :16])
    small_out = np.empty((32, 32, 3), np.uint8)
    s_src = N.Image(N.RGB8, 16, 16, 48, small.ctypes.data)
    s_dst = N.Image(N.RGB8, 32, 32, 96, small_out.ctypes.data)
    opts1 = N.Options()
    lib.sr_options_init_size(ctypes.byref(opts1), ctypes.sizeof(opts1))
    opts1.threads = 1
    small_arms = {
        "bare": lambda: lib.sr_upscale(handle, ctypes.byref(opts1), ctypes.byref(s_src), ctypes.byref(s_dst)),
        "numpy": lambda: model.upscale(small, threads=1),
    }
    if pil_image is not None:
        small_pil = Image.fromarray(small)
        small_arms["pil"] = lambda: model.upscale(small_pil, threads=1)
    small_times = interleaved(small_arms, args.small_reps)
    alloc = []
    for _ in range(args.reps):
        t = time.perf_counter()
        a = np.empty_like(out)
        a.reshape(-1)[::4096] = 0  # first touch of every page, as the library's writes do
        alloc.append(time.perf_counter() - t)
        del a
    convert = []  # the PIL arm's copies at full size: image -> array, array -> image
    for _ in range(args.reps if pil_image is not None else 0):
        t = time.perf_counter()
        np.asarray(pil_image)
        Image.fromarray(out)
        convert.append(time.perf_counter() - t)
    model._release()
    base = statistics.median(times["bare"])
    print(f"{args.size}x{args.size} RGB uint8 -> x2, {args.threads} threads, {args.reps} interleaved rounds, "
          f"library {srcore.library_path()}")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"  {name:6s} median {m * 1000:8.2f} ms  (min {min(ts) * 1000:8.2f})  {100 * (m / base - 1):+6.2f}% vs bare")
    small_bare = statistics.median(small_times["bare"])
    alloc_m = statistics.median(alloc)
    print(f"16x16 ({args.small_reps} interleaved rounds, 1 thread): bare {small_bare * 1e6:.1f} us per call; "
          f"output allocation for {args.size}x{args.size}: {alloc_m * 1e3:.3f} ms")
    for name in small_arms:
        if name == "bare":
            continue
        fixed = statistics.median(small_times[name]) - small_bare
        extra = alloc_m + (statistics.median(convert) if name == "pil" else 0.0)
        share = (fixed + extra) / base
        what = "the allocation and the PIL copies" if name == "pil" else "the allocation"
        print(f"  {name:6s} fixed cost {fixed * 1e6:7.1f} us per call; with {what} "
              f"{(fixed + extra) * 1e3:.3f} ms = {100 * share:.2f}% of the {args.size}x{args.size} call")


if __name__ == "__main__":
    main()
