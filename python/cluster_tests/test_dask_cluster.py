"""maparray.dask on dask.distributed: a LocalCluster of two worker processes.

The big tests work on 2 GiB files with a 512 MiB memory limit per worker (the nanny restarts a
worker that goes over 95% of it) and 16 MiB chunks, and print each worker's peak resident
memory. They take a minute or two: ctest runs them under the label `dask`
(ctest --preset dask), outside the default run. MAPARRAY_DASK_TEST_DIR chooses where the
6 GiB of files go (default: the system's temporary directory); they are removed afterwards.
"""

import logging
import os
import pickle
import shutil
import tempfile
import time

import numpy as np
import pytest

import maparray

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
mad = pytest.importorskip("maparray.dask")

ROWS, COLS = 16384, 32768  # int32: 2 GiB
SLAB = 256  # rows written at a time when making the files
LIMIT = 512 << 20


def pattern(rows, factor):
    """Rows `rows` of the test arrays: element (i, j) is factor * i + j."""
    return (rows.astype(np.int32) * factor)[:, None] + np.arange(COLS, dtype=np.int32)[None, :]


def make(path, factor):
    maparray.create_npy(path, "i4", (ROWS, COLS))
    offset = maparray.npy_header(path)["offset"]
    for r in range(0, ROWS, SLAB):
        rows = pattern(np.arange(r, r + SLAB), factor)
        maparray.write_block(path, "i4", (ROWS, COLS), (r, 0), rows, offset=offset)


@pytest.fixture(scope="module")
def big_files():
    base = os.environ.get("MAPARRAY_DASK_TEST_DIR")
    directory = tempfile.mkdtemp(prefix="maparray-dask-", dir=base)
    paths = {name: os.path.join(directory, f"{name}.npy") for name in ("a", "b", "c")}
    try:
        make(paths["a"], 7)
        make(paths["b"], 13)
        yield paths
    finally:
        shutil.rmtree(directory)


@pytest.fixture
def client():
    """Two fresh worker processes, one thread each, 512 MiB each: peaks are this test's."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  memory_limit=LIMIT, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def worker_pids(client):
    return client.run(os.getpid)


def peak_resident(client):
    """Each worker's peak resident memory (VmHWM: anonymous and mapped pages), in bytes."""

    def vm_hwm():  # defined here so that it travels by value
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return 0

    return client.run(vm_hwm)


def report(what, seconds, peaks):
    mib = ", ".join(f"{p / 2**20:.0f} MiB" for p in sorted(peaks.values()))
    print(f"\n{what}: {seconds:.1f} s; peak resident memory per worker: {mib} "
          f"(limit {LIMIT >> 20} MiB)")


def test_round_trips_equal_numpy(client):
    expected = np.random.default_rng(2).standard_normal((300, 70)).astype(">f8")
    np.save("a.npy", expected)
    x = mad.from_npy("a.npy", chunks=(64, 16))
    assert np.array_equal(x.compute(), expected)
    mad.to_npy((x * 2).T, "t.npy", order="F")
    assert np.array_equal(np.load("t.npy"), (expected * 2).T)
    mad.to_raw(x, "a.raw")
    assert np.array_equal(mad.from_raw("a.raw", ">f8", (-1, 70), chunks=50).compute(), expected)
    assert np.array_equal(np.fromfile("a.raw", ">f8").reshape(300, 70), expected)
    name = f"/maparray-cluster-{os.getpid()}"
    try:
        mad.to_shared(x + 1, name)
        assert np.array_equal(mad.from_shared(name, chunks=40).compute(), expected + 1)
    finally:
        maparray.remove_shared(name)


def test_failure_on_a_worker_leaves_no_file(client):
    def fail(block, block_info=None):
        if block_info[0]["chunk-location"] == (3,):
            raise RuntimeError("chunk 3 failed")
        return block

    x = da.arange(1000, chunks=100).map_blocks(fail, meta=np.array((), int))
    with pytest.raises(RuntimeError, match="chunk 3 failed"):
        mad.to_npy(x, "out.npy")
    assert os.listdir(".") == []


def test_graph_sent_to_the_scheduler_is_small(client):
    maparray.create_npy("big.npy", "f4", (ROWS, COLS), sparse=True)  # 2 GiB, no disk
    x = mad.from_npy("big.npy", chunks="16 MiB")
    assert x.nbytes == 2 << 30 and x.npartitions == 128
    (optimized,) = dask.optimize(x)
    keys = set(dask.core.flatten(optimized.__dask_keys__()))
    packed = optimized.__dask_graph__().__dask_distributed_pack__(client, keys, {})
    frames = distributed.protocol.dumps({"op": "update-graph-hlg", "hlg": packed})
    assert sum(len(f) for f in frames) < 64 << 10
    assert len(pickle.dumps(dict(x.__dask_graph__()))) < 64 << 10


def test_rechunk_and_write_2_gib(client, big_files):
    """The scenario of dask issue 5985: a memory-mapped .npy rechunked and stored."""
    pids = worker_pids(client)
    start = time.perf_counter()
    a = mad.from_npy(big_files["a"], chunks="16 MiB")
    assert a.chunksize == (128, COLS)
    mad.to_npy(a.rechunk((2048, 2048)), big_files["c"])
    seconds = time.perf_counter() - start
    peaks = peak_resident(client)
    report("from_npy(2 GiB).rechunk((2048, 2048)) -> to_npy", seconds, peaks)
    assert worker_pids(client) == pids, "a worker was restarted"
    assert max(peaks.values()) < LIMIT
    header = maparray.npy_header(big_files["c"])
    assert header["shape"] == (ROWS, COLS) and not header["fortran_order"]
    for r in range(0, ROWS, SLAB):
        rows = maparray.read_block(big_files["c"], "i4", (ROWS, COLS), (r, 0), (SLAB, COLS),
                                   offset=header["offset"])
        assert np.array_equal(rows, pattern(np.arange(r, r + SLAB), 7)), f"rows {r}+"


def test_sum_of_two_2_gib_files(client, big_files):
    pids = worker_pids(client)
    start = time.perf_counter()
    a = mad.from_npy(big_files["a"], chunks="16 MiB")
    b = mad.from_npy(big_files["b"], chunks="16 MiB")
    total = (a + b).sum().compute()
    seconds = time.perf_counter() - start
    peaks = peak_resident(client)
    report("(a + b).sum() over two 2 GiB files", seconds, peaks)
    assert worker_pids(client) == pids, "a worker was restarted"
    assert max(peaks.values()) < LIMIT
    i = ROWS * (ROWS - 1) // 2 * COLS  # the sum of the row indices over all elements
    j = COLS * (COLS - 1) // 2 * ROWS
    assert total == (7 + 13) * i + 2 * j
