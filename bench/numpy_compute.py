"""The numpy.memmap side of scripts/bench.sh: the same sum and add as bench_compute, over the
same files, timed the same way (wall clock per pass, inputs hot in the page cache). Prints the
median milliseconds of each as JSON.

usage: numpy_compute.py DIR REPEATS     (DIR holds a.f32 and b.f32 made by bench_compute)
"""
import json
import os
import statistics
import sys
import time

import numpy as np


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def median_ms(run, repeats):
    times = []
    for _ in range(repeats):
        times.append(run())
    return statistics.median(times) * 1e3


def main():
    directory, repeats = sys.argv[1], int(sys.argv[2])
    a_path = os.path.join(directory, "a.f32")
    b_path = os.path.join(directory, "b.f32")
    c_path = os.path.join(directory, "c-numpy.f32")
    results = {}

    def sum_first_pass():
        warm(a_path)
        start = time.perf_counter()
        a = np.memmap(a_path, dtype=np.float32, mode="r")
        a.sum()
        elapsed = time.perf_counter() - start
        del a
        return elapsed

    results["numpy_memmap_sum"] = median_ms(sum_first_pass, repeats)

    def add_memmap():
        warm(a_path)
        warm(b_path)
        a = np.memmap(a_path, dtype=np.float32, mode="r")
        b = np.memmap(b_path, dtype=np.float32, mode="r")
        c = np.memmap(c_path, dtype=np.float32, mode="w+", shape=a.shape)
        start = time.perf_counter()
        np.add(a, b, out=c)
        elapsed = time.perf_counter() - start
        if c[-1] != a[-1] + b[-1]:
            raise SystemExit("numpy add: wrong result")
        del a, b, c
        os.remove(c_path)
        return elapsed

    results["numpy_memmap_add"] = median_ms(add_memmap, repeats)

    a = np.fromfile(a_path, dtype=np.float32)
    b = np.fromfile(b_path, dtype=np.float32)
    c = np.empty_like(a)
    c[...] = 0  # every page faulted in before the clock starts

    def add_in_ram():
        start = time.perf_counter()
        np.add(a, b, out=c)
        return time.perf_counter() - start

    results["numpy_ram_add"] = median_ms(add_in_ram, repeats)
    results["numpy_version"] = np.__version__
    json.dump(results, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
