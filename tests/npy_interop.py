"""numpy's side of the .npy interop tests (tests/test_npy_numpy.cpp).

    npy_interop.py write DIR   numpy.save a matrix of dtypes x layouts into DIR/numpy/, with
                               each array's bytes in C order (NAME.cbytes) and DIR/manifest.txt
    npy_interop.py check DIR   numpy.load each DIR/maparray/NAME.npy and compare it with
                               DIR/numpy/NAME.npy: dtype, shape, order, values and file bytes

Lines of manifest.txt: NAME <tab> requested order C|F <tab> shape as "2,3" <tab> descr literal.
"""
import sys
import warnings
from pathlib import Path

import numpy as np


def dtypes():
    out = [np.dtype(d) for d in ("|b1", "|i1", "|u1")]
    for code in ("i2", "i4", "i8", "u2", "u4", "u8", "f2", "f4", "f8", "f16", "c8", "c16", "c32"):
        out += [np.dtype("<" + code), np.dtype(">" + code)]
    out += [np.dtype(d) for d in ("|S5", "<U3", ">U3", "|V4")]
    out += [
        np.dtype([("x", "<f4"), ("y", ">i8")]),
        np.dtype({"names": ["a", "b"], "formats": ["u1", "<f8"], "offsets": [0, 8],
                  "itemsize": 24}),
        np.dtype([(("the title", "t"), "<i2"), ("s", "|S3")]),
        np.dtype([("p", [("x", "<f4"), ("y", ">f4")]), ("n", "<i4")]),
        np.dtype([("m", "<f8", (2, 3)), ("v", ">u2", (4,))]),
        np.dtype([("\u00e9t\u00e9", "<i4")]),   # Latin-1: version 1.0
        np.dtype([("\u03b1\u03b2", "<f4")]),     # beyond Latin-1: version 3.0
        np.dtype([("it's", "<u2"), ('say "hi"', "|b1")]),
    ]
    return out


LAYOUTS = [
    ("empty", (0,), "C"),
    ("scalar", (), "C"),
    ("1d", (5,), "C"),
    ("2dC", (3, 4), "C"),
    ("2dF", (3, 4), "F"),
    ("3d", (2, 3, 4), "C"),
    ("3dF", (2, 3, 4), "F"),
    ("emptyF", (0, 3), "F"),
]


def write(root):
    (root / "numpy").mkdir(parents=True)
    rng = np.random.default_rng(1234)
    lines = []
    for k, dt in enumerate(dtypes()):
        for layout, shape, order in LAYOUTS:
            name = f"{k:02d}_{layout}"
            n = int(np.prod(shape, dtype=np.int64))
            raw = rng.integers(0, 256, size=n * dt.itemsize, dtype=np.uint8).tobytes()
            a = np.frombuffer(raw, dtype=dt).reshape(shape)
            a = a.copy(order=order)  # (ascontiguousarray would make a 0-d array 1-d)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                np.save(root / "numpy" / f"{name}.npy", a)
            (root / "numpy" / f"{name}.cbytes").write_bytes(a.tobytes(order="C"))
            descr = repr(np.lib.format.dtype_to_descr(dt))
            lines.append(f"{name}\t{order}\t{','.join(map(str, shape))}\t{descr}\n")
    (root / "manifest.txt").write_text("".join(lines), encoding="utf-8")


def check(root):
    failures = 0
    count = 0
    for line in (root / "manifest.txt").read_text(encoding="utf-8").splitlines():
        name = line.split("\t")[0]
        count += 1
        theirs = root / "numpy" / f"{name}.npy"
        ours = root / "maparray" / f"{name}.npy"
        try:
            a = np.load(theirs)
            b = np.load(ours)
            problems = []
            if a.dtype != b.dtype or a.dtype.descr != b.dtype.descr:
                problems.append(f"dtype {b.dtype.descr} != {a.dtype.descr}")
            if a.shape != b.shape:
                problems.append(f"shape {b.shape} != {a.shape}")
            if a.flags.f_contiguous != b.flags.f_contiguous:
                problems.append("order differs")
            if a.tobytes(order="C") != b.tobytes(order="C"):
                problems.append("values differ")
            if theirs.read_bytes() != ours.read_bytes():
                problems.append("file bytes differ from numpy.save's")
        except Exception as e:  # a file numpy cannot load is a failure like any other
            problems = [f"{type(e).__name__}: {e}"]
        if problems:
            failures += 1
            print(f"FAIL {name}: {'; '.join(problems)}")
    print(f"checked {count} files, {failures} failed")
    return 1 if failures or count == 0 else 0


if __name__ == "__main__":
    command, directory = sys.argv[1], Path(sys.argv[2])
    if command == "write":
        write(directory)
        sys.exit(0)
    sys.exit(check(directory))
