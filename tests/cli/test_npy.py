"""The maparray tool on .npy files, checked with numpy.load and numpy.save."""
import json

import numpy as np
import pytest


def test_info_of_npy_files(tool, tmp_path):
    np.save(tmp_path / "c.npy", np.zeros((5, 3), ">i8"))
    np.save(tmp_path / "f.npy", np.asfortranarray(np.zeros((4, 6), "f4")))
    first, second = map(json.loads, tool.run("info", "--json", "c.npy", "f.npy").stdout.splitlines())
    assert first["format"] == "npy" and first["version"] == "1.0"
    assert first["dtype"] == ">i8" and first["shape"] == [5, 3] and first["order"] == "C"
    assert first["offset"] == 128 and first["nbytes"] == 120
    assert second["order"] == "F" and second["shape"] == [4, 6]
    assert "npy 1.0" in tool.run("info", "c.npy").stdout


def test_npy_is_recognised_by_its_magic(tool, tmp_path):
    np.save(tmp_path / "a.npy", np.arange(3, dtype="u1"))
    (tmp_path / "a.npy").rename(tmp_path / "noext")
    assert json.loads(tool.run("info", "--json", "noext").stdout)["format"] == "npy"


def test_npy_refuses_raw_layout_options(tool, tmp_path):
    np.save(tmp_path / "a.npy", np.arange(3))
    assert "--dtype" in tool.fails("show", "a.npy", "--dtype", "f4").stderr
    assert "--offset" in tool.fails("show", "a.npy", "--offset", "8").stderr


def test_malformed_npy_is_a_user_error(tool, tmp_path):
    np.save(tmp_path / "a.npy", np.arange(100, dtype="f8"))
    data = (tmp_path / "a.npy").read_bytes()
    (tmp_path / "short.npy").write_bytes(data[:500])
    (tmp_path / "junk.npy").write_bytes(b"\x93NUMPY\x01\x00\x10\x00{'descr': 7}    \n")
    for name in ["short.npy", "junk.npy"]:
        for sub in ["info", "show", "stats"]:
            assert name in tool.fails(sub, name).stderr


@pytest.mark.parametrize("order", ["C", "F"])
def test_create_npy(tool, tmp_path, order):
    tool.run("create", "a.npy", "--dtype", ">f8", "--shape", "3,4", "--fill", "0.25", "--order",
             order)
    a = np.load(tmp_path / "a.npy")
    assert a.dtype == np.dtype(">f8") and a.shape == (3, 4) and (a == 0.25).all()
    assert a.flags.f_contiguous == (order == "F")
    tool.run("create", "b.data", "--dtype", "i2", "--shape", "0,5", "--format", "npy")
    b = np.load(tmp_path / "b.data")
    assert b.shape == (0, 5) and b.dtype == np.int16
    tool.run("create", "c.npy", "--dtype", "u1", "--shape", "8", "--format", "raw")
    assert (tmp_path / "c.npy").read_bytes() == bytes(8)


def test_show_and_stats_of_npy(tool, tmp_path):
    a = np.asfortranarray(np.arange(-6, 6, dtype=">i4").reshape(3, 4))
    np.save(tmp_path / "a.npy", a)
    assert tool.run("show", "a.npy").stdout == str(a) + "\n"
    assert tool.run("show", "a.npy", "--slice", "1:,::-2").stdout == str(a[1:, ::-2]) + "\n"
    s = json.loads(tool.run("stats", "--json", "a.npy").stdout)
    assert s["sum"] == int(a.sum()) and s["min"] == -6 and s["max"] == 5 and s["count"] == 12
    np.save(tmp_path / "z.npy", np.float64(2.5))
    assert tool.run("show", "z.npy").stdout == str(np.array(2.5)) + "\n"


@pytest.mark.parametrize("op,fn", [("add", np.add), ("div", np.true_divide), ("maximum", np.maximum)])
def test_arithmetic_on_npy_follows_numpy_promotion(tool, tmp_path, op, fn):
    a = np.arange(1, 13, dtype="i2").reshape(3, 4)
    b = np.asfortranarray(np.linspace(1, 2, 12, dtype=">f4").reshape(3, 4))
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    tool.run(op, "a.npy", "b.npy", "-o", "c.npy")
    want = fn(a, b)
    got = np.load(tmp_path / "c.npy")
    assert got.dtype == want.dtype.newbyteorder("=")
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("pair", [("u1", "i1"), ("u2", "i2"), ("u4", "i8"), ("u8", "i8"),
                                  ("i8", "f4"), ("i1", "f4"), ("f4", "c8"), ("f8", "c8"),
                                  ("?", "i4"), ("u1", "u4")])
def test_arithmetic_result_types_match_numpy(tool, tmp_path, pair):
    a = np.ones(3, pair[0])
    b = np.ones(3, pair[1])
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    tool.run("mul", "a.npy", "b.npy", "-o", "c.npy")
    got = np.load(tmp_path / "c.npy")
    assert got.dtype == np.result_type(a, b)


def test_convert_between_raw_and_npy(tool, tmp_path):
    a = np.arange(12, dtype=">u4").reshape(3, 4)
    a.tofile(tmp_path / "a.raw")
    tool.run("convert", "a.raw", "--dtype", ">u4", "--shape", "-1,4", "-o", "a.npy")
    got = np.load(tmp_path / "a.npy")
    assert got.dtype == np.dtype(">u4") and (got == a).all()
    tool.run("convert", "a.npy", "-o", "n.npy", "--byteorder", "native", "--dtype", "f8")
    got = np.load(tmp_path / "n.npy")
    assert got.dtype == np.dtype("f8") and (got == a).all()
    tool.run("convert", "a.npy", "-o", "back.raw")
    assert (tmp_path / "back.raw").read_bytes() == a.tobytes()
    tool.run("convert", "a.raw", "--dtype", ">u4", "-o", "x.bin", "--to", "npy")
    assert np.load(tmp_path / "x.bin").shape == (12,)


def test_append_grows_in_place(tool, tmp_path):
    a = np.arange(6, dtype="<f8").reshape(2, 3)
    b = np.arange(100, 109, dtype="<f8").reshape(3, 3)
    c = np.asfortranarray(np.arange(200, 206, dtype="<f8").reshape(2, 3))
    for name, x in [("a", a), ("b", b), ("c", c)]:
        np.save(tmp_path / f"{name}.npy", x)
    tool.run("append", "a.npy", "b.npy", "c.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), np.concatenate([a, b, c]))


def test_append_to_a_fortran_file_grows_the_last_axis(tool, tmp_path):
    a = np.asfortranarray(np.arange(6, dtype=">i2").reshape(3, 2))
    b = np.arange(10, 16, dtype=">i2").reshape(3, 2)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    tool.run("append", "a.npy", "b.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), np.concatenate([a, b], axis=1))


def test_append_errors_leave_the_file_alone(tool, tmp_path):
    a = np.zeros((2, 3), "f4")
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "ok.npy", np.ones((1, 3), "f4"))
    np.save(tmp_path / "wide.npy", np.ones((1, 4), "f4"))
    np.save(tmp_path / "f8.npy", np.ones((1, 3), "f8"))
    np.save(tmp_path / "zero.npy", np.float32(1))
    before = (tmp_path / "a.npy").read_bytes()
    assert "wide.npy" in tool.fails("append", "a.npy", "ok.npy", "wide.npy").stderr
    assert "f8.npy" in tool.fails("append", "a.npy", "f8.npy").stderr
    assert "missing.npy" in tool.fails("append", "a.npy", "missing.npy").stderr
    assert (tmp_path / "a.npy").read_bytes() == before
    assert "zero.npy" in tool.fails("append", "zero.npy", "ok.npy").stderr
    a.tofile(tmp_path / "raw.f4")
    assert "raw.f4" in tool.fails("append", "raw.f4", "ok.npy").stderr
    assert "raw.f4" in tool.fails("append", "a.npy", "raw.f4").stderr
    tool.run("append", "a.npy", expect=2)
