"""maparray.map_block and maparray.npy_header against numpy."""

import errno

import numpy as np
import pytest

import maparray


def test_npy_header_is_what_numpy_saved():
    np.save("a.npy", np.asfortranarray(np.zeros((3, 5), ">i2")))
    header = maparray.npy_header("a.npy")
    assert header == {"dtype": np.dtype(">i2"), "shape": (3, 5), "fortran_order": True,
                      "offset": 128}
    np.save("r.npy", np.zeros(2, [("x", "<f4"), ("s", "S3")]))
    assert maparray.npy_header("r.npy")["dtype"] == np.dtype([("x", "<f4"), ("s", "S3")])


def test_npy_header_errors():
    with pytest.raises(FileNotFoundError):
        maparray.npy_header("missing.npy")
    with open("bad.npy", "wb") as f:
        f.write(b"\x93NUMPY\x01\x00not a header")
    with pytest.raises(maparray.FormatError):
        maparray.npy_header("bad.npy")
    np.save("short.npy", np.zeros(100))
    with open("short.npy", "r+b") as f:
        f.truncate(500)
    with pytest.raises(maparray.FormatError, match="truncated"):
        maparray.npy_header("short.npy")


@pytest.mark.parametrize("order", ["C", "F"])
def test_map_block_equals_numpy_slice(order):
    expected = np.arange(7 * 11 * 5, dtype="<f4").reshape(7, 11, 5, order=order)
    np.save("a.npy", expected)
    header = maparray.npy_header("a.npy")
    block = maparray.map_block("a.npy", header["dtype"], header["shape"], (2, 3, 1), (4, 5, 3),
                               offset=header["offset"], order=order)
    assert type(block) is np.ndarray and isinstance(block.base, maparray.Mapping)
    assert np.array_equal(block, expected[2:6, 3:8, 1:4])
    assert block.strides == expected.strides
    assert not block.flags.writeable
    # Only the block's span is mapped, not the file.
    assert block.base.size < expected.nbytes


def test_map_block_writes_in_place_and_copy_on_write_does_not():
    np.save("a.npy", np.zeros((6, 10), "<i8"))
    offset = maparray.npy_header("a.npy")["offset"]
    block = maparray.map_block("a.npy", "<i8", (6, 10), (1, 2), (2, 3), offset=offset, mode="r+")
    block[...] = 7
    block.base.flush()
    private = maparray.map_block("a.npy", "<i8", (6, 10), (0, 0), (6, 10), offset=offset,
                                 mode="c")
    private[...] = -1
    del block, private
    expected = np.zeros((6, 10), "<i8")
    expected[1:3, 2:5] = 7
    assert np.array_equal(np.load("a.npy"), expected)


def test_map_block_empty_and_zero_dimensional():
    np.save("a.npy", np.arange(12.0).reshape(3, 4))
    offset = maparray.npy_header("a.npy")["offset"]
    assert maparray.map_block("a.npy", "f8", (3, 4), (3, 0), (0, 4), offset=offset).shape == (0, 4)
    np.save("s.npy", np.array(2.5))
    assert maparray.map_block("s.npy", "f8", (), (), (), offset=offset)[()] == 2.5


def test_map_block_errors():
    np.arange(60, dtype="<i4").tofile("raw.i32")
    with pytest.raises(ValueError, match="reaches past"):
        maparray.map_block("raw.i32", "<i4", (6, 10), (5, 0), (2, 10))
    with pytest.raises(ValueError, match="past the end"):
        maparray.map_block("raw.i32", "<i4", (7, 10), (6, 0), (1, 10))  # file too short
    with pytest.raises(ValueError):
        maparray.map_block("raw.i32", "<i4", (6, 10), (0,), (1, 10))
    with pytest.raises(ValueError):
        maparray.map_block("raw.i32", "<i4", (6, 10), (-1, 0), (1, 10))
    with pytest.raises(ValueError, match="subarray"):
        maparray.map_block("raw.i32", ("<i4", (2,)), (6, 5), (0, 0), (1, 5))
    with pytest.raises(TypeError):
        maparray.map_block("raw.i32", object, (6, 10), (0, 0), (1, 10))
    with pytest.raises(TypeError):
        maparray.map_block("raw.i32", "<i4", 60, 0, 10)
    with pytest.raises(OverflowError):
        maparray.map_block("raw.i32", "<i4", (2**62, 4), (0, 0), (1, 1))
    with pytest.raises(FileNotFoundError) as missing:
        maparray.map_block("missing", "<i4", (6,), (0,), (1,))
    assert missing.value.errno == errno.ENOENT and missing.value.filename == "missing"
    with pytest.raises(ValueError):
        maparray.map_block("raw.i32", "<i4", (6, 10), (0, 0), (1, 10), mode="w")


@pytest.mark.parametrize("order", ["C", "F"])
def test_read_block_equals_numpy_slice_in_the_files_order(order):
    expected = np.arange(9 * 13 * 4, dtype=">i4").reshape(9, 13, 4, order=order)
    np.save("a.npy", expected)
    h = maparray.npy_header("a.npy")
    for start, extent in [((1, 2, 1), (5, 7, 2)), ((0, 0, 0), (9, 13, 4)), ((3, 0, 0), (2, 13, 4)),
                          ((8, 12, 3), (1, 1, 1)), ((2, 3, 0), (0, 4, 4))]:
        block = maparray.read_block("a.npy", h["dtype"], h["shape"], start, extent,
                                    offset=h["offset"], order=order)
        region = tuple(slice(s, s + e) for s, e in zip(start, extent))
        assert block.dtype == expected.dtype and block.shape == tuple(extent)
        assert np.array_equal(block, expected[region])
        assert block.flags.f_contiguous if order == "F" else block.flags.c_contiguous
        assert block.base is None or not isinstance(block.base, maparray.Mapping)


@pytest.mark.parametrize("order", ["C", "F"])
def test_write_block_writes_only_the_block(order):
    np.save("a.npy", np.zeros((6, 10), "<f8", order=order))
    h = maparray.npy_header("a.npy")
    values = np.arange(12, dtype="<i4").reshape(4, 3).T  # another dtype, not contiguous
    maparray.write_block("a.npy", h["dtype"], h["shape"], (2, 5), values, offset=h["offset"],
                         order=order)
    expected = np.zeros((6, 10))
    expected[2:5, 5:9] = values
    assert np.array_equal(np.load("a.npy"), expected)


def test_write_block_errors():
    np.save("a.npy", np.zeros((6, 10), "<i4"))
    h = maparray.npy_header("a.npy")
    args = ("a.npy", h["dtype"], h["shape"])
    with pytest.raises(TypeError):  # float to int is not a cast within a kind
        maparray.write_block(*args, (0, 0), np.ones((2, 2)), offset=h["offset"])
    with pytest.raises(ValueError, match="reaches past"):
        maparray.write_block(*args, (5, 0), np.ones((2, 2), "i4"), offset=h["offset"])
    with pytest.raises(ValueError, match="past the end"):  # the file is not extended
        maparray.write_block("a.npy", "<i4", (7, 10), (6, 0), np.ones((1, 10), "i4"),
                             offset=h["offset"])
    with pytest.raises(FileNotFoundError):
        maparray.write_block("missing", "<i4", (6, 10), (0, 0), np.ones((1, 1), "i4"))
    assert np.array_equal(np.load("a.npy"), np.zeros((6, 10)))
