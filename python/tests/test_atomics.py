"""atomic_add and compare_exchange: exact results when processes race on one file mapped 'r+'
by each of them, and numpy-style indexing and scalars."""

import multiprocessing
import os

import numpy as np
import pytest

import maparray

PROCESSES = 4
ROUNDS = 5000
COUNTERS = 8


def add_many(path, worker):
    counters = maparray.map_file(path, np.uint64)
    for i in range(ROUNDS):
        maparray.atomic_add(counters, (i + worker) % COUNTERS, 1)


def claim_slots(path, worker, results):
    claims = maparray.map_file(path, np.int32)
    won = 0
    for slot in range(claims.size):
        swapped, _ = maparray.compare_exchange(claims, slot, 0, worker + 1)
        won += swapped
    results.put((worker, won))


def run_workers(target, *args):
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=target, args=(args[0], w) + args[1:])
               for w in range(PROCESSES)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0


def test_fetch_add_across_processes_is_exact():
    counters = maparray.create("counters.u64", np.uint64, COUNTERS)
    run_workers(add_many, os.path.abspath("counters.u64"))
    assert counters.sum() == PROCESSES * ROUNDS
    assert (counters == PROCESSES * ROUNDS // COUNTERS).all()


def test_every_slot_claimed_exactly_once():
    claims = maparray.create("claims.i32", np.int32, 2000)
    results = multiprocessing.get_context("fork").Queue()
    run_workers(claim_slots, os.path.abspath("claims.i32"), results)
    wins = dict(results.get(timeout=10) for _ in range(PROCESSES))
    assert sum(wins.values()) == claims.size
    assert ((claims >= 1) & (claims <= PROCESSES)).all()
    for worker in range(PROCESSES):
        assert (claims == worker + 1).sum() == wins[worker]


@pytest.mark.parametrize("dtype", ["i1", "u2", "i4", "u8", "f4", "f8"])
def test_returns_previous_value_as_numpy_scalar(dtype):
    a = np.zeros((3, 4), dtype)
    a[2, 1] = 5
    previous = maparray.atomic_add(a, (2, 1), 2)
    assert previous == 5 and type(previous) is np.dtype(dtype).type
    assert a[2, 1] == 7
    assert maparray.atomic_add(a, (-1, -3), 1) == 7 and a[2, 1] == 8
    swapped, seen = maparray.compare_exchange(a, (0, 0), 1, 3)
    assert not swapped and seen == 0 and a[0, 0] == 0
    swapped, seen = maparray.compare_exchange(a, (0, 0), 0, 3)
    assert swapped and seen == 0 and a[0, 0] == 3


def test_integers_wrap_like_numpy():
    a = np.array([250], np.uint8)
    assert maparray.atomic_add(a, 0, 10) == 250
    assert a[0] == (250 + 10) % 256


def test_refusals():
    a = np.zeros(4, np.int64)
    with pytest.raises(IndexError):
        maparray.atomic_add(a, 4, 1)
    with pytest.raises(IndexError):
        maparray.atomic_add(a, (0, 0), 1)
    with pytest.raises(TypeError):
        maparray.atomic_add(np.zeros(2, ">i8"), 0, 1)
    with pytest.raises(TypeError):
        maparray.atomic_add(np.zeros(2, "c8"), 0, 1)
    read_only = np.zeros(2, np.int64)
    read_only.flags.writeable = False
    with pytest.raises(ValueError):
        maparray.atomic_add(read_only, 0, 1)
    unaligned = np.zeros(17, np.uint8)[1:].view(np.int64)
    with pytest.raises(ValueError):
        maparray.atomic_add(unaligned, 0, 1)
    with pytest.raises(OverflowError):  # as numpy 2 refuses np.int8(1000)
        maparray.atomic_add(np.zeros(2, np.int8), 0, 1000)
