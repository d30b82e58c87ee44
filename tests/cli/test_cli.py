"""Tests of the maparray command-line tool, run as a user runs it; numpy checks the results."""
import json
import os
import pty

import numpy as np
import pytest

SUBCOMMANDS = ["info", "create", "show", "stats", "eval", "add", "subtract", "multiply", "divide",
               "minimum", "maximum", "sum", "prod", "min", "max", "mean", "any", "all",
               "convert", "append", "warm", "evict"]


def raw(tmp_path, name, array):
    array.tofile(tmp_path / name)
    return name


# ---- conventions shared by every subcommand

@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_every_subcommand_has_help_with_an_example(tool, sub):
    out = tool.run(sub, "--help").stdout
    assert "Example:" in out and f"maparray {sub}" in out


def test_usage_errors_exit_2(tool):
    tool.run(expect=2)
    tool.run("frobnicate", expect=2)
    tool.run("info", expect=2)  # FILE is required
    tool.run("info", "x", "--no-such-option", expect=2)


@pytest.mark.parametrize("sub", ["info", "show", "stats"])
def test_bad_layout_options_are_usage_errors(tool, sub):
    tool.run(sub, "x", "--dtype", "f9", expect=2)
    # stats needs numbers; info and show take strings too (and x does not exist)
    tool.run(sub, "x", "--dtype", "S5", expect=2 if sub == "stats" else 1)
    tool.run(sub, "x", "--dtype", "f4", "--shape", "-1,-1", expect=2)
    tool.run(sub, "x", "--dtype", "f4", "--shape", "3,x", expect=2)
    tool.run(sub, "x", "--dtype", "f4", "--offset", "12Q", expect=2)
    tool.run(sub, "x", "--dtype", "f4", "--order", "Z", expect=2)


@pytest.mark.parametrize("sub", ["info", "show", "stats"])
def test_file_errors_name_the_file(tool, tmp_path, sub):
    err = tool.fails(sub, "missing.f4", "--dtype", "f4").stderr
    assert "missing.f4" in err and "No such file" in err
    raw(tmp_path, "seven.f4", np.arange(7, dtype="f4"))
    err = tool.fails(sub, "seven.f4").stderr  # raw needs --dtype
    assert "seven.f4" in err and "--dtype" in err
    err = tool.fails(sub, "seven.f4", "--dtype", "f4", "--shape", "-1,2").stderr
    assert "seven.f4" in err
    err = tool.fails(sub, "seven.f4", "--dtype", "f4", "--offset", "1K").stderr
    assert "seven.f4" in err
    (tmp_path / "dir").mkdir()
    assert "dir" in tool.fails(sub, "dir", "--dtype", "f4").stderr


# ---- info

def test_info_json_describes_a_raw_file(tool, tmp_path):
    raw(tmp_path, "m.f8", np.zeros((6, 4), ">f8"))
    out = tool.run("info", "--json", "m.f8", "--dtype", ">f8", "--shape", "-1,4", "--order",
                   "F").stdout
    info = json.loads(out)
    assert info["file"] == "m.f8" and info["format"] == "raw" and info["version"] is None
    assert info["dtype"] == ">f8" and info["shape"] == [6, 4] and info["order"] == "F"
    assert info["offset"] == 0 and info["nbytes"] == 6 * 4 * 8
    assert 0 <= info["resident_bytes"] <= info["nbytes"]


def test_info_with_an_offset_and_several_files(tool, tmp_path):
    raw(tmp_path, "a.u2", np.arange(100, dtype="<u2"))
    raw(tmp_path, "b.u2", np.arange(10, dtype="<u2"))
    out = tool.run("info", "--json", "a.u2", "b.u2", "--dtype", "u2", "--offset", "10").stdout
    first, second = map(json.loads, out.splitlines())
    assert first["shape"] == [95] and first["offset"] == 10 and first["nbytes"] == 190
    assert second["shape"] == [5]
    text = tool.run("info", "a.u2", "--dtype", "uint16").stdout
    assert "<u2 (uint16)" in text and "(100,)" in text and "resident" in text


def test_info_of_an_empty_file(tool, tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    info = json.loads(tool.run("info", "--json", "empty", "--dtype", "i8").stdout)
    assert info["shape"] == [0] and info["nbytes"] == 0 and info["resident_bytes"] == 0


# ---- create

def test_create_raw_with_fill(tool, tmp_path):
    tool.run("create", "c.i2", "--dtype", ">i2", "--shape", "3,5", "--fill", "-300")
    got = np.fromfile(tmp_path / "c.i2", ">i2").reshape(3, 5)
    np.testing.assert_array_equal(got, np.full((3, 5), -300, ">i2"))
    tool.run("create", "z.c16", "--dtype", "complex128", "--shape", "4")
    np.testing.assert_array_equal(np.fromfile(tmp_path / "z.c16", "c16"), np.zeros(4, "c16"))
    tool.run("create", "f.f4", "--dtype", "f4", "--shape", "1000", "--fill", "nan")
    assert np.isnan(np.fromfile(tmp_path / "f.f4", "f4")).all()


def test_create_sparse_leaves_holes(tool, tmp_path):
    tool.run("create", "s.f8", "--dtype", "f8", "--shape", "1048576", "--sparse")
    st = os.stat(tmp_path / "s.f8")
    assert st.st_size == 8 << 20 and st.st_blocks * 512 < st.st_size


def test_create_refuses_to_replace_without_force(tool, tmp_path):
    (tmp_path / "keep").write_bytes(b"precious")
    err = tool.fails("create", "keep", "--dtype", "u1", "--shape", "4").stderr
    assert "keep" in err and "--force" in err
    assert (tmp_path / "keep").read_bytes() == b"precious"
    tool.run("create", "keep", "--dtype", "u1", "--shape", "4", "--fill", "7", "--force")
    assert (tmp_path / "keep").read_bytes() == bytes([7] * 4)


def test_create_errors(tool, tmp_path):
    assert "int8" in tool.fails("create", "x", "--dtype", "i1", "--shape", "2", "--fill",
                                "300").stderr
    tool.fails("create", "x", "--dtype", "i4", "--shape", "2", "--fill", "2.5")
    tool.fails("create", "x", "--dtype", "u8", "--shape", "2", "--fill", "-1")
    assert not (tmp_path / "x").exists()
    tool.run("create", "x", "--dtype", "f4", "--shape", "-1,2", expect=2)
    tool.run("create", "x", "--dtype", "f4", expect=2)
    tool.run("create", "x", "--shape", "3", expect=2)
    tool.run("create", "x", "--dtype", "f4", "--shape", "3", "--fill", "abc", expect=2)
    tool.run("create", "x", "--dtype", "f4", "--shape", "3", "--format", "tiff", expect=2)
    assert "nodir" in tool.fails("create", "nodir/x", "--dtype", "f4", "--shape", "3").stderr
    # 2**62 float64s cannot be made anywhere.
    tool.fails("create", "huge", "--dtype", "f8", "--shape", "4611686018427387904")
    assert not (tmp_path / "huge").exists()


# ---- show

SHOW_CASES = [
    np.arange(10, dtype="i4"),
    np.arange(24, dtype="<i8").reshape(2, 3, 4) - 12,
    np.arange(2000, dtype="u2"),
    np.arange(3000, dtype="i4").reshape(30, 100),
    np.array([1.5, 2.25, 3.0, -0.5], "f8"),
    np.linspace(0, 1, 7, dtype="f8"),
    np.array([0.1, 0.2, 0.30000000000000004], "f8"),
    np.array([1e-5, 1.0, 123456.0], "f8"),
    np.array([1e10, -2.5e-3, np.nan, np.inf], "f8"),
    np.array([np.nan, -np.inf], "f8"),
    np.array([0.1, 1.0 / 3], "f4"),
    np.arange(12, dtype="f4").reshape(3, 4) / 7,
    np.array([True, False, True]),
    np.arange(40, dtype="f8") * 1.25,
]


@pytest.mark.parametrize("case", range(len(SHOW_CASES)))
def test_show_prints_like_numpy(tool, tmp_path, case):
    a = SHOW_CASES[case]
    raw(tmp_path, "a", a)
    out = tool.run("show", "a", "--dtype", a.dtype.str, "--shape",
                   ",".join(map(str, a.shape))).stdout
    assert out == str(a) + "\n"


@pytest.mark.parametrize("spec", ["1:3", "::-1", "-2:,1", "0", "1:5:2,::3", ":,-1", "5:1"])
def test_show_slices_like_numpy(tool, tmp_path, spec):
    a = np.arange(60, dtype=">i2").reshape(6, 10)
    raw(tmp_path, "a", a)
    out = tool.run("show", "a", "--dtype", ">i2", "--shape", "6,10", "--slice", spec).stdout
    index = tuple(slice(*[int(x) if x else None for x in p.split(":")]) if ":" in p else int(p)
                  for p in spec.split(","))
    assert out == str(a[index]) + "\n"


def test_show_of_fortran_order(tool, tmp_path):
    a = np.arange(12, dtype="i4").reshape(3, 4)
    (tmp_path / "f").write_bytes(np.asfortranarray(a).tobytes(order="F"))
    out = tool.run("show", "f", "--dtype", "i4", "--shape", "3,4", "--order", "F").stdout
    assert out == str(a) + "\n"


def test_show_errors(tool, tmp_path):
    raw(tmp_path, "a", np.arange(6, dtype="i4"))
    assert "a" in tool.fails("show", "a", "--dtype", "i4", "--slice", "9").stderr
    tool.fails("show", "a", "--dtype", "i4", "--slice", "1,2")
    # A slice that is not one is a usage error, whatever the array.
    tool.run("show", "a", "--dtype", "i4", "--slice", "1:x", expect=2)
    tool.run("show", "a", "--dtype", "i4", "--slice", "::0", expect=2)


# ---- stats

def stats(tool, *args):
    result = json.loads(tool.run("stats", "--json", *args).stdout)
    assert result.pop("file") == args[0]
    return result


def test_stats_of_floats_with_nans(tool, tmp_path):
    rng = np.random.default_rng(5)
    a = rng.normal(size=(300, 7)).astype(">f4")
    a[3, 4] = a[100, 0] = np.nan
    raw(tmp_path, "a", a)
    s = stats(tool, "a", "--dtype", ">f4", "--shape", "-1,7")
    assert s["count"] == a.size and s["nan_count"] == 2
    assert s["min"] == float(np.nanmin(a)) and s["max"] == float(np.nanmax(a))
    assert s["sum"] == pytest.approx(float(np.nansum(a.astype("f8"))), rel=1e-12)
    assert s["mean"] == pytest.approx(float(np.nanmean(a.astype("f8"))), rel=1e-12)


def test_stats_of_integers_are_exact(tool, tmp_path):
    a = np.array([2**62, 2**62, -5, 7], "<i8")
    raw(tmp_path, "a", a)
    s = stats(tool, "a", "--dtype", "i8")
    assert s == {"count": 4, "min": -5, "max": 2**62, "sum": int(a.sum()),
                 "mean": pytest.approx(float(a.astype("f8").mean())), "nan_count": 0}
    raw(tmp_path, "u", np.array([255, 0, 3], "u1"))
    assert stats(tool, "u", "--dtype", "u1")["sum"] == 258


def test_stats_of_a_strided_view_and_of_nothing(tool, tmp_path):
    a = np.arange(20, dtype="f8").reshape(4, 5)
    (tmp_path / "f").write_bytes(a.tobytes(order="F"))
    s = stats(tool, "f", "--dtype", "f8", "--shape", "4,5", "--order", "F")
    assert s["sum"] == 190 and s["min"] == 0 and s["max"] == 19
    (tmp_path / "e").write_bytes(b"")
    s = stats(tool, "e", "--dtype", "f8")
    assert s == {"count": 0, "min": None, "max": None, "mean": None, "sum": 0, "nan_count": 0}
    text = tool.run("stats", "f", "--dtype", "f8").stdout
    assert "mean" in text and "9.5" in text


def test_stats_refuses_complex(tool, tmp_path):
    raw(tmp_path, "z", np.zeros(3, "c8"))
    assert "z" in tool.fails("stats", "z", "--dtype", "c8").stderr


# ---- arithmetic

OPS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
       "minimum": np.minimum, "maximum": np.maximum}


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", ["<f4", ">f8", "<i4", "u1"])
def test_arithmetic_matches_numpy(tool, tmp_path, op, dtype):
    rng = np.random.default_rng(1)
    a = (rng.random(5000) * 100).astype(dtype)
    b = (rng.random(5000) * 100 + 1).astype(dtype)
    raw(tmp_path, "a", a)
    raw(tmp_path, "b", b)
    tool.run(op, "a", "b", "-o", "c", "--dtype", dtype, "--threads", "2")
    want = OPS[op](a, b)
    got = np.fromfile(tmp_path / "c", want.dtype.newbyteorder("="))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("op", OPS)
def test_arithmetic_with_a_scalar(tool, tmp_path, op):
    a = np.array([[1, -2, 3], [40, 50, -60]], "i2")
    raw(tmp_path, "a", a)
    tool.run(op, "a", "3", "-o", "c", "--dtype", "i2", "--shape", "2,3")
    want = OPS[op](a, np.int16(3))
    np.testing.assert_array_equal(np.fromfile(tmp_path / "c", want.dtype).reshape(2, 3), want)
    tool.run(op, "a", "2.5", "-o", "d", "--dtype", "i2", "--shape", "2,3")
    want = OPS[op](a, 2.5)
    assert want.dtype == np.float64
    np.testing.assert_array_equal(np.fromfile(tmp_path / "d", "f8").reshape(2, 3), want)


def test_arithmetic_promotes_like_numpy(tool, tmp_path):
    # The same --dtype applies to both raw inputs, so mixed dtypes are checked by wrapping
    # integers (u1 + u1) and with NaN propagation in min.
    a = np.array([250, 3], "u1")
    raw(tmp_path, "a", a)
    tool.run("add", "a", "a", "-o", "c", "--dtype", "u1")
    np.testing.assert_array_equal(np.fromfile(tmp_path / "c", "u1"), a + a)
    f = np.array([np.nan, 1.0, 5.0], "f4")
    raw(tmp_path, "f", f)
    tool.run("minimum", "f", "2", "-o", "m", "--dtype", "f4")
    np.testing.assert_array_equal(np.fromfile(tmp_path / "m", "f4"), np.minimum(f, 2))


def test_arithmetic_writes_no_progress_bar_to_a_pipe(tool, tmp_path):
    raw(tmp_path, "a", np.ones(100000, "f4"))
    done = tool.run("add", "a", "a", "-o", "c", "--dtype", "f4", "--memory-budget", "1M")
    assert done.stderr == "" and done.stdout == ""


def test_arithmetic_draws_a_progress_bar_on_a_terminal(tool, tmp_path):
    import subprocess
    raw(tmp_path, "a", np.ones(1 << 20, "f4"))
    leader, follower = pty.openpty()
    done = subprocess.run([tool.path, "mul", "a", "2", "-o", "c", "--dtype", "f4"],
                          cwd=tmp_path, stderr=follower, stdout=subprocess.DEVNULL, timeout=60)
    os.close(follower)
    drawn = b""
    try:
        while chunk := os.read(leader, 4096):
            drawn += chunk
    except OSError:
        pass
    os.close(leader)
    assert done.returncode == 0
    assert b"100%" in drawn and b"/s" in drawn and b"done in" in drawn


def test_arithmetic_errors_leave_nothing_behind(tool, tmp_path):
    raw(tmp_path, "a", np.ones(6, "f4"))
    raw(tmp_path, "b", np.ones(4, "f4"))
    err = tool.fails("add", "a", "b", "-o", "c", "--dtype", "f4").stderr
    assert "a" in err and "b" in err and "(6,)" in err and "(4,)" in err
    assert "nothere" in tool.fails("add", "a", "nothere", "-o", "c", "--dtype", "f4").stderr
    raw(tmp_path, "u", np.ones(3, "u1"))
    assert "uint8" in tool.fails("add", "u", "-1", "-o", "c", "--dtype", "u1").stderr
    assert not (tmp_path / "c").exists()
    (tmp_path / "c").write_bytes(b"old")
    assert "--force" in tool.fails("add", "a", "a", "-o", "c", "--dtype", "f4").stderr
    assert (tmp_path / "c").read_bytes() == b"old"
    tool.run("add", "a", "a", "-o", "c", "--dtype", "f4", "--force")
    np.testing.assert_array_equal(np.fromfile(tmp_path / "c", "f4"), np.full(6, 2, "f4"))
    raw(tmp_path, "t", np.ones(2, "?"))
    tool.fails("sub", "t", "t", "-o", "d", "--dtype", "bool")  # numpy refuses bool subtract
    np.save(tmp_path / "s.npy", np.array([b"ab"], "S2"))
    assert "S2" in tool.fails("add", "s.npy", "1", "-o", "d").stderr
    assert not (tmp_path / "d").exists()
    tool.run("add", "a", "b", expect=2)  # no -o
    tool.run("add", "a", "b", "-o", "c", "--threads", "0", expect=2)
    tool.run("add", "a", "b", "-o", "c", "--memory-budget", "lots", expect=2)


# ---- convert

def test_convert_swaps_byte_order(tool, tmp_path):
    a = np.arange(-5, 5, dtype="<i4").reshape(2, 5)
    raw(tmp_path, "a", a)
    tool.run("convert", "a", "--dtype", "<i4", "--shape", "2,5", "-o", "b", "--byteorder", "big")
    np.testing.assert_array_equal(np.fromfile(tmp_path / "b", ">i4").reshape(2, 5), a)
    assert (tmp_path / "b").read_bytes() == a.astype(">i4").tobytes()
    z = np.array([1 + 2j, -3.5j], "<c16")
    raw(tmp_path, "z", z)
    tool.run("convert", "z", "--dtype", "<c16", "-o", "zb", "--byteorder", "big")
    assert (tmp_path / "zb").read_bytes() == z.astype(">c16").tobytes()


def test_convert_casts_like_astype(tool, tmp_path):
    a = np.array([1.75, -2.5, 300.0, 1e10], ">f8")
    raw(tmp_path, "a", a)
    tool.run("convert", "a", "--dtype", ">f8", "-o", "b", "--to-dtype", "f4")
    np.testing.assert_array_equal(np.fromfile(tmp_path / "b", "f4"), a.astype("f4"))
    tool.run("convert", "a", "--dtype", ">f8", "-o", "c", "--to-dtype", "i2")
    np.testing.assert_array_equal(np.fromfile(tmp_path / "c", "i2"), [1, -2, 300, 32767])


def test_convert_fortran_input_to_c_order(tool, tmp_path):
    a = np.arange(6, dtype="u2").reshape(2, 3)
    (tmp_path / "f").write_bytes(a.tobytes(order="F"))
    tool.run("convert", "f", "--dtype", "u2", "--shape", "2,3", "--order", "F", "-o", "c")
    assert (tmp_path / "c").read_bytes() == a.tobytes()


def test_convert_errors(tool, tmp_path):
    raw(tmp_path, "a", np.ones(4, "f4"))
    (tmp_path / "b").write_bytes(b"old")
    tool.fails("convert", "a", "--dtype", "f4", "-o", "b")
    assert (tmp_path / "b").read_bytes() == b"old"
    tool.fails("convert", "nothere", "--dtype", "f4", "-o", "h")
    assert not (tmp_path / "h").exists()
    tool.run("convert", "a", "--dtype", "f4", "-o", "h", "--byteorder", "middle", expect=2)
    tool.run("convert", "a", "--dtype", "f4", "-o", "h", "--to", "csv", expect=2)
    tool.run("convert", "a", "--dtype", "f4", expect=2)


# ---- warm / evict

@pytest.mark.parametrize("sub", ["warm", "evict"])
def test_residency_reports_before_and_after(tool, tmp_path, sub):
    (tmp_path / "data").write_bytes(os.urandom(1 << 20))
    r = json.loads(tool.run(sub, "data", "--json").stdout)
    assert r["file"] == "data" and r["bytes"] == 1 << 20
    assert 0 <= r["resident_before"] <= r["bytes"] and 0 <= r["resident_after"] <= r["bytes"]
    if sub == "warm":
        assert r["resident_after"] == r["bytes"]
    r = json.loads(tool.run(sub, "data", "--json", "--range", "4K:64K").stdout)
    assert r["bytes"] == 60 << 10
    text = tool.run(sub, "data", "--range", ":8K").stdout
    assert "before" in text and "after" in text


@pytest.mark.parametrize("sub", ["warm", "evict"])
def test_residency_errors(tool, tmp_path, sub):
    (tmp_path / "data").write_bytes(b"x" * 100)
    assert "nothere" in tool.fails(sub, "nothere").stderr
    assert "data" in tool.fails(sub, "data", "--range", "0:1K").stderr
    tool.run(sub, "data", "--range", "50:10", expect=2)
    tool.run(sub, "data", "--range", "10", expect=2)
    tool.run(sub, "data", "--range", "a:b", expect=2)


def test_big_arrays_span_many_chunks(tool, tmp_path):
    # Larger than the engine's 4 MiB chunks, so that results from several chunks and threads
    # are merged; NaNs and a negative minimum sit in different chunks.
    a = np.arange(3_000_001, dtype="f4") * np.float32(0.5)
    a[10] = a[2_500_000] = np.nan
    a[2_999_999] = -7
    np.save(tmp_path / "a.npy", a)
    s = json.loads(tool.run("stats", "--json", "a.npy").stdout)
    assert s["count"] == a.size and s["nan_count"] == 2
    assert s["min"] == -7 and s["max"] == float(np.nanmax(a))
    assert s["sum"] == pytest.approx(float(np.nansum(a.astype("f8"))), rel=1e-12)
    tool.run("add", "a.npy", "a.npy", "-o", "c.npy", "--threads", "2", "--memory-budget", "8M")
    np.testing.assert_array_equal(np.load(tmp_path / "c.npy"), a + a)
    b = np.array([True, False, True, True])
    np.save(tmp_path / "b.npy", b)
    s = json.loads(tool.run("stats", "--json", "b.npy").stdout)
    assert s["sum"] == 3 and s["min"] == 0 and s["max"] == 1 and s["mean"] == 0.75


# ---- eval and the reductions

def test_eval_computes_an_expression_as_numpy(tool, tmp_path):
    rng = np.random.default_rng(2)
    a, b = rng.random((40, 30)).astype("f4"), rng.integers(-5, 5, 30).astype("i2")
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    tool.run("eval", "a*b + 2*sqrt(a)", "a=a.npy", "b=b.npy", "-o", "c.npy", "--threads", "2",
             "--memory-budget", "1M")
    want = a * b + 2 * np.sqrt(a)
    got = np.load(tmp_path / "c.npy")
    assert got.dtype == want.dtype  # float32: the weak 2 keeps it
    np.testing.assert_allclose(got, want, rtol=1e-6)
    tool.run("eval", "where(a > k, a, -1)", "a=a.npy", "k=0.5", "-o", "w.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "w.npy"), np.where(a > 0.5, a, np.float32(-1)))
    out = tool.run("eval", "sum(b * 3)", "b=b.npy").stdout.strip()
    assert out == str(np.sum(b * 3))
    err = tool.fails("eval", "a +* b", "a=a.npy", "b=b.npy", "-o", "x.npy").stderr
    assert "position" in err
    assert "nothere" in tool.fails("eval", "a + nothere", "a=a.npy", "-o", "x.npy").stderr
    assert "-o" in tool.fails("eval", "a + 1", "a=a.npy").stderr
    assert "not supported" in tool.fails("eval", "a // 1j", "a=a.npy", "-o", "i.npy").stderr
    assert not (tmp_path / "x.npy").exists() and not (tmp_path / "i.npy").exists()


@pytest.mark.parametrize("name", ["sum", "prod", "min", "max", "mean", "any", "all"])
def test_reductions_print_numpys_value(tool, tmp_path, name):
    a = np.arange(-6, 6, dtype="i2").reshape(3, 4)
    np.save(tmp_path / "a.npy", a)
    assert tool.run(name, "a.npy").stdout.strip() == str(getattr(np, name)(a))
    tool.run(name, "a.npy", "--axis", "1", "-o", "r.npy")
    want = getattr(np, name)(a, axis=1)
    got = np.load(tmp_path / "r.npy")
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want)
    assert "-o" in tool.fails(name, "a.npy", "--axis", "0").stderr


def test_reductions_take_an_accumulator_type(tool, tmp_path):
    a = np.full(1000, 100, "i1")
    np.save(tmp_path / "a.npy", a)
    assert tool.run("sum", "a.npy").stdout.strip() == "100000"
    assert tool.run("sum", "a.npy", "--as", "i1").stdout.strip() == str(np.sum(a, dtype="i1"))
    assert "axis" in tool.fails("sum", "a.npy", "--axis", "1", "-o", "x.npy").stderr


def test_short_names_of_the_operations(tool, tmp_path):
    a = np.arange(6, dtype="i4")
    np.save(tmp_path / "a.npy", a)
    for short, ufunc in (("sub", np.subtract), ("mul", np.multiply), ("div", np.divide)):
        tool.run(short, "a.npy", "2", "-o", short + ".npy")
        np.testing.assert_array_equal(np.load(tmp_path / (short + ".npy")), ufunc(a, 2))
