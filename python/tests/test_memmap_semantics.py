"""The behaviour numpy.memmap users rely on, checked against numpy itself where the semantics
agree: round trips, modes r / r+ / c, offsets, views sharing the mapping, ufunc results being
plain arrays, flush."""

import os
import pathlib

import numpy as np
import pytest

import maparray


@pytest.fixture
def data():
    return np.arange(12 * 4, dtype=np.float32).reshape(12, 4)


@pytest.fixture
def path(data):
    data.tofile("data.f32")
    return "data.f32"


def test_roundtrip(path, data):
    a = maparray.map_file(path, np.float32, (-1, 4))
    assert type(a) is np.ndarray and isinstance(a.base, maparray.Mapping)
    assert np.array_equal(a, data)
    a[:] = -data
    a.base.flush()
    del a
    assert np.array_equal(np.fromfile(path, np.float32).reshape(12, 4), -data)


def test_path_like(path, data):
    a = maparray.map_file(pathlib.Path(path), "f4", mode="r")
    assert np.array_equal(a, data.ravel())
    assert maparray.mapping_of(a).path == os.path.abspath(path)


def test_default_shape_is_flat(path, data):
    assert maparray.map_file(path, "<f4").shape == (data.size,)


def test_mode_r_is_read_only(path):
    a = maparray.map_file(path, "f4", mode="r")
    assert not a.flags.writeable
    with pytest.raises(ValueError):
        a[0] = 1
    with pytest.raises(ValueError):
        a.flags.writeable = True
    assert a.base.mode == "r"
    a.base.flush()  # nothing to write; not an error


def test_mode_r_plus_writes_reach_the_file(path, data):
    a = maparray.map_file(path, "f4", (12, 4), mode="r+")
    a[1, 2] = 1000
    other = np.memmap(path, np.float32, mode="r", shape=(12, 4))
    assert other[1, 2] == 1000  # one page cache: seen even before a flush


def test_mode_c_keeps_writes_private(path, data):
    a = maparray.map_file(path, "f4", (12, 4), mode="c")
    assert a.flags.writeable and a.base.mode == "c"
    a[0, 0] = 77
    a.base.flush()
    assert a[0, 0] == 77
    assert np.array_equal(np.fromfile(path, np.float32).reshape(12, 4), data)


def test_long_mode_names(path):
    assert maparray.map_file(path, "f4", mode="readonly").base.mode == "r"
    assert maparray.map_file(path, "f4", mode="readwrite").base.mode == "r+"
    assert maparray.map_file(path, "f4", mode="copyonwrite").base.mode == "c"
    with pytest.raises(ValueError):
        maparray.map_file(path, "f4", mode="w")


@pytest.mark.parametrize("offset", [0, 1, 3, 4, 17, 100])
def test_offset_matches_numpy_memmap(path, offset):
    size = os.path.getsize(path)
    count = (size - offset) // 2
    ours = maparray.map_file(path, "<i2", mode="r", offset=offset, count=count)
    theirs = np.memmap(path, "<i2", mode="r", offset=offset, shape=(count,))
    assert np.array_equal(ours, theirs)


def test_count_and_shape(path, data):
    a = maparray.map_file(path, "f4", (2, 3), offset=8, count=6)
    assert np.array_equal(a, data.ravel()[2:8].reshape(2, 3))
    with pytest.raises(ValueError):
        maparray.map_file(path, "f4", offset=8, count=10**6)


def test_fortran_order_matches_numpy(path):
    ours = maparray.map_file(path, "f4", (4, 12), mode="r", order="F")
    theirs = np.memmap(path, np.float32, mode="r", shape=(4, 12), order="F")
    assert ours.flags.f_contiguous and np.array_equal(ours, theirs)


def test_views_share_the_mapping(path):
    a = maparray.map_file(path, "f4", (12, 4))
    b = a[2:5, 1:]
    c = b.T[::2]
    c[0, 0] = 4321
    assert a[2, 1] == 4321
    assert maparray.mapping_of(c) is a.base
    assert np.shares_memory(a, c)


def test_ufunc_results_are_plain_arrays(path, data):
    a = maparray.map_file(path, "f4", (12, 4))
    for result in (a + 1, np.add(a, a), a * 2.5, np.sqrt(a), a.copy()):
        assert type(result) is np.ndarray
        assert result.base is None and maparray.mapping_of(result) is None
    assert type(a.sum()) is np.float32
    assert np.isclose(a.sum(), data.sum())
    # The mapping can be closed once only the results remain.
    m = a.base
    results = [a + 1, a[::2] * 3]
    del a
    m.close()
    assert results[0][0, 0] == 1


def test_flush_ranges(path):
    a = maparray.map_file(path, "f4")
    m = a.base
    a[3] = 9
    m.flush(0, 16)
    m.flush(offset=8)
    m.flush(sync=False)
    with pytest.raises(ValueError):
        m.flush(0, m.size + 1)


def test_empty_file():
    open("empty.bin", "wb").close()
    a = maparray.map_file("empty.bin", "f8")
    assert a.shape == (0,)
    assert a.base.size == 0
    assert a.sum() == 0


def test_create(data):
    a = maparray.create("new.f64", "f8", (3, 5))
    assert a.shape == (3, 5) and a.dtype == np.float64 and not a.any()
    assert os.path.getsize("new.f64") == 3 * 5 * 8
    a[2, 4] = 1.5
    a.base.flush()
    assert np.fromfile("new.f64")[-1] == 1.5
    with pytest.raises(FileExistsError):
        maparray.create("new.f64", "f8", 4)
    b = maparray.create("new.f64", "i4", 4, overwrite=True)
    assert os.path.getsize("new.f64") == 16 and b.dtype == np.int32
    s = maparray.create("sparse.bin", "u1", 1 << 20, sparse=True)
    assert s.shape == (1 << 20,) and s[-1] == 0
    with pytest.raises(ValueError):
        maparray.create("neg.bin", "u1", (-1, 2))


def test_mapping_class(path, data):
    with maparray.Mapping(path, "r+", offset=16) as m:
        assert m.size == data.nbytes - 16 and m.offset == 16 and m.mode == "r+"
        rows = m.array("f4", (-1, 4))
        assert np.array_equal(rows, data[1:])
        assert rows.base is m and m.users == 1
        tail = m.array("<i2", offset=5, count=3)  # unaligned is fine
        assert tail.shape == (3,) and not tail.flags.aligned
        del rows, tail
    assert m.closed


def test_mapping_buffer_protocol(path, data):
    m = maparray.Mapping(path)
    view = memoryview(m)
    assert view.readonly and len(view) == data.nbytes and m.users == 1
    assert bytes(view[:4]) == data.tobytes()[:4]
    with pytest.raises(BufferError):
        m.close()
    view.release()
    array = np.frombuffer(m, np.float32)
    assert not array.flags.writeable and np.array_equal(array, data.ravel())
    with pytest.raises(BufferError):
        m.close()
    del array
    m.close()


def test_advice_prefetch_residency(path):
    a = maparray.map_file(path, "f4")
    m = a.base
    for hint in ("normal", "sequential", "random", "willneed"):
        m.advise(hint)
    m.prefetch()
    m.prefetch(write=True)
    assert 0 < m.resident_bytes() <= m.size + os.sysconf("SC_PAGE_SIZE")
    with pytest.raises(ValueError):
        m.advise("soon")
