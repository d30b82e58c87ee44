"""maparray.mpi against numpy, run by every rank of an MPI job with 1 to 4 ranks."""

import errno
import os

import mpi4py
import numpy as np
import pytest

import maparray
import maparray.mpi as mm


def test_thread_level_is_serialized(comm):
    assert mpi4py.rc.thread_level == "serialized"
    assert mpi4py.MPI.Query_thread() <= mpi4py.MPI.THREAD_SERIALIZED


def test_local_block_is_a_numpy_array_over_a_mapping(comm, shared_dir):
    path = os.path.join(shared_dir, "a.npy")
    rows = 10 + comm.size
    with mm.create_npy(comm, path, "float64", (rows, 3), page_aligned=False) as a:
        assert a.shape == (rows, 3) and a.dtype == np.float64 and a.ndim == 2
        assert (a.rank, a.ranks) == (comm.rank, comm.size)
        assert builtins_sum(a.rows_per_rank) == rows
        first, end = a.row_range()
        local = a.local
        assert isinstance(local, np.ndarray) and local.shape == (end - first, 3)
        assert isinstance(maparray.mapping_of(local), maparray.Mapping)
        local[:] = np.arange(first * 3, end * 3, dtype=np.float64).reshape(-1, 3)
        a.flush()
        if comm.rank == 0:
            loaded = np.load(path)
            assert np.array_equal(loaded, np.arange(rows * 3, dtype=np.float64).reshape(rows, 3))
        comm.Barrier()
    assert a.closed
    local[0:0] = 1  # still usable after close


def builtins_sum(values):
    total = 0
    for v in values:
        total += v
    return total


def test_distributed_add_matches_numpy_and_the_single_machine_engine(comm, shared_dir):
    rows = 20011
    paths = [os.path.join(shared_dir, n) for n in ("a.npy", "b.npy", "c.npy", "single.npy")]
    rng = np.random.default_rng(7)
    a_data = rng.standard_normal((rows, 5)).astype(np.float32)
    b_data = rng.standard_normal((rows, 5)).astype(np.float32)
    a = mm.create_npy(comm, paths[0], "float32", (rows, 5))
    b = mm.create_npy(comm, paths[1], "float32", (rows, 5))
    c = mm.create_npy(comm, paths[2], "float32", (rows, 5))
    first, end = a.row_range()
    a.local[:] = a_data[first:end]
    b.local[:] = b_data[first:end]
    assert mm.add(a, b, c, threads=2, memory_budget=1 << 20) is c
    c.flush()
    if comm.rank == 0:
        expected = a_data + b_data
        loaded = np.load(paths[2])
        assert loaded.tobytes() == expected.tobytes()
        single = maparray.create_npy(paths[3], "float32", (rows, 5))
        maparray.add(np.load(paths[0], mmap_mode="r"), np.load(paths[1], mmap_mode="r"), single)
        assert single.tobytes() == loaded.tobytes()
    for x in (a, b, c):
        x.close()


def test_scalars_and_reductions_match_numpy(comm, shared_dir):
    n = 30000
    data = (np.arange(n, dtype=np.int64) * 7919) % 10007 - 5000
    a = mm.create_npy(comm, os.path.join(shared_dir, "i.npy"), "int64", n)
    first, end = a.row_range()
    a.local[:] = data[first:end]
    mm.multiply(a, 3, a)
    mm.subtract(1, a, a)
    expected = 1 - data * 3
    assert mm.sum(a) == expected.sum() and isinstance(mm.sum(a), np.int64)
    assert mm.min(a) == expected.min() and mm.min(a).dtype == np.int64
    assert mm.max(a) == expected.max()
    assert mm.mean(a) == pytest.approx(expected.mean())
    f = mm.create_npy(comm, os.path.join(shared_dir, "f.npy"), "float64", n)
    f.local[:] = np.sin(np.arange(first, end))
    assert mm.sum(f) == pytest.approx(np.sin(np.arange(n)).sum(), rel=1e-12)
    assert comm.allgather(float(mm.sum(f))) == [float(mm.sum(f))] * comm.size
    with pytest.raises(TypeError):
        mm.add(1, 2, a)


def test_one_sided_get_put_accumulate(comm, shared_dir):
    rows = 13
    a = mm.create_npy(comm, os.path.join(shared_dir, "p.npy"), "int32", (rows, 4),
                      page_aligned=False)
    everything = np.arange(rows * 4, dtype=np.int32)
    if comm.rank == comm.size - 1:
        a.put((0, 0), everything)
    a.sync()
    assert np.array_equal(a.get((0, 0), rows * 4), everything)
    assert a.get((-1, -1)) == rows * 4 - 1
    first, end = a.row_range()
    assert np.array_equal(a.local.reshape(-1), everything[first * 4:end * 4])
    a.sync()
    a.accumulate((1, 2), np.ones(9, dtype=np.int32))
    a.sync()
    expected = everything.copy()
    expected[6:15] += comm.size
    assert np.array_equal(a.get((0, 0), rows * 4), expected)
    with pytest.raises(IndexError):
        a.get((rows, 0))
    with pytest.raises(ValueError):
        a.get((rows - 1, 3), 2)
    with pytest.raises(ValueError):
        a.accumulate((0, 0), [1], op="average")
    owner = a.owner((5, 1))
    assert a.to_local((5, 1)) == (owner, (5 - a.row_range(owner)[0], 1))
    assert a.to_global(*a.to_local((5, 1))) == (5, 1)


def test_every_rank_hammers_one_counter(comm, shared_dir):
    adds, swaps = 1000, 300
    a = mm.create_npy(comm, os.path.join(shared_dir, "n.npy"), "uint64", 2)
    a.sync()
    seen = [int(a.fetch_add(0, 1)) for _ in range(adds)]
    for _ in range(swaps):
        expected = int(a.atomic_load(1))  # numpy 1.24 makes uint64 + int a float
        while True:
            swapped, previous = a.compare_exchange(1, expected, expected + 1)
            expected = int(previous)
            if swapped:
                break
    a.sync()
    assert a.atomic_load(0) == adds * comm.size
    assert a.atomic_load(1) == swaps * comm.size
    every = sorted(v for part in comm.allgather(seen) for v in part)
    assert every == list(range(adds * comm.size))
    with pytest.raises(ValueError):
        a.fetch_add(0, -1)  # does not fit uint64


def test_errors_are_the_same_on_every_rank(comm, shared_dir):
    missing = os.path.join(shared_dir, "missing.npy")
    with pytest.raises(FileNotFoundError) as caught:
        mm.open_npy(comm, missing)
    assert caught.value.errno == errno.ENOENT
    assert caught.value.filename == missing
    assert "rank 0 of" in str(caught.value)
    assert comm.allgather(str(caught.value)) == [str(caught.value)] * comm.size

    path = os.path.join(shared_dir, "bad.npy")
    if comm.rank == 0:
        with open(path, "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + b"garbage" * 20)
    comm.Barrier()
    with pytest.raises(maparray.FormatError) as caught:
        mm.open_npy(comm, path)
    assert comm.allgather(str(caught.value)) == [str(caught.value)] * comm.size
    if comm.size > 1:
        shape = (11,) if comm.rank == comm.size - 1 else (10,)
        with pytest.raises(ValueError, match="shape"):
            mm.create_npy(comm, os.path.join(shared_dir, "x.npy"), "float32", shape)
        assert not os.path.exists(os.path.join(shared_dir, "x.npy"))
    with pytest.raises(ValueError, match="Fortran"):
        if comm.rank == 0:
            np.save(os.path.join(shared_dir, "f.npy"), np.zeros((3, 4), order="F"))
        comm.Barrier()
        mm.open_npy(comm, os.path.join(shared_dir, "f.npy"))


def test_numpy_reads_a_file_written_by_every_rank_with_one_sided_puts(comm, shared_dir):
    path = os.path.join(shared_dir, "w.npy")
    n = 64
    a = mm.create_npy(comm, path, "int16", n)
    for i in range(comm.rank, n, comm.size):
        a.put(i, [i * 3])
    a.flush()
    if comm.rank == 0:
        assert np.array_equal(np.load(path), np.arange(n, dtype=np.int16) * 3)
    a.close()
    b = mm.open_npy(comm, path, "r")
    assert mm.max(b) == (n - 1) * 3
    with pytest.raises(ValueError):
        b.put(0, [1])
    b.close()


def test_expressions_and_promotion_follow_numpy(comm, shared_dir):
    n = 20000
    data = (np.arange(n) % 300 - 150).astype(np.int16)
    a = mm.create_npy(comm, os.path.join(shared_dir, "e.npy"), "int16", n)
    out = mm.create_npy(comm, os.path.join(shared_dir, "o.npy"), "float32", n)
    first, end = a.row_range()
    a.local[:] = data[first:end]
    mm.evaluate("a * 0.5 + b", {"a": a, "b": 1}, out)
    assert np.array_equal(out.local, (data[first:end] * 0.5 + 1).astype(np.float32))
    mm.floor_divide(a, 7, a)
    assert np.array_equal(a.local, data[first:end] // 7)
    with pytest.raises(TypeError):
        mm.divide(a, 2, a)  # float64 does not go back into int16 under same_kind casting
    assert mm.sum(a) == (data // 7).sum() and isinstance(mm.sum(a), np.int64)
    assert mm.prod(mm.create_npy(comm, os.path.join(shared_dir, "z.npy"), "uint8", 3)) == 0
    empty = mm.create_npy(comm, os.path.join(shared_dir, "none.npy"), "float64", 0)
    assert np.isnan(mm.mean(empty))
    with pytest.raises(ValueError):
        mm.min(empty)
    for x in (a, out, empty):
        x.close()
