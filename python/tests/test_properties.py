"""Property tests with numpy as the oracle: for random dtypes, shapes, orders and byte offsets,
maparray maps the same elements numpy.memmap does, and writes land where numpy expects."""

import os
import tempfile

import numpy as np
from hypothesis import given, settings, strategies as st

import maparray

DTYPES = [
    "?", "i1", "u1", "<i2", ">i2", "<u4", ">i4", "<i8", ">u8", "<f2", "<f4", ">f4", "<f8",
    ">f8", "<c8", ">c16", "S5", "V3", "<U2", [("a", "<i4"), ("b", "u1")],
    [("x", ">f8"), ("tag", "S3"), ("n", "<u2")], ("<i2", (3,)), (">f4", (2, 2)),
]

shapes = st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=3).map(tuple)


@st.composite
def cases(draw):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = draw(shapes)
    order = draw(st.sampled_from("CF"))
    offset = draw(st.integers(min_value=0, max_value=70))
    trailing = draw(st.integers(min_value=0, max_value=2 * dtype.itemsize - 1))
    size = int(np.prod(shape)) * dtype.itemsize
    payload = draw(st.binary(min_size=size, max_size=size))
    return dtype, shape, order, offset, trailing, payload


def write_file(directory, offset, payload, trailing):
    path = os.path.join(directory, "case.bin")
    with open(path, "wb") as f:
        f.write(bytes(range(offset)) + payload + b"\xff" * trailing)
    return path


@settings(max_examples=150, deadline=None)
@given(cases())
def test_reads_what_numpy_memmap_reads(case):
    dtype, shape, order, offset, trailing, payload = case
    with tempfile.TemporaryDirectory() as directory:
        path = write_file(directory, offset, payload, trailing)
        count = int(np.prod(shape))
        expected = np.ndarray(shape, dtype, buffer=payload, order=order)
        ours = maparray.map_file(path, dtype, shape, mode="r", offset=offset, count=count,
                                 order=order)
        assert ours.dtype == expected.dtype and ours.shape == expected.shape
        assert ours.tobytes(order="A") == expected.tobytes(order="A")
        assert ours.flags.c_contiguous == expected.flags.c_contiguous
        assert ours.flags.f_contiguous == expected.flags.f_contiguous
        if count > 0:  # numpy.memmap refuses empty maps
            theirs = np.memmap(path, dtype, mode="r", offset=offset, shape=shape, order=order)
            assert ours.tobytes() == np.asarray(theirs).tobytes()
            del theirs
        mapping = ours.base
        del ours
        mapping.close()


@settings(max_examples=100, deadline=None)
@given(cases(), st.data())
def test_writes_land_where_numpy_expects(case, data):
    dtype, shape, order, offset, trailing, payload = case
    count = int(np.prod(shape))
    with tempfile.TemporaryDirectory() as directory:
        path = write_file(directory, offset, bytes(len(payload)), trailing)
        ours = maparray.map_file(path, dtype, shape, offset=offset, count=count, order=order)
        ours[...] = np.ndarray(shape, dtype, buffer=payload, order=order)
        if count > 0:
            index = tuple(data.draw(st.integers(0, n - 1)) for n in shape)
            ours[index] = np.zeros((), dtype)
        expected = np.ndarray(shape, dtype, buffer=bytearray(payload), order=order)
        if count > 0:
            expected[index] = np.zeros((), dtype)
        ours.base.flush()
        with open(path, "rb") as f:
            written = f.read()
        assert written[:offset] == bytes(range(offset))
        assert written[offset:offset + len(payload)] == expected.tobytes(order="A")
        assert written[offset + len(payload):] == b"\xff" * trailing


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(DTYPES), st.integers(0, 40), st.integers(1, 5))
def test_inferred_shapes_match_numpy(dtype, rows, columns):
    dtype = np.dtype(dtype)
    with tempfile.TemporaryDirectory() as directory:
        path = write_file(directory, 0, bytes(rows * columns * dtype.itemsize), 0)
        ours = maparray.map_file(path, dtype, (-1, columns), mode="r")
        assert ours.shape == np.zeros((rows, columns), dtype).shape
