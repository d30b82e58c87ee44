"""Expressions over files already in the page cache: d = a*b + c over float32 .npy files by
maparray.evaluate (no memory bound: everything fits), numexpr.evaluate over numpy.memmap and
numpy (multiply then add with out=), in one process, the output an existing file whose pages
are cached too, so that what is timed is the computation, not making new pages. Prints JSON
with the medians.

usage: hot_expressions.py DIR MIB REPEATS
"""
import json
import math
import os
import statistics
import sys
import time

import numpy as np


def main():
    directory, mib, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    n = (mib << 20) // 4
    arrays = {}
    for name, seed in (("a", 1), ("b", 3), ("c", 5), ("d", 0)):
        path = os.path.join(directory, name + ".npy")
        out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n,))
        step = 1 << 24
        for i in range(0, n, step):
            out[i:i + step] = (np.arange(i, min(n, i + step)) * seed) % 7
        out.flush()
        del out
        arrays[name] = np.load(path, mmap_mode="r+" if name == "d" else "r")

    import maparray
    import numexpr
    a, b, c, d = (arrays[k] for k in "abcd")

    def run_numpy():
        np.multiply(a, b, out=d)
        np.add(d, c, out=d)

    def run_numexpr():
        numexpr.evaluate("a*b + c", local_dict={"a": a, "b": b, "c": c}, out=d)

    def run_maparray():
        maparray.evaluate("a*b + c", local_dict={"a": a, "b": b, "c": c}, out=d,
                          memory_budget=math.inf)

    runs = {"maparray": run_maparray, "numexpr": run_numexpr, "numpy": run_numpy}
    times = {name: [] for name in runs}
    for name in runs:  # a first pass each, untimed: every page cached and mapped
        runs[name]()
    for repeat in range(repeats):
        order = list(runs) if repeat % 2 == 0 else list(reversed(runs))
        for name in order:
            start = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - start)
    i = np.linspace(0, n - 1, 4097, dtype=np.int64)
    want = ((i % 7) * ((i * 3) % 7) + (i * 5) % 7).astype(np.float32)
    if not np.array_equal(d[i], want):
        raise SystemExit("hot_expressions: wrong result")
    print(json.dumps({"mib": mib, "repeats": repeats, "numexpr": numexpr.__version__,
                      "times": {k: statistics.median(v) for k, v in times.items()}}))


if __name__ == "__main__":
    main()
