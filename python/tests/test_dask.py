"""maparray.dask: files and shared memory as dask arrays, checked against numpy.

These run with dask's local schedulers; test_dask_cluster.py runs dask.distributed.
"""

import concurrent.futures
import itertools
import multiprocessing
import os
import pickle

import numpy as np
import pytest

import maparray

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
mad = pytest.importorskip("maparray.dask")

ARRAYS = [
    np.arange(37 * 23, dtype="<f8").reshape(37, 23),
    np.asfortranarray(np.arange(30 * 7 * 5, dtype=">i2").reshape(30, 7, 5)),
    np.arange(50, dtype="u1") % 3 == 0,
    (np.arange(12) * (1 + 2j)).astype("<c8").reshape(3, 4),
    np.array([(1.5, b"ab", 7), (2.5, b"cd", 8)] * 9,
             dtype=[("x", "<f4"), ("s", "S2"), ("n", ">u2")]),
    np.array(3.5),
    np.zeros((0, 3), "<f4"),
]
IDS = [f"{a.dtype}-{a.shape}" for a in ARRAYS]


def order_of(a):
    return "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"


def small_chunks(a):
    return tuple(max(1, n // 3) for n in a.shape)


@pytest.fixture(scope="module")
def process_pool():
    """Two worker processes for the whole module: starting a pool per computation is slow."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
        yield pool


@pytest.fixture(params=["sync", "threads", "processes"])
def scheduler(request, process_pool):
    pool = process_pool if request.param == "processes" else None
    with dask.config.set(scheduler=request.param, pool=pool):
        yield request.param


def leftovers(directory="."):
    return sorted(name for name in os.listdir(directory) if ".tmp-" in name)


@pytest.mark.parametrize("expected", ARRAYS, ids=IDS)
def test_from_npy_reads_what_numpy_saved(expected, scheduler):
    np.save("a.npy", expected)
    x = mad.from_npy("a.npy", chunks=small_chunks(expected))
    assert x.dtype == expected.dtype and x.shape == expected.shape
    assert x.chunks == da.core.normalize_chunks(small_chunks(expected), expected.shape)
    result = x.compute()
    # numpy 1.24 pickles a non-contiguous big-endian chunk as native-order values, so the
    # process scheduler's result may come back in native order, with the same values.
    assert result.dtype == expected.dtype or (
        scheduler == "processes" and result.dtype == expected.dtype.newbyteorder("="))
    assert np.array_equal(result, expected)


@pytest.mark.parametrize("expected", ARRAYS, ids=IDS)
def test_to_npy_writes_what_numpy_saves(expected, scheduler):
    order = order_of(expected)
    x = da.from_array(expected, chunks=small_chunks(expected))
    assert mad.to_npy(x, "ours.npy", order=order) is None
    np.save("theirs.npy", expected)
    with open("ours.npy", "rb") as ours, open("theirs.npy", "rb") as theirs:
        assert ours.read() == theirs.read()
    assert leftovers() == []


@pytest.mark.parametrize("order", ["C", "F"])
def test_round_trip_through_files_in_either_order(order, scheduler):
    expected = np.random.default_rng(1).standard_normal((45, 31)).astype("f4")
    np.save("a.npy", expected)
    y = (mad.from_npy("a.npy", chunks=(10, 8)) * 2 + 1).T.rechunk((7, 13))
    mad.to_npy(y, "y.npy", order=order)
    assert np.isfortran(np.load("y.npy")) == (order == "F")
    assert np.array_equal(np.load("y.npy"), (expected * 2 + 1).T)
    mad.to_raw(y, "y.raw", order=order)
    z = mad.from_raw("y.raw", "f4", (31, 45), order=order, chunks=(5, 9))
    assert np.array_equal(z.compute(), (expected * 2 + 1).T)
    assert np.array_equal(np.fromfile("y.raw", "f4").reshape((31, 45), order=order),
                          (expected * 2 + 1).T)


def test_from_raw_offset_and_inferred_shape():
    data = np.arange(6 * 50, dtype="<i8")
    with open("raw.bin", "wb") as f:
        f.write(b"header!")  # 7 bytes: the elements are not even aligned
        data.tofile(f)
    x = mad.from_raw("raw.bin", "<i8", (-1, 6), offset=7, chunks=(11, 4))
    assert x.shape == (50, 6)
    assert np.array_equal(x.compute(), data.reshape(50, 6))
    assert np.array_equal(x.compute(), np.memmap("raw.bin", "<i8", "r", 7, (50, 6)))
    with pytest.raises(ValueError):
        mad.from_raw("raw.bin", "<i8", (-1, 7), offset=7)  # does not divide
    with pytest.raises(ValueError):
        mad.from_raw("raw.bin", "<i8", (51, 6), offset=7)  # does not fit


def test_writers_of_chunks_that_share_pages_need_no_lock(scheduler):
    # Rows of 4000 bytes cut into columns of 100 elements: every page holds parts of ten chunks.
    expected = np.arange(64 * 1000, dtype="i4").reshape(64, 1000)
    mad.to_npy(da.from_array(expected, chunks=(64, 100)), "out.npy")
    assert np.array_equal(np.load("out.npy"), expected)


def test_auto_and_byte_size_chunks_cut_contiguous_slabs():
    maparray.create_npy("c.npy", "f4", (1000, 256, 16), sparse=True)
    assert mad.from_npy("c.npy", chunks="1 MiB").chunks == ((64,) * 15 + (40,), (256,), (16,))
    maparray.create_npy("f.npy", "f4", (16, 256, 1000), "F", sparse=True)
    assert mad.from_npy("f.npy", chunks="1 MiB").chunks == ((16,), (256,), (64,) * 15 + (40,))
    with dask.config.set({"array.chunk-size": "2 MiB"}):
        assert mad.from_npy("c.npy").chunks[0] == (128,) * 7 + (104,)
    # A slab of one index above the size: dask's own choice.
    maparray.create_npy("wide.npy", "f8", (4, 1 << 18), sparse=True)
    assert mad.from_npy("wide.npy", chunks="1 MiB").chunks == da.core.normalize_chunks(
        "1 MiB", (4, 1 << 18), dtype="f8")
    assert mad.from_npy("c.npy", chunks=(100, -1, 8)).chunks == ((100,) * 10, (256,), (8, 8))


def test_graph_holds_paths_and_regions_only():
    size = 2 << 30  # a 2 GiB file; sparse, so it costs no disk
    maparray.create_npy("big.npy", "f4", (size // 4 // 4096, 4096), sparse=True)
    x = mad.from_npy("big.npy", chunks="16 MiB")
    assert x.nbytes == size and x.npartitions == 128
    graph = dict(x.__dask_graph__())
    assert len(pickle.dumps(graph)) < 64 << 10
    # Each task pickled alone, as a distributed scheduler ships them.
    assert sum(len(pickle.dumps(task)) for task in graph.values()) < 64 << 10
    y = mad.from_npy("big.npy", chunks="16 MiB")
    assert y.name == x.name  # same file, same keys: dask can share the work


def test_keys_change_when_the_file_does():
    np.save("a.npy", np.zeros(10))
    before = mad.from_npy("a.npy").name
    np.save("a.npy", np.ones(10))
    os.utime("a.npy", ns=(0, 0))  # even with the same size and another timestamp
    assert mad.from_npy("a.npy").name != before


def test_a_file_changed_before_compute_is_an_error():
    np.save("a.npy", np.zeros((10, 4)))
    x = mad.from_npy("a.npy", chunks=5)
    np.save("a.npy", np.zeros((10, 5)))
    with pytest.raises(ValueError, match="changed since"):
        x.compute(scheduler="sync")
    os.remove("a.npy")
    with pytest.raises(FileNotFoundError):
        x.compute(scheduler="sync")


def test_chunks_are_read_only_or_copy_on_write():
    np.save("a.npy", np.zeros(10))
    chunk = mad.from_npy("a.npy").blocks[0].compute(scheduler="sync")
    assert isinstance(maparray.mapping_of(chunk), maparray.Mapping)
    assert not chunk.flags.writeable
    private = mad.from_npy("a.npy", mode="c").blocks[0].compute(scheduler="sync")
    private[:] = 5
    assert not np.load("a.npy").any()
    with pytest.raises(ValueError, match="mode"):
        mad.from_npy("a.npy", mode="r+")


def test_from_npy_errors():
    with pytest.raises(FileNotFoundError):
        mad.from_npy("missing.npy")
    with open("bad.npy", "wb") as f:
        f.write(b"not a npy file at all")
    with pytest.raises(maparray.FormatError):
        mad.from_npy("bad.npy")


def test_paths_are_absolute_in_the_graph(tmp_path):
    np.save("a.npy", np.arange(4.0))
    x = mad.from_npy("a.npy")
    os.chdir("/")
    assert np.array_equal(x.compute(scheduler="sync"), np.arange(4.0))
    os.chdir(tmp_path)


def failing_block(block, block_info=None):
    if block_info[0]["chunk-location"] == (1,):
        raise RuntimeError("chunk 1 failed")
    return block


def interrupted_block(block, block_info=None):
    if block_info[0]["chunk-location"] == (1,):
        raise KeyboardInterrupt
    return block


def test_failure_leaves_no_file(scheduler):
    x = da.arange(100, chunks=10).map_blocks(failing_block, dtype=int)
    with pytest.raises(RuntimeError, match="chunk 1 failed"):
        mad.to_npy(x, "out.npy")
    with pytest.raises(RuntimeError, match="chunk 1 failed"):
        mad.to_raw(x, "out.raw")
    assert os.listdir(".") == []


def test_interrupt_leaves_no_file():
    x = da.arange(100, chunks=10).map_blocks(interrupted_block, dtype=int)
    with pytest.raises(KeyboardInterrupt):
        mad.to_npy(x, "out.npy", scheduler="sync")
    assert os.listdir(".") == []


def test_delayed_writes_only_when_computed_and_keeps_the_old_file_on_failure():
    np.save("out.npy", np.arange(3))
    written = mad.to_npy(da.ones(50, chunks=7), "out.npy", overwrite=True, compute=False)
    assert np.array_equal(np.load("out.npy"), np.arange(3))
    assert written.compute(scheduler="threads") is None
    assert np.array_equal(np.load("out.npy"), np.ones(50))
    assert leftovers() == []

    x = da.arange(100, chunks=10).map_blocks(failing_block, dtype=int)
    failing = mad.to_npy(x, "out.npy", overwrite=True, compute=False)
    with pytest.raises(RuntimeError):
        failing.compute(scheduler="sync")
    assert np.array_equal(np.load("out.npy"), np.ones(50))
    # The staged file is left for the caller, as documented.
    assert len(leftovers()) == 1


def test_an_existing_file_is_refused_before_anything_is_computed():
    np.save("out.npy", np.arange(3))
    calls = []
    x = da.ones(10, chunks=5).map_blocks(lambda b: calls.append(1) or b, meta=np.array((), float))
    with pytest.raises(FileExistsError):
        mad.to_npy(x, "out.npy")
    assert calls == [] and leftovers() == []
    assert np.array_equal(np.load("out.npy"), np.arange(3))


def test_a_file_that_appears_meanwhile_is_not_replaced():
    def make_rival(block):
        if not os.path.exists("out.npy"):
            np.save("out.npy", np.arange(3))
        return block

    x = da.ones(10, chunks=5).map_blocks(make_rival, dtype=float)
    with pytest.raises(FileExistsError):
        mad.to_npy(x, "out.npy", scheduler="sync")
    assert np.array_equal(np.load("out.npy"), np.arange(3))
    assert leftovers() == []


def test_to_npy_errors():
    with pytest.raises(ValueError, match="unknown size"):
        x = da.arange(10, chunks=5)
        mad.to_npy(x[x > 3], "out.npy")
    with pytest.raises(TypeError):
        mad.to_npy(da.from_array(np.array([None, 1], dtype=object), chunks=1), "out.npy")
    with pytest.raises(FileNotFoundError):
        mad.to_npy(da.ones(4, chunks=2), "no/such/dir/out.npy")
    with pytest.raises(ValueError):
        mad.to_npy(da.ones(4, chunks=2), "out.npy", order="K")
    assert os.listdir(".") == []


def test_numpy_arrays_are_accepted():
    mad.to_npy(np.arange(5), "out.npy")
    assert np.array_equal(np.load("out.npy"), np.arange(5))


_serial = itertools.count()


@pytest.fixture
def shared_name():
    n = f"/maparray-dask-{os.getpid()}-{next(_serial)}"
    yield n
    maparray.remove_shared(n)


def test_shared_round_trip(shared_name, scheduler):
    expected = np.arange(40 * 30, dtype="<f8").reshape(40, 30)
    mad.to_shared(da.from_array(expected, chunks=(7, 11)) * 3, shared_name)
    assert np.array_equal(maparray.shared(shared_name), expected * 3)
    x = mad.from_shared(shared_name, chunks=(9, 10))
    assert x.dtype == expected.dtype and x.shape == expected.shape
    assert np.array_equal((x - 1).compute(), expected * 3 - 1)


def test_shared_failure_removes_what_it_created(shared_name):
    x = da.arange(100, chunks=10).map_blocks(failing_block, dtype=int)
    with pytest.raises(RuntimeError):
        mad.to_shared(x, shared_name, scheduler="sync")
    with pytest.raises(FileNotFoundError):
        maparray.shared(shared_name)


def test_shared_exist_ok_writes_into_an_existing_array(shared_name):
    maparray.shared(shared_name, "i8", 20, create=True)[:] = -1
    with pytest.raises(FileExistsError):
        mad.to_shared(da.arange(20, chunks=6), shared_name)
    mad.to_shared(da.arange(20, chunks=6), shared_name, exist_ok=True)
    assert np.array_equal(maparray.shared(shared_name), np.arange(20))
    with pytest.raises(ValueError):
        mad.to_shared(da.arange(21, chunks=6), shared_name, exist_ok=True)
    # A failure does not remove an array this call did not create.
    x = da.arange(20, chunks=10).map_blocks(failing_block, dtype=int)
    with pytest.raises(RuntimeError):
        mad.to_shared(x, shared_name, exist_ok=True, scheduler="sync")
    assert maparray.shared(shared_name).shape == (20,)


def test_shared_errors(shared_name):
    with pytest.raises(FileNotFoundError):
        mad.from_shared(shared_name)
    with pytest.raises(TypeError):
        mad.to_shared(da.from_array(np.zeros(3, [("x", "f4")]), chunks=2), shared_name)
