"""What shell users expect of every subcommand: --version, usage errors that say where they come
from, --json everywhere, one rule for sizes, progress bars that count the right bytes."""
import json
import os
import pty
import subprocess

import numpy as np
import pytest

NON_ARITHMETIC = ["info", "create", "show", "stats", "convert", "append", "warm", "evict"]


def on_terminal(tool, *args):
    """Runs the tool with stderr on a pseudo-terminal; returns (exit status, what it drew)."""
    leader, follower = pty.openpty()
    done = subprocess.run([tool.path, *map(str, args)], cwd=tool.cwd, stderr=follower,
                          stdout=subprocess.DEVNULL, timeout=60)
    os.close(follower)
    drawn = b""
    try:
        while chunk := os.read(leader, 4096):
            drawn += chunk
    except OSError:
        pass
    os.close(leader)
    return done.returncode, drawn.decode(errors="replace")


# ---- --version, unknown subcommands, usage errors

def test_version(tool):
    out = tool.run("--version").stdout
    assert out == f"maparray {os.environ['MAPARRAY_VERSION']}\n"


def test_an_unknown_subcommand_is_named_with_the_list(tool):
    err = tool.run("frobnicate", "x", expect=2).stderr
    assert err.count("\n") == 1 and "'frobnicate'" in err
    for sub in NON_ARITHMETIC + ["add", "max"]:
        assert sub in err


@pytest.mark.parametrize("args", [
    ["info"],                                                   # FILE missing
    ["info", "x", "--frob"],                                    # unknown option
    ["create", "x", "--dtype", "f4", "--shape", ",,,"],
    ["create", "x", "--dtype", "f4", "--shape", "-1"],          # create needs every dimension
    ["show", "x", "--slice", "1:x"],
    ["warm", "x", "--range", "9:1"],
])
def test_usage_errors_name_the_subcommand(tool, args):
    err = tool.run(*args, expect=2).stderr
    assert err.startswith(f"maparray {args[0]}: ") and err.count("\n") == 1, err
    assert f"maparray {args[0]} --help" in err


# ---- info of several files

def test_info_reports_every_file_and_fails_at_the_end(tool, tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(3, "f4"))
    np.save(tmp_path / "c.npy", np.zeros((2, 2), "i8"))
    (tmp_path / "dir").mkdir()
    done = tool.run("info", "--json", "a.npy", "missing.npy", "c.npy", "dir", expect=1)
    files = [json.loads(line)["file"] for line in done.stdout.splitlines()]
    assert files == ["a.npy", "c.npy"]
    lines = done.stderr.splitlines()
    assert len(lines) == 2 and "missing.npy" in lines[0] and "dir" in lines[1]
    assert all(line.startswith("maparray info: ") for line in lines)
    text = tool.run("info", "a.npy", "c.npy").stdout
    assert "a.npy" in text and "c.npy" in text and "(2, 2)" in text


# ---- -o -

@pytest.mark.parametrize("args", [["convert", "a.npy", "-o", "-"],
                                  ["create", "-", "--dtype", "f4", "--shape", "3"]])
def test_standard_output_as_an_output_is_refused(tool, tmp_path, args):
    np.save(tmp_path / "a.npy", np.zeros(3, "f4"))
    err = tool.fails(*args).stderr
    assert "standard output" in err and "./-" in err
    assert not (tmp_path / "-").exists()


# ---- --json

def test_every_non_arithmetic_subcommand_speaks_json(tool, tmp_path):
    out = tool.run("create", "a.npy", "--dtype", "i2", "--shape", "2,3", "--fill", "4",
                   "--json").stdout
    assert json.loads(out) == {"file": "a.npy", "format": "npy", "dtype": "<i2",
                               "shape": [2, 3], "order": "C", "nbytes": 12}
    assert json.loads(tool.run("info", "a.npy", "--json").stdout)["shape"] == [2, 3]
    shown = json.loads(tool.run("show", "a.npy", "--json", "--slice", "1").stdout)
    assert shown == {"file": "a.npy", "dtype": "<i2", "shape": [3], "data": [4, 4, 4]}
    assert json.loads(tool.run("stats", "a.npy", "--json").stdout)["sum"] == 24
    out = tool.run("convert", "a.npy", "-o", "b.f8", "--dtype", "f8", "--json").stdout
    assert json.loads(out) == {"file": "b.f8", "input": "a.npy", "format": "raw",
                               "dtype": "<f8", "shape": [2, 3], "order": "C", "nbytes": 48}
    np.save(tmp_path / "more.npy", np.ones((1, 3), "<i2"))
    out = tool.run("append", "a.npy", "more.npy", "more.npy", "--json").stdout
    assert json.loads(out) == {"file": "a.npy", "shape": [4, 3], "appended_bytes": 12}
    for sub in ["warm", "evict"]:
        assert json.loads(tool.run(sub, "a.npy", "--json").stdout)["bytes"] > 0


def test_json_is_valid_utf8_for_any_file_name(tool, tmp_path):
    name = b"caf\xe9 \"quoted\"\n.npy"  # Latin-1, a quote and a newline
    np.save(os.path.join(tmp_path, os.fsdecode(name)), np.arange(3))
    done = subprocess.run([tool.path, "info", "--json", name], cwd=tmp_path,
                          capture_output=True, timeout=60)
    assert done.returncode == 0
    info = json.loads(done.stdout.decode("utf-8"))  # strict: raises on invalid UTF-8
    assert info["file"] == "caf\ufffd \"quoted\"\n.npy" and info["shape"] == [3]


def test_show_json_matches_numpy_tolist(tool, tmp_path):
    a = np.array([[1.5, -2], [np.inf, 3]], ">f4")
    np.save(tmp_path / "f.npy", a)
    assert json.loads(tool.run("show", "f.npy", "--json").stdout)["data"] == \
        [[1.5, -2.0], [None, 3.0]]
    r = np.array([(1, b"ab", [2.5, 3]), (-1, b"", [0, 1])],
                 dtype=[("n", "<i8"), ("s", "S3"), ("v", "<f4", (2,))])
    np.save(tmp_path / "r.npy", r)
    data = json.loads(tool.run("show", "r.npy", "--json").stdout)["data"]
    assert data == [{"n": 1, "s": "ab", "v": [2.5, 3.0]}, {"n": -1, "s": "", "v": [0.0, 1.0]}]
    z = np.array([1 + 2j, -0.5j], "c8")
    np.save(tmp_path / "z.npy", z)
    assert json.loads(tool.run("show", "z.npy", "--json").stdout)["data"] == \
        [[1.0, 2.0], [0.0, -0.5]]


def test_infinities_are_not_null_in_human_output(tool, tmp_path):
    np.save(tmp_path / "a.npy", np.array([1, np.inf, -np.inf, np.nan], "f8"))
    text = tool.run("stats", "a.npy").stdout
    assert "min        -inf" in text and "max        inf" in text and "nan_count  1" in text
    np.save(tmp_path / "f.npy", np.array([0.1, 2.5], "f4"))
    assert "min        0.1\n" in tool.run("stats", "f.npy").stdout  # float32's own digits


# ---- sizes

@pytest.mark.parametrize("text,bytes_", [
    ("100", 100), ("100B", 100), ("1K", 1024), ("1k", 1024), ("1Ki", 1024), ("1KiB", 1024),
    ("1KB", 1000), ("1.5K", 1536), ("0.5KiB", 512), ("1M", 1 << 20), ("1MB", 10**6),
    ("0.001K", 1), ("2.0009765625K", 2049), (".5K", 512),
])
def test_sizes_follow_one_rule(tool, tmp_path, text, bytes_):
    (tmp_path / "data").write_bytes(bytes(4 << 20))
    r = json.loads(tool.run("warm", "data", "--json", "--range", f"0:{text}").stdout)
    assert r["bytes"] == bytes_
    info = json.loads(tool.run("info", "data", "--json", "--dtype", "u1", "--offset",
                               text).stdout)
    assert info["offset"] == bytes_


@pytest.mark.parametrize("text", ["", "K", "1.2.3", "1Q", "-1", "1 K", "1KIB", "1e3",
                                  "99999999999T"])
def test_bad_sizes_are_usage_errors(tool, tmp_path, text):
    (tmp_path / "data").write_bytes(bytes(16))
    tool.run("info", "data", "--dtype", "u1", "--offset", text, expect=2)


# ---- progress bars

def test_progress_counts_the_bytes_of_each_operation(tool, tmp_path):
    a = np.arange(1 << 20, dtype="f4")  # 4 MiB
    np.save(tmp_path / "a.npy", a)
    runs = {
        "create": ["create", "c.npy", "--dtype", "f8", "--shape", "1048576", "--fill", "2"],
        "stats": ["stats", "a.npy"],
        "stats swapped": ["stats", "a.npy"],
        "warm": ["warm", "a.npy"],
        "convert": ["convert", "a.npy", "-o", "d.npy", "--dtype", "f8"],
        "append": ["append", "c.npy", "d.npy"],
    }
    sizes = {"create": "8.0 MiB", "stats": "4.0 MiB", "stats swapped": "4.0 MiB",
             "warm": "4.0 MiB", "convert": "4.0 MiB", "append": "8.0 MiB"}
    for name, args in runs.items():
        if name == "stats swapped":  # the converting loop, not the engine
            np.save(tmp_path / "a.npy", a.astype(">f4"))
        status, drawn = on_terminal(tool, *args)
        assert status == 0, (name, drawn)
        size = sizes[name]
        assert f"100% " in drawn and f"{size} of {size}" in drawn and "done in" in drawn, \
            (name, drawn)
    np.testing.assert_array_equal(np.load(tmp_path / "c.npy"),
                                  np.concatenate([np.full(1 << 20, 2.0), a]))


@pytest.mark.parametrize("args", [["stats", "a.npy"], ["warm", "a.npy"],
                                  ["convert", "a.npy", "-o", "b.npy"],
                                  ["create", "c.npy", "--dtype", "f4", "--shape", "9",
                                   "--fill", "1"]])
def test_no_progress_bar_on_a_pipe(tool, tmp_path, args):
    np.save(tmp_path / "a.npy", np.zeros(1 << 16, "f4"))
    assert tool.run(*args).stderr == ""


# ---- float16

def test_convert_to_float16_rounds_as_numpy(tool, tmp_path):
    values = np.array([0.1, 1 / 3, 65504, 65519.99, 65520, 1e6, -1e6, 2.0**-24, 2.0**-25,
                       3 * 2.0**-26, 2.0**-14 - 2.0**-26, 1 + 2.0**-11, 1 + 3 * 2.0**-11,
                       np.nan, np.inf, -np.inf, -0.0, 0.0, 5.960464477539063e-08, 1e-9], "f8")
    values.tofile(tmp_path / "v.f8")
    tool.run("convert", "v.f8", "--dtype", "f8", "-o", "h.npy", "--to-dtype", "float16")
    got = np.load(tmp_path / "h.npy")
    with np.errstate(over="ignore"):
        want = values.astype("f2")
    assert got.dtype == np.float16
    assert got.tobytes() == want.tobytes()
    ints = np.array([-70000, -3, 0, 2049, 70000], "<i4")
    np.save(tmp_path / "i.npy", ints)
    tool.run("convert", "i.npy", "-o", "ih.npy", "--dtype", ">f2")
    with np.errstate(over="ignore"):
        assert np.load(tmp_path / "ih.npy").tobytes() == ints.astype(">f2").tobytes()
    tool.run("convert", "h.npy", "-o", "back.npy", "--dtype", "f4")
    np.testing.assert_array_equal(np.load(tmp_path / "back.npy"), want.astype("f4"))


def test_float16_fill_stats_and_show(tool, tmp_path):
    tool.run("create", "h.npy", "--dtype", "float16", "--shape", "4", "--fill", "0.1")
    h = np.load(tmp_path / "h.npy")
    np.testing.assert_array_equal(h, np.full(4, 0.1, "f2"))
    s = tool.run("stats", "h.npy").stdout
    assert "min        0.1\n" in s and "max        0.1\n" in s
    assert tool.run("show", "h.npy").stdout == str(h) + "\n"
    for values in ([1.5, 2, 70000, -0.0], [1e-7, 3.14159, 65504], [0.333, np.nan, -np.inf]):
        with np.errstate(over="ignore"):
            a = np.array(values, "f2")
        np.save(tmp_path / "a.npy", a)
        assert tool.run("show", "a.npy").stdout == str(a) + "\n"


# ---- show of strings and records, as numpy prints them

SHOW_CASES = [
    np.array([b"a", b"abc", b"x\x00y", b"\xff", b"q'", b"q\"'"]),
    np.array(["a", "abc", "\u00e9'\"", "tab\there", "\x01", "\u00f1" * 40]),
    np.zeros(2, "V3"),
    np.array([(1, 2.5, b"x"), (-10, 3.25, b"yy")], dtype=[("x", "i4"), ("y", "f8"), ("z", "S2")]),
    np.array([(1,)], dtype=[("x", "i4")]),
    np.zeros((2, 2), dtype=[("a", "?"), ("c", "c8")]),
    np.array(["a" * 30] * 10),
    np.array(["xyz"] * 2000),
    np.array("abc"),
    np.array(b"abc"),
    np.array((1, 2.5), dtype=[("x", "i4"), ("y", "f8")]),
    np.array((True, 2.5), dtype=[("x", "?"), ("y", "f8")]),
    np.array([(1, [[1, 2], [3, 4]]), (2, [[5, 6], [7, 8]])],
             dtype=[("a", "u1"), ("b", ">i2", (2, 2))]),
    np.array([(1, (2, 3.5))], dtype=[("a", "i1"), ("b", [("c", "u2"), ("d", "f4")])]),
    np.array(["ab", "c"], ">U2"),
]


@pytest.mark.parametrize("case", range(len(SHOW_CASES)))
def test_show_prints_strings_and_records_like_numpy(tool, tmp_path, case):
    a = SHOW_CASES[case]
    np.save(tmp_path / "a.npy", a)
    assert tool.run("show", "a.npy").stdout == str(a) + "\n"


def test_show_of_raw_strings_and_records(tool, tmp_path):
    a = np.array([b"ab", b"cd", b"e"], "S2")
    a.tofile(tmp_path / "s")
    assert tool.run("show", "s", "--dtype", "S2").stdout == str(a) + "\n"
    r = np.array([(1, 2.5), (3, 4.5)], dtype=[("x", "<u2"), ("y", "<f4")])
    r.tofile(tmp_path / "r")
    out = tool.run("show", "r", "--dtype", "[('x', '<u2'), ('y', '<f4')]").stdout
    assert out == str(r) + "\n"
    assert "not numeric" in tool.run("stats", "r", "--dtype", "S2", expect=2).stderr
    np.save(tmp_path / "r.npy", r)
    assert "real numbers" in tool.fails("stats", "r.npy").stderr


# ---- shapes and slices (usage errors, exit 2)

@pytest.mark.parametrize("shape", ["", ",,,", "(((", ",", "(3", "3)", "((3))", "3,,4", "3 4",
                                   "()()", "(,)"])
def test_malformed_shapes_are_usage_errors(tool, shape):
    tool.run("create", "x.npy", "--dtype", "f4", "--shape", shape, expect=2)


@pytest.mark.parametrize("shape,want", [("()", ()), ("(3,)", (3,)), ("3,", (3,)),
                                        (" ( 2 , 3 ) ", (2, 3)), ("2,3", (2, 3))])
def test_shapes_in_numpy_spelling(tool, tmp_path, shape, want):
    tool.run("create", "x.npy", "--dtype", "f4", "--shape", shape)
    assert np.load(tmp_path / "x.npy").shape == want


@pytest.mark.parametrize("spec", ["1:x", "::0", "1:2:3:4", ",", "1,,2", "", "a", "1.5"])
def test_malformed_slices_are_usage_errors(tool, tmp_path, spec):
    np.save(tmp_path / "a.npy", np.zeros((4, 4)))
    tool.run("show", "a.npy", "--slice", spec, expect=2)


@pytest.mark.parametrize("spec", ["::9223372036854775807", "::-9223372036854775808",
                                  "-9223372036854775808:9223372036854775807",
                                  "9223372036854775807::-2"])
def test_extreme_slices_match_numpy(tool, tmp_path, spec):
    a = np.arange(10, dtype="i2")
    np.save(tmp_path / "a.npy", a)
    parts = [int(x) if x else None for x in spec.split(":")]
    assert tool.run("show", "a.npy", "--slice", spec).stdout == str(a[slice(*parts)]) + "\n"
    tool.fails("show", "a.npy", "--slice", "-9223372036854775808")


def test_show_of_random_floats_matches_numpy(tool, tmp_path):
    # Scientific notation pads with the value's own digits (numpy's min_digits), float16 with
    # float16's shortest digits.
    rng = np.random.default_rng(0)
    for _ in range(60):
        dtype = rng.choice(["f2", "f4", "f8", "c8", "c16"])
        n = rng.integers(1, 8)
        with np.errstate(over="ignore"):
            a = (rng.standard_normal(n) * 10.0 ** rng.integers(-9, 9, n)).astype(dtype)
        np.save(tmp_path / "a.npy", a)
        assert tool.run("show", "a.npy").stdout == str(a) + "\n"
