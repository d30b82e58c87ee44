"""What a hostile or unlucky caller tries: objects never initialised, FIFOs, directories,
squatted shared-memory names, replaced files, locks never released, odd dtypes and arguments."""

import errno
import itertools
import os
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import maparray

_serial = itertools.count()


def run_python(code, timeout=30):
    """Runs `code` in a fresh interpreter (a crash or a hang must not take pytest with it), with
    this maparray importable."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(maparray.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [
        package, os.environ.get("PYTHONPATH", "")])))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env=env)


@pytest.fixture
def shm_name():
    n = f"/maparray-pytest-hostile-{os.getpid()}-{next(_serial)}"
    yield n
    try:
        os.unlink("/dev/shm" + n)
    except FileNotFoundError:
        pass


def test_a_mapping_made_without_init_is_closed_not_garbage():
    done = run_python("""
        import os, numpy, maparray
        m = maparray.Mapping.__new__(maparray.Mapping)
        assert len(m) == 0 and m.users == 0 and m.closed and m.path is None and m.size == 0
        assert "closed" in repr(m)
        for attempt in (lambda: numpy.frombuffer(m).sum(), lambda: memoryview(m),
                        lambda: m.array("u1"), lambda: m.flush(), lambda: m.advise("random"),
                        lambda: m.prefetch(), lambda: m.resident_bytes()):
            try:
                attempt()
            except ValueError:
                pass
            else:
                raise AssertionError("no error")
        m.close()
        with open("data.bin", "wb") as f:
            f.write(bytes(range(8)))
        m.__init__("data.bin")
        assert len(m) == 8 and m.array("u1")[7] == 7
        with open("other.bin", "wb") as f:
            f.write(bytes(3))
        m.__init__("other.bin")  # a second __init__ changes nothing under the arrays
        assert len(m) == 8 and m.path == os.path.abspath("data.bin")
        print("ok")
    """)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr


def test_fifos_are_refused_at_once(shm_name):
    os.mkfifo("fifo")
    os.mkfifo("/dev/shm" + shm_name)
    done = run_python(f"""
        import maparray
        attempts = {{
            "Mapping r": lambda: maparray.Mapping("fifo", "r"),
            "Mapping c": lambda: maparray.Mapping("fifo", "c"),
            "Mapping r+": lambda: maparray.Mapping("fifo", "r+"),
            "map_file r": lambda: maparray.map_file("fifo", "f4", mode="r"),
            "open": lambda: maparray.open("fifo"),
            "shared r": lambda: maparray.shared("{shm_name}", mode="r"),
            "shared c": lambda: maparray.shared("{shm_name}", mode="c"),
            "shared r+": lambda: maparray.shared("{shm_name}"),
        }}
        for what, attempt in attempts.items():
            try:
                attempt()
            except ValueError as e:
                assert "FIFO" in str(e), (what, e)
            else:
                raise AssertionError(what + ": opened")
        print("ok")
    """, timeout=60)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr


def test_a_directory_is_is_a_directory_in_every_mode():
    os.mkdir("dir")
    for attempt in (lambda: maparray.map_file("dir", "f4", mode="r"),
                    lambda: maparray.map_file("dir", "f4", mode="r+"),
                    lambda: maparray.map_file("dir", "f4", mode="c"),
                    lambda: maparray.Mapping("dir", "r"), lambda: maparray.Mapping("dir", "r+"),
                    lambda: maparray.open("dir"), lambda: maparray.open("dir", "r+")):
        with pytest.raises(IsADirectoryError) as caught:
            attempt()
        assert caught.value.errno == errno.EISDIR and caught.value.filename == "dir"


@pytest.mark.parametrize("bits", [0o600, 0o640])
def test_replacing_a_file_keeps_its_permissions(bits):
    for make in (lambda: maparray.create("out", "f4", 4, overwrite=True),
                 lambda: maparray.create_npy("out", "f4", 4, overwrite=True)):
        with open("out", "wb") as f:
            f.write(b"old")
        os.chmod("out", bits)
        old_mask = os.umask(0o022)
        try:
            make()
        finally:
            os.umask(old_mask)
        assert stat.S_IMODE(os.stat("out").st_mode) == bits


def test_shared_refuses_an_object_others_may_write(shm_name):
    a = maparray.shared(shm_name, "i4", 4, create=True)
    a[1] = 7
    os.chmod("/dev/shm" + shm_name, 0o666)
    for attempt in (lambda: maparray.shared(shm_name),
                    lambda: maparray.shared(shm_name, mode="r"),
                    lambda: maparray.shared(shm_name, "i4", 4, create=True, exist_ok=True)):
        with pytest.raises(PermissionError) as caught:
            attempt()
        assert caught.value.filename == shm_name
    # Asked for: a group or everyone sharing on purpose.
    assert maparray.shared(shm_name, mode="r", permissions=0o666)[1] == 7
    assert maparray.shared(shm_name, "i4", 4, create=True, exist_ok=True,
                           permissions=0o666)[1] == 7


@pytest.mark.skipif(os.geteuid() != 0, reason="giving an object to another user needs root")
def test_shared_refuses_an_object_of_another_user(shm_name):
    maparray.shared(shm_name, "i4", 4, create=True)
    os.chown("/dev/shm" + shm_name, 65534, 65534)
    with pytest.raises(PermissionError):
        maparray.shared(shm_name)
    assert maparray.shared(shm_name, other_owners=True).shape == (4,)


def test_dontneed_on_private_pages_is_refused():
    np.arange(4096, dtype="u1").tofile("p.bin")
    a = maparray.map_file("p.bin", "u1", mode="c")
    a[10] = 200
    with pytest.raises(ValueError):
        maparray.mapping_of(a).advise("dontneed")
    assert a[10] == 200
    shared = maparray.map_file("p.bin", "u1", mode="r+")
    maparray.mapping_of(shared).advise("dontneed")


def test_appending_rows_of_zero_bytes_grows_the_shape():
    np.save("z.npy", np.zeros((2, 0), "f4"))
    maparray.append_npy("z.npy", np.zeros((3, 0), "f4"))
    assert np.load("z.npy").shape == (5, 0)
    np.save("c.npy", np.zeros((1, 0, 4), "f4"))
    maparray.append_npy("c.npy", np.zeros((2, 0, 4), "f4"))
    assert np.load("c.npy").shape == (3, 0, 4)


def header_of(path):
    with open(path, "rb") as f:
        f.seek(8)
        length = int.from_bytes(f.read(2), "little")
        return f.read(length)


@pytest.mark.parametrize("descr", [[("c", ("<f8", (5,)), (2,))],
                                   [("c", (("<f8", (5,)), (3,)), (2,)), ("d", "<i2")]])
def test_nested_subarray_dtypes_stay_nested(descr):
    dtype = np.dtype(descr)
    np.save("n.npy", np.zeros(3, dtype))
    saved = header_of("n.npy")
    assert maparray.open("n.npy").dtype == np.load("n.npy").dtype == dtype
    maparray.append_npy("n.npy", np.ones(2, dtype))
    assert np.load("n.npy").dtype == dtype and np.load("n.npy").shape == (5,)
    assert header_of("n.npy").replace(b"'shape': (5,)", b"'shape': (3,)") == saved
    maparray.create_npy("m.npy", dtype, 3)
    assert header_of("m.npy") == saved


def hold_lock(path, kind):
    """A process that takes a record lock of `kind` on the header of `path` and never lets go."""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, sys, time
        f = open({str(path)!r}, "rb+")
        fcntl.lockf(f, fcntl.{kind} | fcntl.LOCK_NB, 1, 0)
        print("locked", flush=True)
        time.sleep(600)
    """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "locked\n"
    return holder


def test_a_header_lock_never_released_times_out():
    np.save("l.npy", np.zeros(2, "i4"))
    reader = hold_lock("l.npy", "LOCK_SH")
    try:
        with pytest.raises(TimeoutError) as caught:
            maparray.append_npy("l.npy", np.ones(1, "i4"), lock_timeout=0.2)
        assert caught.value.filename == "l.npy"
    finally:
        reader.kill()
        reader.wait()
    appender = hold_lock("l.npy", "LOCK_EX")
    try:
        with pytest.raises(TimeoutError):
            maparray.open("l.npy", lock_timeout=0.2)
    finally:
        appender.kill()
        appender.wait()
    maparray.append_npy("l.npy", np.ones(1, "i4"))
    assert np.load("l.npy").tolist() == [0, 0, 1]


def test_a_partial_element_names_the_offset_given():
    np.zeros(10, "u1").tofile("p.bin")
    with pytest.raises(ValueError) as caught:
        maparray.map_file("p.bin", "u4", offset=1)
    assert "from offset 1 " in str(caught.value)


BINDING_TEXTS = ("incompatible function arguments", "Unable to cast", "pybind11", "::",
                 "max_header_length", "std::", "C++")


@pytest.mark.parametrize("call, expected", [
    (lambda: maparray.map_file("p.bin", "u1", offset=2**70), OverflowError),
    (lambda: maparray.map_file("p.bin", "u1", offset="1"), TypeError),
    (lambda: maparray.map_file("p.bin", "u1", count=2**64), OverflowError),
    (lambda: maparray.map_file("p.bin", "u1", shape=(2**70,)), OverflowError),
    (lambda: maparray.map_file(3.5, "u1"), TypeError),
    (lambda: maparray.map_file("p.bin", "u1", mode=3), TypeError),
    (lambda: maparray.map_file("p.bin", "u1", order=None), TypeError),
    (lambda: maparray.create("c.bin", "u1", (2**64,)), OverflowError),
    (lambda: maparray.create("c.bin", "u1", 4, overwrite="yes"), TypeError),
    (lambda: maparray.Mapping("p.bin", offset=2**63), OverflowError),
    (lambda: maparray.Mapping("p.bin", size=-1), ValueError),
    (lambda: maparray.Mapping("p.bin").flush(offset=-1), ValueError),
    (lambda: maparray.Mapping("p.bin").flush(size=2**64), OverflowError),
    (lambda: maparray.Mapping("p.bin").advise("random", offset=1.5), TypeError),
    (lambda: maparray.Mapping("p.bin").array("u1", offset=2**70), OverflowError),
    (lambda: maparray.open("p.npy", max_header_size=-1), ValueError),
    (lambda: maparray.open("p.npy", max_header_size=2**70), OverflowError),
    (lambda: maparray.open(b"\0", "r"), ValueError),
    (lambda: maparray.create_npy("c.npy", "u1", (2**64,)), OverflowError),
    (lambda: maparray.append_npy("p.npy", [1], max_header_size="big"), TypeError),
    (lambda: maparray.shared("/maparray-pytest-x", "u1", (2**70,), create=True), OverflowError),
    (lambda: maparray.shared(3), TypeError),
    (lambda: maparray.remove_shared(None), TypeError),
    (lambda: maparray.atomic_add(np.zeros(2, "i4"), 0, 2**31), OverflowError),
    (lambda: maparray.atomic_add(np.zeros(2, "u8"), 0, 2**64), OverflowError),
    (lambda: maparray.atomic_add(np.zeros(2, "i8"), 0, 2**70), OverflowError),
    (lambda: maparray.atomic_add(np.zeros(2, "u4"), 0, -1), OverflowError),
    (lambda: maparray.atomic_add(np.zeros(2, "i4"), 0, "1"), TypeError),
    (lambda: maparray.atomic_add(np.zeros(2, "f8"), 0, "1"), TypeError),
    (lambda: maparray.atomic_add(np.zeros(2, "i4"), 2**70, 1), IndexError),
    (lambda: maparray.atomic_add(np.zeros(2, "i4"), 1.5, 1), IndexError),
    (lambda: maparray.atomic_add([1, 2], 0, 1), TypeError),
    (lambda: maparray.compare_exchange(np.zeros(2, "i2"), 0, 0, 2**15), OverflowError),
])
def test_bad_arguments_raise_pythons_errors_in_pythons_words(call, expected):
    np.zeros(16, "u1").tofile("p.bin")
    np.save("p.npy", np.zeros(4, "u1"))
    with pytest.raises(expected) as caught:
        call()
    text = str(caught.value)
    assert not any(t in text for t in BINDING_TEXTS), text
    assert not isinstance(caught.value, RuntimeError)


def test_the_header_limit_error_names_the_python_argument():
    np.save("p.npy", np.zeros(4, "u1"))
    with pytest.raises(maparray.FormatError) as caught:
        maparray.open("p.npy", max_header_size=10)
    assert "max_header_size" in str(caught.value)
    assert not any(t in str(caught.value) for t in BINDING_TEXTS), str(caught.value)
