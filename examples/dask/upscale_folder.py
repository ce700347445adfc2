"""Upscale a folder (or a list of image paths on shared storage) over a dask.distributed cluster.

    python3 examples/dask/upscale_folder.py photos/ -o photos-x2/                 # a LocalCluster here
    python3 examples/dask/upscale_folder.py photos/ -o out/ --workers 4 --scale 3
    python3 examples/dask/upscale_folder.py --list paths.txt -o /shared/out --scheduler tcp://head:8786

Every worker process loads the model once (a WorkerPlugin: the model's bytes travel with the plugin,
so workers need only the srcore package, not the weights file) and upscales one file per task with
srcore's Model.upscale_file: each output is byte for byte what `sr upscale IN -o OUT` writes, and is
written to a temporary file beside it and renamed, so a task that fails or a worker that dies leaves
no partial file (Dask reruns the task elsewhere). Inputs and the output folder must be reachable
under the same paths from every worker (a shared file system) when the cluster spans machines.

Output names keep the input names (OUT/<name>). An existing output is an error unless --force
(overwrite) or --skip-existing. One summary line at the end; exit status 0 when every file succeeded,
1 when any failed (their errors are listed), 2 for bad arguments.
"""
import argparse
import json
import os
import sys
import time

try:
    from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker
except ImportError:  # pragma: no cover
    sys.exit("upscale_folder.py: needs dask.distributed: python3 -m pip install dask distributed")

SUFFIXES = (".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".webp")  # what libsrcore reads (PNG; JPEG, WebP where built in)
PLUGIN = "srcore-model"


class SrcoreModelPlugin(WorkerPlugin):
    """A dask WorkerPlugin: loads the model once in each worker process (setup) and keeps it."""
    name = PLUGIN

    def __init__(self, scale, weights=None, threads=None):
        self.scale, self.weights, self.threads = scale, weights, threads
        self.model, self.loads = None, 0

    def setup(self, worker):
        import srcore
        self.model = srcore.Model.from_bytes(self.weights) if self.weights else srcore.Model.builtin(self.scale)
        self.loads += 1
        if self.threads is None:  # one upscale per worker thread: share this machine's cores among them
            self.threads = max(1, (os.cpu_count() or 1) // max(1, worker.state.nthreads))

    def teardown(self, worker):
        if self.model is not None:
            self.model.close()


def upscale_one(src, dst, options):
    """The task: one file. Returns a record (errors are returned, not raised, so the rest go on)."""
    import srcore
    plugin = get_worker().plugins[PLUGIN]
    start = time.perf_counter()
    record = {"input": src, "output": dst, "pid": os.getpid(), "worker": get_worker().address,
              "loads": plugin.loads, "model": id(plugin.model)}
    try:
        plugin.model.upscale_file(src, dst, threads=plugin.threads, **options)
        record["error"] = None
    except (srcore.SRError, OSError) as e:
        record["error"] = str(e)
    record["seconds"] = time.perf_counter() - start
    return record


def plan(inputs, list_file, output, suffixes, force, skip_existing):
    """[(input, output)] and the number skipped; raises ValueError on a bad request."""
    paths = []
    if list_file:
        with open(list_file, encoding="utf-8") as f:
            paths += [line.strip() for line in f if line.strip() and not line.startswith("#")]
    for item in inputs:
        if os.path.isdir(item):
            names = sorted(n for n in os.listdir(item) if n.lower().endswith(suffixes)
                           and os.path.isfile(os.path.join(item, n)))
            if not names:
                raise ValueError(f"{item}: no {'/'.join(suffixes)} files in this folder")
            paths += [os.path.join(item, n) for n in names]
        elif os.path.exists(item):
            paths.append(item)
        else:
            raise ValueError(f"{item}: no such file or folder")
    if not paths:
        raise ValueError("nothing to upscale: give files, folders or --list")
    jobs, seen, skipped = [], {}, 0
    for src in paths:
        dst = os.path.join(output, os.path.basename(src))
        if dst in seen:
            raise ValueError(f"{src} and {seen[dst]} would both write {dst}")
        seen[dst] = src
        if os.path.abspath(dst) == os.path.abspath(src):
            raise ValueError(f"{dst}: output would overwrite its own input")
        if os.path.exists(dst) and not force:
            if skip_existing:
                skipped += 1
                continue
            raise ValueError(f"{dst}: exists (use --force to overwrite or --skip-existing)")
        jobs.append((os.path.abspath(src), os.path.abspath(dst)))
    return jobs, skipped


def main(argv=None):
    p = argparse.ArgumentParser(description="Upscale images over a dask.distributed cluster with srcore.")
    p.add_argument("inputs", nargs="*", help="image files and/or folders (not recursive)")
    p.add_argument("-o", "--output", required=True, help="output folder (created if missing)")
    p.add_argument("--list", help="a text file of input paths, one per line")
    p.add_argument("--scale", type=int, default=2, choices=(2, 3, 4), help="builtin model (without --model)")
    p.add_argument("--model", help="a weights file (.safetensors) instead of the builtin model")
    p.add_argument("--ensemble", type=int, default=1, help="self-ensemble passes 1..8")
    p.add_argument("--compression", type=int, default=None, help="PNG zlib level 0..9 (default 3, as sr upscale)")
    p.add_argument("--scheduler", help="address of a running scheduler (default: start a LocalCluster)")
    p.add_argument("--workers", type=int, default=None, help="LocalCluster worker processes (default: one per core)")
    p.add_argument("--threads-per-worker", type=int, default=1, help="LocalCluster threads per worker process")
    p.add_argument("--threads", type=int, default=None,
                   help="library threads per upscale (default: the worker machine's cores / its worker threads)")
    p.add_argument("--suffixes", default=",".join(SUFFIXES), help="file name endings taken from folders")
    p.add_argument("--force", action="store_true", help="overwrite existing outputs")
    p.add_argument("--skip-existing", action="store_true", help="skip inputs whose output exists")
    p.add_argument("--report", help="write a JSON record per file here (worker pid, seconds, error)")
    args = p.parse_args(argv)
    if args.force and args.skip_existing:
        p.error("--force and --skip-existing exclude each other")
    if not 1 <= args.ensemble <= 8:
        p.error("--ensemble must be in 1..8")
    if args.compression is not None and not 0 <= args.compression <= 9:
        p.error("--compression must be in 0..9")
    for name in ("workers", "threads_per_worker", "threads"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    try:
        suffixes = tuple(s.strip().lower() for s in args.suffixes.split(",") if s.strip())
        jobs, skipped = plan(args.inputs, args.list, args.output, suffixes, args.force, args.skip_existing)
    except (ValueError, OSError) as e:
        print(f"upscale_folder.py: error: {e}", file=sys.stderr)
        return 2
    weights = None
    if args.model:
        import srcore
        try:
            with open(args.model, "rb") as f:
                weights = f.read()
            srcore.Model.from_bytes(weights).close()  # a bad file fails here, not on every worker
        except (srcore.SRError, OSError) as e:
            print(f"upscale_folder.py: error: {args.model}: {e}", file=sys.stderr)
            return 2

    if not jobs:
        print(f"0 upscaled, {skipped} skipped, 0 failed: nothing to do -> {args.output}")
        return 0
    start = time.perf_counter()
    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
        threads = args.threads
    else:
        workers = args.workers or max(1, (os.cpu_count() or 1) // args.threads_per_worker)
        cluster = LocalCluster(n_workers=workers, threads_per_worker=args.threads_per_worker,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
        client.wait_for_workers(workers)
        threads = args.threads or max(1, (os.cpu_count() or 1) // (workers * args.threads_per_worker))
    try:
        os.makedirs(args.output, exist_ok=True)
        client.register_plugin(SrcoreModelPlugin(args.scale, weights, threads), name=PLUGIN)
        ready = time.perf_counter()  # the cluster is up and every worker has loaded the model
        options = {"ensemble": args.ensemble, "compression": args.compression}
        futures = client.map(upscale_one, [s for s, _ in jobs], [d for _, d in jobs],
                             options=options, pure=False)
        records = []
        inputs = {f.key: job for f, job in zip(futures, jobs)}
        for future in as_completed(futures):
            try:
                records.append(future.result())
            except Exception as e:  # the task itself failed, e.g. its workers kept dying (KilledWorker)
                src, dst = inputs[future.key]
                records.append({"input": src, "output": dst, "pid": None, "worker": None, "loads": 0,
                                "model": None, "error": f"{src}: {type(e).__name__}: {e}", "seconds": 0.0})
        n_workers = len(client.scheduler_info()["workers"])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    failed = [r for r in records if r["error"]]
    for r in sorted(failed, key=lambda r: r["input"]):
        print(f"upscale_folder.py: error: {r['error']}", file=sys.stderr)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(sorted(records, key=lambda r: r["input"]), f, indent=1)
    processes = {r["worker"] for r in records if r["worker"]}
    loads = max((r["loads"] for r in records), default=0)
    now = time.perf_counter()
    print(f"{len(records) - len(failed)} upscaled, {skipped} skipped, {len(failed)} failed on {n_workers} workers "
          f"({len(processes)} processes used, model loaded {loads}x per process) in {now - start:.1f} s "
          f"(start-up {ready - start:.1f} s, upscaling {now - ready:.1f} s) -> {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
