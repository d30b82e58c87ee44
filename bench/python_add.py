"""maparray.add against numpy.add over numpy.memmap, from Python: c = a + b for two hot float32
input files into a new output file. Prints one Markdown table row per side.

    PYTHONPATH=build/release/python python3 bench/python_add.py [MiB per array] [directory]
"""

import os
import statistics
import sys
import tempfile
import time

import numpy as np

import maparray


def timed(run, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main():
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    directory = sys.argv[2] if len(sys.argv) > 2 else None
    n = mib * (1 << 20) // 4
    with tempfile.TemporaryDirectory(dir=directory) as where:
        a_path, b_path, c_path = (os.path.join(where, f) for f in ("a.f32", "b.f32", "c.f32"))
        for path, value in ((a_path, 1.0), (b_path, 2.0)):
            maparray.create(path, "f4", n)[:] = value  # written, and hot in the page cache

        a = maparray.map_file(a_path, "f4", mode="r")
        b = maparray.map_file(b_path, "f4", mode="r")

        def ours():
            if os.path.exists(c_path):
                os.unlink(c_path)
            c = maparray.create(c_path, "f4", n)
            maparray.add(a, b, c)
            assert c[n // 2] == 3.0

        am = np.memmap(a_path, np.float32, mode="r")
        bm = np.memmap(b_path, np.float32, mode="r")

        def theirs():
            if os.path.exists(c_path):
                os.unlink(c_path)
            c = np.memmap(c_path, np.float32, mode="w+", shape=(n,))
            np.add(am, bm, out=c)
            assert c[n // 2] == 3.0

        ours_ms = timed(ours)
        theirs_ms = timed(theirs)
    print(f"| maparray.add(a, b, c) into maparray.create output, {mib} MiB float32 | "
          f"{ours_ms:.1f} | 1 |")
    print(f"| numpy.add(a, b, out=c) over numpy.memmap (mode w+ output) | {theirs_ms:.1f} | "
          f"{theirs_ms / ours_ms:.2f}x |")


if __name__ == "__main__":
    main()
