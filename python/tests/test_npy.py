"""maparray.open / create_npy / append_npy against numpy.save and numpy.load."""

import numpy as np
import pytest

import maparray

ARRAYS = [
    np.arange(24, dtype="<f8").reshape(4, 6),
    np.asfortranarray(np.arange(24, dtype=">i4").reshape(4, 6)),
    np.arange(5, dtype="u1"),
    np.array(3.5),
    np.zeros((0, 3), "<c16"),
    np.array([(1.5, b"ab", 7), (2.5, b"cd", 8)], dtype=[("x", "<f4"), ("s", "S2"), ("n", ">u2")]),
    np.zeros(3, dtype=np.dtype([("a", "u1"), ("b", "<i8")], align=True)),
    np.array(["hé", "x"], dtype="<U2"),
]


@pytest.mark.parametrize("expected", ARRAYS, ids=lambda a: f"{a.dtype}-{a.shape}")
def test_open_reads_what_numpy_saves(expected):
    np.save("a.npy", expected)
    a = maparray.open("a.npy")
    assert type(a) is np.ndarray and isinstance(a.base, maparray.Mapping)
    assert a.dtype == expected.dtype and a.shape == expected.shape
    assert a.flags.f_contiguous == expected.flags.f_contiguous or a.ndim < 2
    assert a.tobytes(order="A") == expected.tobytes(order="A")
    assert not a.flags.writeable
    assert np.array_equal(a, np.load("a.npy"))


def test_open_modes():
    np.save("a.npy", np.arange(6.0))
    a = maparray.open("a.npy", "r+")
    a[2] = -1
    a.base.flush()
    c = maparray.open("a.npy", "c")
    c[3] = 99
    del a, c
    assert np.array_equal(np.load("a.npy"), [0, 1, -1, 3, 4, 5])


def test_open_raw_file_given_dtype():
    np.arange(6, dtype="<i2").tofile("raw.bin")
    assert np.array_equal(maparray.open("raw.bin", dtype="<i2"), np.arange(6))
    assert maparray.open("raw.bin", dtype="<i2", shape=(-1, 3)).shape == (2, 3)


@pytest.mark.parametrize("expected", ARRAYS, ids=lambda a: f"{a.dtype}-{a.shape}")
def test_create_npy_writes_what_numpy_saves(expected):
    order = "F" if expected.flags.f_contiguous and not expected.flags.c_contiguous else "C"
    a = maparray.create_npy("ours.npy", expected.dtype, expected.shape, order)
    a[...] = expected
    a.base.flush()
    del a
    np.save("theirs.npy", expected)
    with open("ours.npy", "rb") as ours, open("theirs.npy", "rb") as theirs:
        assert ours.read() == theirs.read()


def test_create_npy_refuses_existing_file():
    maparray.create_npy("x.npy", "f4", 3)
    with pytest.raises(FileExistsError):
        maparray.create_npy("x.npy", "f4", 3)
    assert maparray.create_npy("x.npy", "i2", (2, 2), overwrite=True).dtype == np.int16


def test_append_grows_in_place():
    a = maparray.create_npy("grow.npy", "<i8", (2, 3))
    a[...] = [[1, 2, 3], [4, 5, 6]]
    maparray.append_npy("grow.npy", [[7, 8, 9]])
    maparray.append_npy("grow.npy", np.array([10, 11, 12, 13, 14, 15], np.int32))
    assert a.shape == (2, 3) and a[1, 2] == 6  # the open array keeps its extent
    assert np.array_equal(np.load("grow.npy"), np.arange(1, 16).reshape(5, 3))
    assert np.array_equal(maparray.open("grow.npy"), np.load("grow.npy"))


def test_append_fortran_grows_last_axis():
    np.save("f.npy", np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    maparray.append_npy("f.npy", np.array([[6.0], [7.0]]))
    expected = np.hstack([np.arange(6.0).reshape(2, 3), [[6.0], [7.0]]])
    assert np.array_equal(np.load("f.npy"), expected)


def test_append_refusals():
    np.save("g.npy", np.zeros((2, 3)))
    with pytest.raises(ValueError):
        maparray.append_npy("g.npy", np.zeros((1, 4)))
    with pytest.raises(ValueError):
        maparray.append_npy("g.npy", np.zeros(4))
    assert np.load("g.npy").shape == (2, 3)


def test_malformed_files_are_format_errors():
    with open("bad.npy", "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + b"\x10\x00" + b"{'descr': 'x'}\n ")
    with pytest.raises(maparray.FormatError):
        maparray.open("bad.npy")
    np.save("short.npy", np.arange(100))
    with open("short.npy", "r+b") as f:
        f.truncate(200)
    with pytest.raises(maparray.FormatError) as caught:
        maparray.open("short.npy")
    assert isinstance(caught.value, ValueError)
    np.save("long.npy", np.zeros(3, dtype=[(f"field{i}", "f8") for i in range(400)]))
    with pytest.raises(maparray.FormatError):
        maparray.open("long.npy", max_header_size=1000)
    assert maparray.open("long.npy", max_header_size=100000).shape == (3,)
