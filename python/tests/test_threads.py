"""One model shared by many threads: identical results, and the GIL released during the work."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import srcore
from conftest import picture


def test_many_threads_share_one_model(model):
    inputs = [picture(20 + i % 5, 24, [0, 2, 3, 4][i % 4], [np.uint8, np.uint16][i % 2], seed=i) for i in range(32)]
    expected = [model.upscale(x, threads=1) for x in inputs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda x: model.upscale(x, threads=2, ensemble=1), inputs))
    assert all(np.array_equal(a, b) for a, b in zip(got, expected))


def test_errors_stay_on_their_thread(model, tmp_path):
    """sr_last_error is per thread: each thread's exception names its own file."""
    def fail(i):
        try:
            model.upscale_file(tmp_path / f"missing-{i}.png", tmp_path / f"out-{i}.png")
        except srcore.SRIOError as e:
            return f"missing-{i}.png" in e.message
        return False
    with ThreadPoolExecutor(max_workers=6) as pool:
        assert all(pool.map(fail, range(60)))


def test_gil_is_released_during_an_upscale(model):
    """While one long library call runs on a worker thread, the main thread keeps running Python.
    (Checked to fail when the library is loaded with ctypes.PyDLL, which holds the GIL during calls:
    one tick in a 0.4 s call. A progress callback would hide that, as Python code in a callback lets
    the interpreter switch threads, so this call has none.)"""
    x = picture(400, 400, 3)
    inside = []

    def work():
        started = time.perf_counter()
        model.upscale(x, threads=1)
        inside.append((started, time.perf_counter()))

    t = threading.Thread(target=work)
    ticks = []
    t.start()
    while t.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    t.join()
    start, end = inside[0]
    during = [s for s in ticks if start < s < end]
    assert end - start > 0.05
    # The GIL held for the whole call would leave no tick inside it (only 5 ms switch intervals).
    assert len(during) > 10, f"{len(during)} main-thread ticks during a {end - start:.2f} s call"


def test_close_while_other_threads_upscale():
    m = srcore.Model.builtin(2)
    x = picture(120, 120, 3)
    expect = m.upscale(x, threads=1)
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(m.upscale, x, 1, 1) for _ in range(4)]
        time.sleep(0.01)
        m.close()  # frees the handle only when the calls in flight have returned
        results = []
        for f in futures:
            try:
                results.append(f.result())
            except srcore.InvalidArgumentError as e:  # a call that started after close()
                assert "closed" in str(e)
    assert results and all(np.array_equal(r, expect) for r in results)
