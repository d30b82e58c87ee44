"""One table of cases (operations x dtypes x scalars x shapes) through the three faces of
maparray: the C++ API (the driver program), the tool (maparray eval, maparray sum...) and the
Python module. Each must give numpy's dtype and values, or fail where numpy fails.

numpy 1.24 runs with NPY_PROMOTION_STATE=weak (set by CTest), NumPy 2's promotion rules (NEP
50), which maparray implements. Cases where numpy 1.24 still differs from NumPy 2 are left out
and named below.

numpy.where takes Python numbers as weak in NumPy 2 but not in numpy 1.24: its expected dtype
is computed with result_type, which follows NEP 50 in both.
"""
import os
import subprocess

import numpy as np
import pytest

import maparray

assert np._get_promotion_state() == "weak", "run with NPY_PROMOTION_STATE=weak"

DTYPES = ["?", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "c8", "c16"]
MIXED = [("i1", "u1"), ("i8", "u8"), ("f2", "i2"), ("f4", "i4"), ("i2", "f8"), ("?", "i1"),
         ("c8", "f8"), ("u4", "i1"), ("f2", "f4"), ("u1", "c8")]
BINARY = ["add", "subtract", "multiply", "divide", "floor_divide", "remainder", "power",
          "minimum", "maximum", "fmax", "equal", "less", "greater_equal", "logical_and",
          "logical_xor", "bitwise_and", "left_shift", "hypot", "arctan2", "copysign"]
UNARY = ["negative", "absolute", "square", "sqrt", "exp", "log1p", "sin", "arctanh", "floor",
         "rint", "logical_not", "invert", "isnan", "isfinite", "sign", "expm1"]
SCALAR_OPS = ["add", "multiply", "divide", "less", "power", "maximum"]
SCALARS = ["2", "1.5", "-1", "300", "2j", "True"]
REDUCTIONS = ["sum", "prod", "min", "max", "mean", "any", "all"]
# Functions computed by libm on one side and by numpy's own (SIMD) code on the other: a few
# units in the last place apart.
# absolute of a complex number is a hypot too.
TRANSCENDENTAL = {"sqrt", "exp", "log1p", "sin", "arctanh", "hypot", "arctan2", "expm1", "power",
                  "absolute"}


def values(dtype, seed):
    """Ten values of `dtype` with its edges: zero, negatives, extremes, NaN and infinities."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    if dtype.kind == "b":
        v = rng.integers(0, 2, 10).astype(bool)
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        v = rng.integers(max(info.min, -50), min(info.max, 50), 10, endpoint=True).astype(dtype)
        v[0], v[1], v[2] = 0, info.max, info.min if dtype.kind == "i" else 1
    elif dtype.kind == "f":
        v = (rng.standard_normal(10) * 8).astype(dtype)
        v[0], v[1], v[2], v[3] = 0, np.nan, np.inf, -np.inf
    else:
        v = (rng.standard_normal(10) + 1j * rng.standard_normal(10)).astype(dtype)
        v[0], v[1] = 0, complex(np.nan, 1)
    return v.reshape(2, 5)


def exponents(dtype):
    """Exponents for integer power: numpy refuses negative ones."""
    v = values(dtype, 7)
    if v.dtype.kind in "iu":
        return np.abs(v.astype(np.int64) % 5).astype(v.dtype)
    return v


def case_id(parts):
    return "-".join(str(p) for p in parts)


CASES = []
for op in BINARY:
    for a, b in [(d, d) for d in DTYPES] + MIXED:
        CASES.append(("ufunc", op, (("array", a, 1), ("array", b, 2))))
for op in UNARY:
    for d in DTYPES:
        if op == "sign" and np.dtype(d).kind == "c":
            continue  # numpy 1.24's complex sign is sign(real part); NumPy 2's is z / |z|
        CASES.append(("ufunc", op, (("array", d, 1),)))
for op in SCALAR_OPS:
    for d in DTYPES:
        for s in SCALARS:
            if op == "less" and s in ("300", "-1") and np.dtype(d).kind in "iu":
                continue  # numpy 1.24 refuses an int out of range here; NumPy 2 compares it
            CASES.append(("ufunc", op, (("array", d, 1), ("scalar", s))))
            if op in ("add", "divide"):
                CASES.append(("ufunc", op, (("scalar", s), ("array", d, 2))))
for op, shapes in [("add", ((2, 1), (3,))), ("multiply", ((4, 1, 3), (2, 1))),
                   ("maximum", ((3,), (2, 3)))]:
    CASES.append(("broadcast", op, shapes))
for d in ["?", "i2", "f4", "c16"]:
    CASES.append(("ufunc", "where", (("array", "?", 3), ("array", d, 1), ("scalar", "2"))))
for r in REDUCTIONS:
    for d in DTYPES:
        for axis in (None, 0, 1):
            CASES.append(("reduce", r, (d, axis)))
CASES.append(("reduce", "sum", ("i1", None, "i1")))
CASES.append(("reduce", "mean", ("f2", 1, "f8")))
for text in ["a*b + 2*c", "sqrt(a) * (b > 0)", "where(a > b, a - b, 0)", "sum(a*b)",
             "mean(a + 1, axis=1)"]:
    for d in ["i4", "f4", "f8"]:
        CASES.append(("eval", text, d))


def operands_of(spec):
    """The numpy operands and their Python values for a ufunc case."""
    result = []
    for item in spec:
        if item[0] == "array":
            _, dtype, seed = item
            result.append(values(dtype, seed))
        else:
            result.append(eval(item[1], {}, {}))  # a Python literal: 2, 1.5, 2j, True
    return result


def expected(kind, name, spec):
    """numpy's result, or the exception type numpy raises."""
    with np.errstate(all="ignore"):
        try:
            if kind == "ufunc":
                ops = operands_of(spec)
                if name == "power" and ops and isinstance(ops[0], np.ndarray):
                    ops[1:] = [exponents(o.dtype) if isinstance(o, np.ndarray) else o
                               for o in ops[1:]]
                if name == "where":
                    # NumPy 2's where: x and y promoted with Python numbers weak.
                    common = np.result_type(*ops[1:])
                    return np.where(ops[0], *[np.asarray(o).astype(common) for o in ops[1:]])
                return np.asarray(getattr(np, name)(*ops))
            if kind == "broadcast":
                a = np.arange(np.prod(spec[0]), dtype="f8").reshape(spec[0])
                b = np.arange(np.prod(spec[1]), dtype="i2").reshape(spec[1]) - 3
                return np.asarray(getattr(np, name)(a, b))
            if kind == "reduce":
                dtype, axis = spec[0], spec[1]
                kwargs = {"dtype": spec[2]} if len(spec) > 2 else {}
                return np.asarray(getattr(np, name)(values(dtype, 4), axis=axis, **kwargs))
            a, b, c = (values(spec, s) for s in (1, 2, 3))

            def where(condition, x, y):
                common = np.result_type(x, y)
                return np.where(condition, np.asarray(x).astype(common), np.asarray(y).astype(common))

            return np.asarray(eval(name, {"np": np, "where": where, "sqrt": np.sqrt, "sum": np.sum,
                                          "mean": np.mean}, {"a": a, "b": b, "c": c}))
        except (TypeError, ValueError, OverflowError) as e:
            return base_exception(e)


def base_exception(e):
    """The Python exception class numpy's exception is (UFuncTypeError is a TypeError)."""
    for kind in (OverflowError, TypeError, ValueError):
        if isinstance(e, kind):
            return kind
    return type(e)


class Faces:
    def __init__(self, tmp):
        self.tmp = tmp
        self.cli = os.environ["MAPARRAY_CLI"]
        self.driver = os.environ["MAPARRAY_TABLE_DRIVER"]

    def save(self, name, array):
        path = self.tmp / (name + ".npy")
        np.save(path, array)
        return path

    def run(self, program, *args):
        done = subprocess.run([program, *map(str, args)], cwd=self.tmp, capture_output=True,
                              text=True, timeout=60)
        out = self.tmp / "out.npy"
        if done.returncode != 0:
            assert done.returncode == 1, done.stderr
            assert done.stderr.strip(), "a failure must say why"
            return Exception
        result = np.load(out)
        out.unlink()
        return result

    def case(self, face, kind, name, spec):
        if kind in ("ufunc", "broadcast"):
            if kind == "broadcast":
                a = np.arange(np.prod(spec[0]), dtype="f8").reshape(spec[0])
                b = np.arange(np.prod(spec[1]), dtype="i2").reshape(spec[1]) - 3
                ops, texts = [a, b], [None, None]
            else:
                ops = operands_of(spec)
                if name == "power" and isinstance(ops[0], np.ndarray):
                    ops[1:] = [exponents(o.dtype) if isinstance(o, np.ndarray) else o
                               for o in ops[1:]]
                texts = [item[1] if item[0] == "scalar" else None for item in spec]
            if face == "python":
                return self.python(lambda: getattr(maparray, name)(*ops))
            files = [self.save("x%d" % i, o) if t is None else None
                     for i, (o, t) in enumerate(zip(ops, texts))]
            if face == "cpp":
                return self.run(self.driver, "ufunc", name, "out.npy",
                                *[("@" + str(f)) if f else t for f, t in zip(files, texts)])
            letters = "abc"[:len(ops)]
            bindings = ["%s=%s" % (l, f if f else t) for l, f, t in zip(letters, files, texts)]
            return self.run(self.cli, "eval", "%s(%s)" % (name, ", ".join(letters)), *bindings,
                            "-o", "out.npy")
        if kind == "reduce":
            a = values(spec[0], 4)
            axis = spec[1]
            dtype = spec[2] if len(spec) > 2 else None
            if face == "python":
                return self.python(lambda: getattr(maparray, name)(a, axis=axis, dtype=dtype))
            path = self.save("a", a)
            if face == "cpp":
                return self.run(self.driver, "reduce", name, path, "out.npy",
                                "none" if axis is None else axis, dtype or "none")
            extra = ([] if axis is None else ["--axis", axis]) + ([] if dtype is None else ["--as", dtype])
            return self.run(self.cli, name, path, *extra, "-o", "out.npy")
        a, b, c = (values(spec, s) for s in (1, 2, 3))
        if face == "python":
            return self.python(lambda: maparray.evaluate(name, {"a": a, "b": b, "c": c}))
        files = [self.save(n, v) for n, v in (("a", a), ("b", b), ("c", c))]
        bindings = ["%s=%s" % (n, f) for n, f in zip("abc", files)]
        if face == "cpp":
            return self.run(self.driver, "eval", name, "out.npy",
                            *["%s=@%s" % (n, f) for n, f in zip("abc", files)])
        return self.run(self.cli, "eval", name, *bindings, "-o", "out.npy")

    @staticmethod
    def python(call):
        try:
            with np.errstate(all="ignore"):
                return np.asarray(call())
        except (TypeError, ValueError, OverflowError) as e:
            return base_exception(e)


def tolerance(name, dtype):
    """0 (exact) for operations IEEE arithmetic rounds once; a few units in the last place for
    library functions and for sums, which group their terms differently."""
    if dtype.kind not in "fc" or name not in TRANSCENDENTAL | set(REDUCTIONS) | {"eval"}:
        return 0
    component = dtype.itemsize // 2 if dtype.kind == "c" else dtype.itemsize
    return {2: 2e-3, 4: 4e-6, 8: 4e-15}[component]


@pytest.mark.parametrize("face", ["cpp", "tool", "python"])
@pytest.mark.parametrize("case", CASES, ids=[case_id(c[:2]) + "-" + str(i) for i, c in enumerate(CASES)])
def test_same_results_as_numpy(case, face, tmp_path):
    kind, name, spec = case
    want = expected(kind, name, spec)
    got = Faces(tmp_path).case(face, kind, name, spec)
    if isinstance(want, type):
        assert isinstance(got, type), f"numpy raises {want.__name__}; {face} gave {got!r}"
        if face == "python":
            assert issubclass(got, want), f"numpy raises {want.__name__}, Python {got.__name__}"
        return
    assert not isinstance(got, type), f"{face} failed where numpy gives {want!r}"
    assert got.dtype == want.dtype, f"{face}: dtype {got.dtype}, numpy {want.dtype}"
    assert got.shape == want.shape
    rtol = tolerance("eval" if kind == "eval" else name, want.dtype)
    if rtol == 0:
        np.testing.assert_array_equal(got, want)
        return
    atol = 0
    if kind == "reduce" and name in ("sum", "mean"):
        # Sums group their terms differently from numpy's: the difference is bounded by the
        # rounding of the largest partial sums, not of the result (which may cancel to ~0).
        finite = np.nan_to_num(np.abs(values(spec[0], 4).astype(np.complex128)), nan=0,
                               posinf=0, neginf=0)
        magnitude = np.sum(finite, axis=spec[1])
        atol = np.max(magnitude) * rtol * (1 if name == "sum" else 1 / values(spec[0], 4).size)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
