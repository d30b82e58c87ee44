"""The numpy side of bench/out_of_core.py: c = a + b over float32 files with numpy.memmap,
timed as add_files times maparray (from opening the inputs to the output flushed to disk).
Prints the seconds.

usage: numpy_add_files.py A B C
"""
import sys
import time

import numpy as np


def main():
    a_path, b_path, c_path = sys.argv[1:4]
    start = time.perf_counter()
    a = np.memmap(a_path, dtype=np.float32, mode="r")
    b = np.memmap(b_path, dtype=np.float32, mode="r")
    c = np.memmap(c_path, dtype=np.float32, mode="w+", shape=a.shape)
    np.add(a, b, out=c)
    c.flush()
    print(f"{time.perf_counter() - start:.4f}")


if __name__ == "__main__":
    main()
