"""maparray info on .npz archives: every member, where its data lies, compressed ones named."""
import json

import numpy as np


def test_info_of_a_savez_archive(tool, tmp_path):
    a = np.arange(6, dtype="<i8").reshape(2, 3)
    f = np.asfortranarray(np.ones((2, 2), ">f4"))
    np.savez(tmp_path / "s.npz", a=a, f=f, empty=np.zeros(0, "u1"))
    info = json.loads(tool.run("info", "--json", "s.npz").stdout)
    assert info["file"] == "s.npz" and info["format"] == "npz"
    members = {m["key"]: m for m in info["members"]}
    assert list(members) == ["a", "f", "empty"]
    assert members["a"]["dtype"] == "<i8" and members["a"]["shape"] == [2, 3]
    assert members["f"]["order"] == "F" and members["f"]["dtype"] == ">f4"
    assert members["empty"]["nbytes"] == 0
    # The offset is where the data lies in the archive: the bytes there are numpy's.
    raw = (tmp_path / "s.npz").read_bytes()
    start = members["a"]["offset"]
    assert raw[start:start + 48] == a.tobytes()
    text = tool.run("info", "s.npz").stdout
    assert "npz, 3 members" in text and "a: <i8 (int64), shape (2, 3)" in text


def test_info_names_compressed_members(tool, tmp_path):
    np.savez_compressed(tmp_path / "c.npz", x=np.arange(1000))
    member = json.loads(tool.run("info", "--json", "c.npz").stdout)["members"][0]
    assert member["compression"] == "deflate" and member["size"] > member["compressed_size"]
    assert "dtype" not in member
    assert "compressed (deflate)" in tool.run("info", "c.npz").stdout


def test_info_of_a_malformed_archive_is_a_user_error(tool, tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04" + bytes(40))
    err = tool.fails("info", "bad.npz").stderr
    assert "bad.npz" in err and "ZIP" in err
    np.savez(tmp_path / "s.npz", a=np.arange(3))
    tool.fails("info", "s.npz", "--dtype", "f4")
