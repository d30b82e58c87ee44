"""The tool against FIFOs, full disks, file-size limits, signals and odd element bytes."""
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import time

import numpy as np
import pytest


def ext4_image(tmp_path, megabytes):
    """A loop-mounted ext4 file system of `megabytes`, or a skip saying why there is none."""
    if os.geteuid() != 0:
        pytest.skip("mounting a file system needs root")
    if shutil.which("mkfs.ext4") is None:
        pytest.skip("mkfs.ext4 is not installed (e2fsprogs)")
    image, mount = tmp_path / "ext4.img", tmp_path / "ext4"
    mount.mkdir()
    with open(image, "wb") as f:
        f.truncate(megabytes << 20)
    # No blocks reserved for root, who runs this: the free space is all there is.
    made = subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", str(image)], capture_output=True,
                          text=True)
    if made.returncode != 0:
        pytest.skip("mkfs.ext4 failed: " + made.stderr.strip())
    mounted = subprocess.run(["mount", "-o", "loop", str(image), str(mount)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip("cannot loop-mount an ext4 image here: " + mounted.stderr.strip())
    return mount


@pytest.fixture
def small_ext4(tmp_path):
    mount = ext4_image(tmp_path, 24)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def start(tool, *args, **kwargs):
    return subprocess.Popen([tool.path, *map(str, args)], cwd=tool.cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def test_a_fifo_is_refused_at_once(tool, tmp_path):
    os.mkfifo(tmp_path / "fifo")
    os.mkfifo(tmp_path / "fifo.npy")
    for args in (["info", "fifo", "--dtype", "f4"], ["show", "fifo", "--dtype", "f4"],
                 ["stats", "fifo", "--dtype", "f4"], ["info", "fifo.npy"], ["warm", "fifo"],
                 ["append", "fifo.npy", "fifo.npy"]):
        try:
            done = subprocess.run([tool.path, *args], cwd=tmp_path, capture_output=True,
                                  text=True, timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail(f"maparray {' '.join(args)} waited for a writer")
        assert done.returncode == 1, (args, done.stderr)
        assert "FIFO" in done.stderr, (args, done.stderr)


def test_force_keeps_the_replaced_files_permissions(tool, tmp_path):
    np.save(tmp_path / "in.npy", np.arange(4, dtype="i4"))
    for args in (["create", "out.npy", "--dtype", "u1", "--shape", "3", "--force"],
                 ["convert", "in.npy", "-o", "out.npy", "--force"]):
        (tmp_path / "out.npy").write_bytes(b"secret")
        os.chmod(tmp_path / "out.npy", 0o600)
        tool.run(*args)
        assert stat.S_IMODE(os.stat(tmp_path / "out.npy").st_mode) == 0o600, args


def test_past_the_file_size_limit_is_a_user_error_leaving_nothing(tool, tmp_path):
    np.save(tmp_path / "in.npy", np.ones(1 << 20, "f8"))

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))

    for args in (["create", "big.npy", "--dtype", "f8", "--shape", str(1 << 20)],
                 ["convert", "in.npy", "-o", "big.npy"]):
        done = subprocess.run([tool.path, *args], cwd=tmp_path, capture_output=True, text=True,
                              preexec_fn=limit, timeout=60)
        assert done.returncode == 1, (args, done.returncode, done.stderr)
        assert len(done.stderr.splitlines()) == 1 and "big.npy" in done.stderr, done.stderr
        assert sorted(os.listdir(tmp_path)) == ["in.npy"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_an_interrupted_output_leaves_nothing(tool, tmp_path, sig):
    np.save(tmp_path / "in.npy", np.ones(64 << 20, "u1"))
    for round in range(20):
        running = start(tool, "convert", "in.npy", "-o", "out.npy", "--to-dtype", "f8")
        time.sleep(0.05 + 0.02 * round)
        still_running = running.poll() is None
        running.send_signal(sig)
        running.communicate(timeout=60)
        names = sorted(os.listdir(tmp_path))
        if still_running and running.returncode != 0:
            assert names == ["in.npy"], f"round {round}: {names}"
            return
        # It finished first: the output is whole; try again, stopping it sooner.
        assert names == ["in.npy", "out.npy"]
        np.testing.assert_array_equal(np.load(tmp_path / "out.npy")[-3:], [1.0, 1.0, 1.0])
        os.unlink(tmp_path / "out.npy")
    pytest.skip("the conversion always finished before the signal")


def test_append_on_a_full_disk_appends_nothing(tool, tmp_path, small_ext4):
    target = small_ext4 / "log.npy"
    np.save(target, np.arange(12, dtype="i8").reshape(4, 3))
    before = target.read_bytes()
    free = shutil.disk_usage(small_ext4).free
    # Two inputs that together need more than the free space; the first alone would fit.
    rows = free // 24 // 2 + (2 << 20) // 24
    np.save(tmp_path / "m1.npy", np.ones((rows, 3), "i8"))
    np.save(tmp_path / "m2.npy", np.ones((rows, 3), "i8"))
    err = tool.fails("append", target, tmp_path / "m1.npy", tmp_path / "m2.npy").stderr
    assert "No space" in err and "log.npy" in err
    assert target.read_bytes() == before
    assert shutil.disk_usage(small_ext4).free >= free - (1 << 20)
    # What fits still goes in, whole.
    tool.run("append", target, tmp_path / "m1.npy")
    assert np.load(target).shape == (4 + rows, 3)


def test_a_killed_append_leaves_all_rows_or_none(tool, tmp_path):
    np.save(tmp_path / "log.npy", np.zeros((1, 1000), "f8"))
    parts = [tmp_path / f"part{k}.npy" for k in range(3)]
    for k, p in enumerate(parts):
        np.save(p, np.full((2000, 1000), k + 1, "f8"))
    killed = 0
    for round in range(12):
        shape_before = np.load(tmp_path / "log.npy", mmap_mode="r").shape
        running = start(tool, "append", "log.npy", *parts)
        time.sleep(0.01 * round)
        killed += running.poll() is None
        running.kill()
        running.communicate(timeout=60)
        after = np.load(tmp_path / "log.npy", mmap_mode="r")
        assert after.shape[0] in (shape_before[0], shape_before[0] + 6000), after.shape
        if after.shape[0] > shape_before[0]:
            assert (after[-6000:-4000] == 1).all() and (after[-2000:] == 3).all()
    assert killed > 0, "every append finished before it could be killed"


def test_appending_rows_of_zero_bytes(tool, tmp_path):
    np.save(tmp_path / "z.npy", np.zeros((2, 0), "f4"))
    np.save(tmp_path / "more.npy", np.zeros((3, 0), "f4"))
    tool.run("append", "z.npy", "more.npy")
    assert np.load(tmp_path / "z.npy").shape == (5, 0)


BOOL_BYTES = bytes([0, 1, 2, 255, 0, 128, 1, 0])


def test_bool_bytes_other_than_0_and_1_are_true(tool, tmp_path):
    (tmp_path / "b").write_bytes(BOOL_BYTES)
    a = np.frombuffer(BOOL_BYTES, bool)
    s = json.loads(tool.run("stats", "--json", "b", "--dtype", "bool").stdout)
    assert s["sum"] == int(a.sum()) == 5 and s["min"] == 0 and s["max"] == 1
    assert s["mean"] == pytest.approx(a.mean())
    for to in ("i4", "f8", "u1", "c8"):
        tool.run("convert", "b", "--dtype", "bool", "-o", f"b.{to}.npy", "--to-dtype", to)
        np.testing.assert_array_equal(np.load(tmp_path / f"b.{to}.npy"), a.astype(to))
    assert tool.run("show", "b", "--dtype", "bool").stdout == str(a) + "\n"
    assert tool.run("show", "b", "--dtype", "bool", "--shape", "2,4").stdout == \
        str(a.reshape(2, 4)) + "\n"
    np.save(tmp_path / "b.npy", a)
    assert json.loads(tool.run("stats", "--json", "b.npy").stdout)["sum"] == 5


@pytest.mark.parametrize("spec", [f"::{2**63 - 1}", f"::-{2**63 - 1}", f"::-{2**63}",
                                  f"{-2**63}:{2**63 - 1}", f"{2**63 - 1}:{-2**63}:-1",
                                  f"1::{2**62}", f"-{2**63}"])
def test_huge_slice_bounds_and_steps(tool, tmp_path, spec):
    a = np.arange(10, dtype="i4")
    a.tofile(tmp_path / "a")
    index = tuple(slice(*[int(x) if x else None for x in p.split(":")]) if ":" in p else int(p)
                  for p in spec.split(","))
    try:
        expected = str(a[index]) + "\n"
    except IndexError:
        tool.fails("show", "a", "--dtype", "i4", "--slice", spec)
        return
    assert tool.run("show", "a", "--dtype", "i4", "--slice", spec).stdout == expected


@pytest.mark.parametrize("value", [0.0, -0.0, 1.0, 0.1, 2.5, 1e15, 1e16, 123456789.0, 1.5e-5,
                                   1e-4, 9.999e-5, 65504.0, 1 / 3, float("nan"), float("inf"),
                                   float("-inf"), 1e300, 5e-324])
@pytest.mark.parametrize("dtype", ["f2", "f4", "f8", ">f8"])
def test_zero_dimensional_floats_print_as_str(tool, tmp_path, value, dtype):
    with np.errstate(over="ignore"):
        a = np.array(value, dtype)
    np.save(tmp_path / "s.npy", a)
    assert tool.run("show", "s.npy").stdout == str(a) + "\n"


@pytest.mark.parametrize("value", [0, 1 + 2j, 1.5 - 0.5j, 1e20 + 1j, complex(float("nan"), 1),
                                   complex(0, float("inf")), complex(-0.0, -0.0), 1e-5j, 1j,
                                   -1j, complex(1, -0.0), complex(1, float("nan")),
                                   complex(float("-inf"), float("-inf"))])
@pytest.mark.parametrize("dtype", ["c8", "c16"])
def test_zero_dimensional_complex_numbers_print_as_str(tool, tmp_path, value, dtype):
    a = np.array(value, dtype)
    np.save(tmp_path / "s.npy", a)
    assert tool.run("show", "s.npy").stdout == str(a) + "\n"
