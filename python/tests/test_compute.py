"""maparray's computations from Python: numpy's semantics (promotion with weak Python numbers,
broadcasting, values, reductions with an axis), expressions in one pass, and what a Python
user expects of long operations (progress, Ctrl-C, clear errors).

The full table of operations x dtypes x scalars through every face is
tests/compute_table/test_same_results.py; these test the Python face's own behaviour.
"""
import math
import os
import signal
import threading
import time

import numpy as np
import pytest

import maparray

WEAK = np._get_promotion_state() == "weak"
DTYPES = ["?", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "c8", "c16"]


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
def test_result_type_of_two_arrays_is_numpys(a, b):
    assert maparray.result_type(np.dtype(a), np.dtype(b)) == np.result_type(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("number", [True, 3, -3, 2**40, 1.5, 1e300, 2j])
def test_python_numbers_are_weak(dtype, number):
    # NumPy 2's rule (NEP 50); numpy 1.24 gives it with NPY_PROMOTION_STATE=weak.
    if not WEAK:
        pytest.skip("needs numpy with NPY_PROMOTION_STATE=weak")
    try:
        want = np.result_type(np.empty(0, dtype), number)
    except OverflowError:  # pragma: no cover - result_type does not check values
        return
    assert maparray.result_type(np.empty(0, dtype), number) == want


def test_numpy_scalars_are_strong():
    assert maparray.result_type(np.int8, np.float64(2.5)) == np.float64
    assert maparray.add(np.ones(3, np.float32), np.float64(2)).dtype == np.float64
    assert maparray.add(np.ones(3, np.float32), 2.0).dtype == np.float32


def test_arithmetic_with_python_numbers_as_numpy_2():
    a = np.arange(-4, 4, dtype=np.int16)
    assert maparray.add(a, 1.5).dtype == np.float64
    np.testing.assert_array_equal(maparray.add(a, 1.5), a + 1.5)
    np.testing.assert_array_equal(maparray.divide(a, 2), a / 2)
    np.testing.assert_array_equal(maparray.floor_divide(a, 3), a // 3)
    np.testing.assert_array_equal(maparray.remainder(a, -3), a % -3)
    np.testing.assert_array_equal(maparray.add(a, 1), (a + 1).astype(np.int16))
    with pytest.raises(OverflowError, match="out of bounds for uint8"):
        maparray.add(np.zeros(3, np.uint8), -1)
    with pytest.raises(OverflowError):
        maparray.add(np.zeros(3), 2**70)
    # Scalars alone give numpy scalars, as numpy's ufuncs do.
    assert maparray.add(2, 3) == 5 and isinstance(maparray.add(2, 3), np.int64)


def test_broadcasting_and_out():
    col = np.arange(3.0).reshape(3, 1)
    row = np.arange(4, dtype=np.int32)
    np.testing.assert_array_equal(maparray.multiply(col, row), col * row)
    out = np.empty((2, 3, 4))
    assert maparray.add(col, row, out) is out
    np.testing.assert_array_equal(out, np.broadcast_to(col + row, (2, 3, 4)))
    with pytest.raises(ValueError, match="could not be broadcast"):
        maparray.add(np.ones(3), np.ones(4))
    with pytest.raises(TypeError, match="cannot cast"):
        maparray.divide(row, 2, np.empty(4, np.int32))
    maparray.divide(row, 2, np.empty(4, np.int32), casting="unsafe")
    with pytest.raises(ValueError):
        maparray.add(row, 1, casting="sideways")


def test_errors_are_numpys_kinds():
    with pytest.raises(TypeError, match="floor_divide"):
        maparray.floor_divide(np.ones(2, complex), 2)
    with pytest.raises(TypeError, match="boolean subtract"):
        maparray.subtract(np.ones(2, bool), True)
    with pytest.raises(ValueError, match="negative integer powers"):
        maparray.power(np.arange(3), -1)
    with pytest.raises(TypeError):
        maparray.add(np.array(["a"]), 1)
    # Types numpy computes on but maparray has no loops for: refused, not misread.
    for odd in (np.array([None, 1], dtype=object), np.ones(2, np.longdouble),
                np.zeros(2, "i4,f4"), np.zeros(2, "M8[s]")):
        with pytest.raises(TypeError, match="bool, integer, float and complex"):
            maparray.add(odd, odd)
    with pytest.raises(np.AxisError):
        maparray.sum(np.ones((2, 2)), axis=2)


@pytest.mark.parametrize("name", ["sum", "prod", "min", "max", "mean", "any", "all"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2])
def test_reductions_match_numpy(name, axis):
    rng = np.random.default_rng(5)
    a = rng.integers(-9, 9, (6, 50, 7)).astype(np.int32)
    got = getattr(maparray, name)(a, axis=axis, threads=3)
    want = getattr(np, name)(a, axis=axis)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_allclose(got, want, rtol=1e-12)
    kept = getattr(maparray, name)(a, axis=axis, keepdims=True)
    assert kept.shape == getattr(np, name)(a, axis=axis, keepdims=True).shape


def test_reductions_take_dtype_and_out():
    a = np.full(1000, 100, dtype=np.int8)
    assert maparray.sum(a) == 100000
    assert maparray.sum(a, dtype=np.int8) == np.sum(a, dtype=np.int8)
    f = np.random.default_rng(1).random((40, 30)).astype(np.float32)
    assert maparray.sum(f).dtype == np.float32
    np.testing.assert_allclose(maparray.sum(f, dtype=np.float64), f.astype(np.float64).sum(),
                               rtol=1e-14)
    out = np.empty(30)
    assert maparray.mean(f, axis=0, out=out) is out
    np.testing.assert_allclose(out, f.mean(axis=0), rtol=1e-6)
    assert math.isnan(maparray.mean(np.empty(0)))
    with pytest.raises(ValueError, match="no identity"):
        maparray.min(np.empty((3, 0)), axis=1)


def test_evaluate_looks_names_up_as_numexpr():
    a = np.arange(10.0)
    b = np.arange(10, dtype=np.int64)
    c = 2.5
    np.testing.assert_array_equal(maparray.evaluate("a*b + 2*c"), a * b + 2 * c)
    np.testing.assert_array_equal(maparray.evaluate("x + 1", local_dict={"x": b}), b + 1)
    assert maparray.evaluate("sum(a*b)") == np.sum(a * b)
    np.testing.assert_array_equal(maparray.evaluate("where(a > 4, a, -a)"), np.where(a > 4, a, -a))
    out = np.empty(10)
    assert maparray.evaluate("a - b", out=out) is out
    with pytest.raises(KeyError, match="nothere"):
        maparray.evaluate("a + nothere")
    with pytest.raises(ValueError, match="position"):
        maparray.evaluate("a + (b")
    with pytest.raises(TypeError):  # casting='safe' by default, as numexpr
        maparray.evaluate("a / 2", out=np.empty(10, np.float32))
    maparray.evaluate("a / 2", out=np.empty(10, np.float32), casting="same_kind")


def test_files_bigger_than_the_budget(tmp_path):
    n = 1 << 20
    a = maparray.create(tmp_path / "a.f4", "f4", n)
    b = maparray.create(tmp_path / "b.f4", "f4", n)
    a[:] = np.arange(n) % 1000
    b[:] = 2
    c = maparray.create(tmp_path / "c.f4", "f4", n)
    maparray.evaluate("a*b + 1", out=c, memory_budget=1 << 20, threads=2)
    np.testing.assert_array_equal(c, a * b + 1)
    assert maparray.sum(c, dtype=np.float64, memory_budget=1 << 20) == np.sum(a * b + 1,
                                                                              dtype=np.float64)
    with pytest.raises(ValueError, match="positive"):
        maparray.add(a, b, c, memory_budget=0)
    maparray.add(a, b, c, memory_budget=math.inf)


def test_progress_callback_and_bar(tmp_path, capsys):
    a = np.ones(1 << 20, np.float32)
    calls = []
    maparray.multiply(a, 2, progress=lambda done, total: calls.append((done, total)), threads=2)
    assert calls and calls[-1][0] == calls[-1][1] == a.nbytes * 2
    assert all(x[0] < y[0] for x, y in zip(calls, calls[1:]))
    pytest.importorskip("tqdm")
    capsys.readouterr()
    maparray.sum(a, progress=True)
    assert "100%" in capsys.readouterr().err  # tqdm draws on stderr
    with pytest.raises(TypeError):
        maparray.sum(a, progress="yes")


def test_a_raising_progress_callback_stops_the_computation():
    def stop(done, total):
        raise RuntimeError("enough")
    with pytest.raises(RuntimeError, match="enough"):
        maparray.add(np.ones(1 << 22), 1, progress=stop, threads=1)


def test_ctrl_c_stops_a_long_computation_quickly():
    a = np.ones(1 << 26, np.float32)  # 256 MiB
    out = np.empty_like(a)
    fired = []

    def interrupt():
        time.sleep(0.05)
        fired.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt).start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        for _ in range(100):  # long enough that the signal arrives during a computation
            maparray.evaluate("sqrt(a) * 2 + a", out=out, threads=1)
    # Not a timing of speed: 100 passes take tens of seconds, so stopping within two seconds
    # of the signal means the computation under way was stopped, not run to its end.
    assert fired and time.monotonic() - fired[0] < 2
