"""maparray.shared / remove_shared: named and anonymous shared arrays across processes."""

import itertools
import multiprocessing
import os

import numpy as np
import pytest

import maparray

_serial = itertools.count()


@pytest.fixture
def name():
    """A fresh shared-memory name, removed after the test whatever happens."""
    n = f"/maparray-pytest-{os.getpid()}-{next(_serial)}"
    yield n
    maparray.remove_shared(n)
    assert not os.path.exists("/dev/shm" + n)


def count_in_child(name, rounds):
    counters = maparray.shared(name)
    for i in range(rounds):
        maparray.atomic_add(counters, i % counters.size, 1)


def test_processes_count_exactly(name):
    counters = maparray.shared(name, np.int64, 16, create=True)
    assert type(counters) is np.ndarray and isinstance(counters.base, maparray.Mapping)
    assert counters.shape == (16,) and not counters.any()
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=count_in_child, args=(name, 3200)) for _ in range(4)]
    for c in children:
        c.start()
    for c in children:
        c.join(60)
        assert c.exitcode == 0
    assert (counters == 4 * 3200 // 16).all()


def test_open_describes_itself(name):
    made = maparray.shared(name, ">f4", (3, 4), create=True, order="F")
    made[1, 2] = 2.5
    opened = maparray.shared(name)
    assert opened.dtype == np.dtype(">f4") and opened.shape == (3, 4)
    assert opened.flags.f_contiguous and opened[1, 2] == 2.5
    assert maparray.shared(name, ">f4", (-1, 4))[1, 2] == 2.5
    read_only = maparray.shared(name, mode="r")
    assert not read_only.flags.writeable
    with pytest.raises(ValueError):
        maparray.shared(name, "<f4")
    with pytest.raises(maparray.DTypeError, match=r"holds elements of dtype >f4.*not <f4"):
        maparray.shared(name, "<f4")
    with pytest.raises(ValueError):
        maparray.shared(name, shape=(4, 3))


def test_create_and_exist_ok(name):
    maparray.shared(name, "u4", 8, create=True)
    with pytest.raises(FileExistsError):
        maparray.shared(name, "u4", 8, create=True)
    assert maparray.shared(name, "u4", 8, create=True, exist_ok=True).shape == (8,)


def test_remove_shared(name):
    a = maparray.shared(name, "u1", 4, create=True)
    assert maparray.remove_shared(name)
    assert not maparray.remove_shared(name)
    a[0] = 1  # the mapping outlives the name
    with pytest.raises(FileNotFoundError):
        maparray.shared(name)


def test_anonymous_shared_across_fork():
    a = maparray.shared(None, np.int32, (2, 2))
    context = multiprocessing.get_context("fork")
    child = context.Process(target=maparray.atomic_add, args=(a, (1, 1), 41))
    child.start()
    child.join(60)
    assert child.exitcode == 0 and a[1, 1] == 41


def test_refusals(name):
    with pytest.raises(ValueError):
        maparray.shared("no-slash", "u1", 3, create=True)
    with pytest.raises(ValueError):
        maparray.shared(name, create=True)
    with pytest.raises(TypeError):
        maparray.shared(name, [("x", "f4")], 3, create=True)
    with pytest.raises(FileNotFoundError):
        maparray.shared(name)
