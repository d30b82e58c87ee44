"""close() can never leave an array over unmapped memory: it is refused while arrays, views or
buffer exports use the mapping, and succeeds once they are gone."""

import gc
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import maparray


def new_array():
    np.arange(1000, dtype=np.int32).tofile("a.i32")
    return maparray.map_file("a.i32", np.int32)


def test_close_with_live_array_raises():
    array = new_array()
    m = array.base
    with pytest.raises(BufferError):
        m.close()
    assert not m.closed and array[999] == 999


@pytest.mark.parametrize("make_user", [
    lambda a: a[10:20],
    lambda a: a[::3][1:].reshape(-1, 1),
    lambda a: a.view(np.uint8),
    lambda a: memoryview(a),
    lambda a: np.frombuffer(a, np.int16),
    lambda a: np.asarray(a),
    lambda a: memoryview(a.base),
    lambda a: np.frombuffer(a.base, np.uint8),
])
def test_close_refused_while_any_user_lives(make_user):
    array = new_array()
    m = array.base
    user = make_user(array)
    del array
    gc.collect()
    with pytest.raises(BufferError):
        m.close()
    if isinstance(user, memoryview):
        user.release()
    del user
    m.close()
    assert m.closed


def test_close_after_views_die_succeeds():
    array = new_array()
    m = array.base
    views = [array[i::7] for i in range(7)]
    del array
    with pytest.raises(BufferError):
        m.close()
    views.clear()
    m.close()
    m.close()  # twice is fine
    assert m.users == 0 and "closed" in repr(m)


def test_closed_mapping_refuses_new_users():
    array = new_array()
    m = array.base
    del array
    m.close()
    with pytest.raises(ValueError):
        m.array("i4")
    with pytest.raises(ValueError):
        memoryview(m)
    with pytest.raises(ValueError):
        m.flush()
    with pytest.raises(ValueError):
        m.prefetch()
    with pytest.raises(ValueError):
        m.resident_bytes()


def test_context_manager_exit_with_live_array_raises():
    np.zeros(16, np.uint8).tofile("z.bin")
    with pytest.raises(BufferError):
        with maparray.Mapping("z.bin") as m:
            kept = m.array()
    assert not m.closed and kept.sum() == 0
    del kept
    m.close()


def test_no_crash_ever(tmp_path):
    """Random sequences of arrays, views, deletions and close attempts in a child process:
    every close either succeeds or raises BufferError, and the process never crashes."""
    script = textwrap.dedent("""
        import gc, random, numpy as np, maparray
        random.seed(1234)

        def touch(users):  # every survivor still reads valid memory
            for u in users:
                if isinstance(u, np.ndarray):
                    u.sum()
                else:
                    bytes(u[:8])

        np.arange(4096, dtype=np.int64).tofile("crash.bin")
        for round in range(200):
            a = maparray.map_file("crash.bin", np.int64, (-1, 64))
            m = a.base
            users = [a, a[1:], a[::2, ::3], a.T, memoryview(a), a.view(np.uint8), memoryview(m)]
            del a
            random.shuffle(users)
            while True:
                try:
                    m.close()
                    break
                except BufferError:
                    pass
                victim = users.pop()
                if isinstance(victim, memoryview):
                    victim.release()
                del victim
                touch(users)
            assert not users and m.closed
        print("ok")
    """)
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(maparray.__file__)))
    env = dict(os.environ, PYTHONPATH=package_dir)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
