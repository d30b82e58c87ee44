"""maparray's compute engine from Python, with numpy as the oracle."""

import threading

import numpy as np
import pytest

import maparray

DTYPES = ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4", "f8"]
OPERATIONS = [
    (maparray.add, np.add), (maparray.subtract, np.subtract),
    (maparray.multiply, np.multiply), (maparray.minimum, np.minimum),
    (maparray.maximum, np.maximum),
]


def operands(dtype, shape=(37, 41)):
    rng = np.random.default_rng(7)
    if np.dtype(dtype).kind == "f":
        return rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype)
    info = np.iinfo(dtype)
    return (rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True),
            rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ours, theirs", OPERATIONS, ids=lambda f: f.__name__)
def test_binary_operations_match_numpy(dtype, ours, theirs):
    x, y = operands(dtype)
    with np.errstate(all="ignore"):
        expected = theirs(x, y)
    assert np.array_equal(ours(x, y, threads=2), expected)


@pytest.mark.parametrize("dtype", ["i4", "u8", "f4", "f8"])
def test_divide(dtype):
    x, y = operands(dtype)
    if np.dtype(dtype).kind == "f":
        assert np.array_equal(maparray.divide(x, y), x / y)
    else:
        y[0, :5] = 0
        with np.errstate(all="ignore"):
            truncated = np.where(y == 0, 0, np.fix(x.astype("f16") / y.astype("f16")))
        assert np.array_equal(maparray.divide(x, y), truncated.astype(dtype))


def test_out_of_core_add_over_mapped_files():
    n = 300_000
    a = maparray.create("a.f32", "f4", n)
    b = maparray.create("b.f32", "f4", n)
    a[:] = np.arange(n)
    b[:] = 0.5
    c = maparray.create("c.f32", "f4", n)
    assert maparray.add(a, b, c, threads=2, memory_budget=1 << 20) is c
    del c
    assert np.array_equal(np.fromfile("c.f32", np.float32), np.arange(n, dtype="f4") + 0.5)


def test_strided_views_scalars_and_in_place():
    x, y = operands("f8", (20, 30))
    out = np.zeros((10, 10))
    maparray.multiply(x[::2, 5:15], y.T[3:13, ::2], out)
    assert np.array_equal(out, x[::2, 5:15] * y.T[3:13, ::2])
    assert np.array_equal(maparray.subtract(3.0, x), 3.0 - x)
    assert np.array_equal(maparray.add(x, 2), x + 2)
    z = x.copy()
    maparray.add(z, z, z)
    assert np.array_equal(z, 2 * x)


def test_reductions_match_numpy():
    x, _ = operands("f4", (1000, 7))
    assert maparray.sum(x) == pytest.approx(x.astype("f8").sum(), rel=1e-12)
    assert type(maparray.sum(x)) is np.float64
    assert maparray.min(x) == x.min() and type(maparray.min(x)) is np.float32
    assert maparray.max(x[::3, 1:]) == x[::3, 1:].max()
    assert maparray.mean(x) == pytest.approx(x.astype("f8").mean(), rel=1e-12)
    i, _ = operands("i2")
    assert maparray.sum(i) == i.sum(dtype="i8") and type(maparray.sum(i)) is np.int64
    assert maparray.sum(np.arange(10, dtype="u1")) == 45
    assert maparray.sum(np.zeros(0, "f8")) == 0
    with pytest.raises(ValueError):
        maparray.min(np.zeros(0, "i4"))
    with pytest.raises(ValueError):
        maparray.mean(np.zeros(0, "f8"))
    assert np.isnan(maparray.max(np.array([1.0, np.nan, 2.0])))


def test_refusals():
    x = np.zeros(4, "f4")
    with pytest.raises(TypeError):
        maparray.add(x, np.zeros(4, "f8"))
    with pytest.raises(ValueError):
        maparray.add(x, np.zeros(5, "f4"))
    with pytest.raises(TypeError):
        maparray.add(x, x, np.zeros(4, "f8"))
    with pytest.raises(TypeError):
        maparray.add(np.zeros(4, ">f4"), np.zeros(4, ">f4"))
    with pytest.raises(TypeError):
        maparray.sum(np.zeros(4, "c8"))
    with pytest.raises(TypeError):
        maparray.add(1, 2)
    read_only = np.zeros(4, "f4")
    read_only.flags.writeable = False
    with pytest.raises(ValueError):
        maparray.add(x, x, read_only)


def test_mapping_cannot_close_while_computing():
    """Another thread's close() during a computation is refused, not a crash."""
    n = 2_000_000
    a = maparray.create("big.f64", "f8", n)
    a[:] = 1.0
    mapping = a.base
    results = []
    worker = threading.Thread(target=lambda: results.append(maparray.sum(a, threads=1)))
    worker.start()
    try:
        while worker.is_alive():
            with pytest.raises(BufferError):
                mapping.close()
    finally:
        worker.join()
    assert results == [n]
