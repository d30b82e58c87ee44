"""The Python side of the expression benchmarks: d = a*b + c (or sum(a*b)) over float32 .npy
files by numpy (multiply, then add, with out=: two passes, no temporary), numexpr
(numexpr.evaluate over numpy.memmap), or maparray.evaluate, timed from opening the files to
the output flushed to disk. Prints the seconds.

usage: python_expression_files.py numpy|numexpr|maparray EXPRESSION A B [C [D]]
    EXPRESSION is 'a*b + c' (writes D) or 'sum(a*b)' (prints nothing else).
    maparray takes MAPARRAY_BUDGET_MIB from the environment (default 64; 0: no bound).
"""
import math
import os
import sys
import time

import numpy as np


def main():
    system, expression = sys.argv[1:3]
    paths = sys.argv[3:]
    start = time.perf_counter()
    a = np.load(paths[0], mmap_mode="r")
    b = np.load(paths[1], mmap_mode="r")
    names = {"a": a, "b": b}
    out = None
    if expression == "a*b + c":
        names["c"] = np.load(paths[2], mmap_mode="r")
        out = np.lib.format.open_memmap(paths[3], mode="w+", dtype=a.dtype, shape=a.shape)
    if system == "numpy":
        if out is None:
            result = np.dot(a, b)
        else:
            np.multiply(a, b, out=out)
            np.add(out, names["c"], out=out)
    elif system == "numexpr":
        import numexpr
        result = numexpr.evaluate(expression, local_dict=names, out=out)
    else:
        import maparray
        mib = int(os.environ.get("MAPARRAY_BUDGET_MIB", "64"))
        budget = math.inf if mib == 0 else mib << 20
        result = maparray.evaluate(expression, local_dict=names, out=out, memory_budget=budget)
    if out is not None:
        out.flush()
    elif not np.isfinite(result):
        raise SystemExit("python_expression_files: the sum is not finite")
    print(f"{time.perf_counter() - start:.4f}")


if __name__ == "__main__":
    main()
