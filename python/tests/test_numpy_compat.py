"""Code written for numpy.memmap, numpy.lib.format.open_memmap and numpy.load(mmap_mode=...)
runs on maparray by changing the module name: the same calls give the same arrays, attributes
and behaviour, checked side by side with numpy itself."""

import os
import pickle

import numpy as np
import pytest

import maparray


@pytest.fixture
def raw_file():
    np.arange(48, dtype="<f4").tofile("data.f4")
    return "data.f4"


def both(*args, **kwargs):
    return np.memmap(*args, **kwargs), maparray.memmap(*args, **kwargs)


# ---- numpy.memmap

@pytest.mark.parametrize("kwargs", [
    dict(dtype="f4", mode="r"),
    dict(dtype="f4", mode="r+", shape=(12, 4)),
    dict(dtype="f4", mode="c", shape=(4, 12), order="F"),
    dict(dtype="<i2", mode="r", offset=6),
    dict(dtype=np.uint8, mode="readonly", offset=3, shape=(5,)),
    dict(dtype=np.dtype(("f4", (4,))), mode="r"),
    dict(dtype=[("a", "<u2"), ("b", "<f4")], mode="r", offset=6),
    dict(mode="r"),
])
def test_memmap_matches_numpy(raw_file, kwargs):
    theirs, ours = both(raw_file, **kwargs)
    assert type(ours) is maparray.memmap and isinstance(ours, np.ndarray)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert ours.strides == theirs.strides
    np.testing.assert_array_equal(ours, theirs)
    assert ours.filename == theirs.filename == os.path.abspath(raw_file)
    assert ours.offset == theirs.offset and ours.mode == theirs.mode
    assert ours.flags.writeable == theirs.flags.writeable
    assert isinstance(ours.base, maparray.Mapping)


def test_writes_through_r_plus_reach_the_file_after_flush(raw_file):
    theirs, ours = both(raw_file, dtype="f4", mode="r+", shape=(12, 4))
    ours[1, 2] = -5
    ours.flush()  # as numpy users write it
    assert theirs[1, 2] == -5
    view = ours[3:5]
    assert type(view) is maparray.memmap and view.filename == ours.filename
    view[0, 0] = 77
    view.flush()  # a view flushes the mapping, as numpy's does
    assert np.fromfile(raw_file, "f4")[12] == 77


def test_copy_on_write_stays_private(raw_file):
    theirs, ours = both(raw_file, dtype="f4", mode="c")
    ours[0] = 1000
    theirs[1] = 1000
    ours.flush()
    fresh = np.fromfile(raw_file, "f4")
    assert fresh[0] == 0 and fresh[1] == 1


def test_results_of_operations_are_plain_arrays(raw_file):
    theirs, ours = both(raw_file, dtype="f4", mode="r", shape=(12, 4))
    for op in (lambda m: m + 1, lambda m: np.sqrt(m), lambda m: m[[0, 2]], lambda m: m.copy(),
               lambda m: m[m > 3]):
        # Plain arrays where numpy gives plain arrays, memmaps where numpy gives memmaps.
        assert (type(op(ours)) is np.ndarray) == (type(op(theirs)) is np.ndarray)
        np.testing.assert_array_equal(op(ours), op(theirs))
    assert type(ours.sum()) is type(theirs.sum()) and ours.sum() == theirs.sum()
    assert type(ours[1:3]) is maparray.memmap and type(theirs[1:3]) is np.memmap
    assert type(ours.sum(axis=0)) is np.ndarray
    # A memmap given as out stays one.
    out = maparray.memmap("out.f4", dtype="f4", mode="w+", shape=(12, 4))
    assert np.add(ours, 1, out=out) is out


def test_mode_w_plus_creates_and_replaces(raw_file):
    theirs = np.memmap("n.f8", dtype="f8", mode="w+", shape=(3, 2), offset=5)
    ours = maparray.memmap("m.f8", dtype="f8", mode="w+", shape=(3, 2), offset=5)
    assert os.path.getsize("m.f8") == os.path.getsize("n.f8") == 5 + 48
    assert ours.offset == 5 and ours.mode == "w+" and not ours.any()
    ours[:] = 1.5
    ours.flush()
    np.testing.assert_array_equal(np.fromfile("m.f8", "f8", offset=5).reshape(3, 2), 1.5)
    # An existing file is replaced whole, as numpy truncates it.
    again = maparray.memmap(raw_file, dtype="u1", mode="write", shape=(4,))
    assert os.path.getsize(raw_file) == 4 and not again.any()
    with pytest.raises(ValueError, match="shape must be given"):
        maparray.memmap("x", mode="w+")


def test_mode_r_plus_grows_a_short_file_as_numpy_does(raw_file):
    np.memmap(raw_file, dtype="f4", mode="r+", shape=(20, 4))
    numpy_size = os.path.getsize(raw_file)
    np.arange(48, dtype="<f4").tofile(raw_file)
    ours = maparray.memmap(raw_file, dtype="f4", mode="r+", shape=(20, 4))
    assert os.path.getsize(raw_file) == numpy_size == 320
    np.testing.assert_array_equal(ours[:12].ravel(), np.arange(48))
    assert not ours[12:].any()
    with pytest.raises(ValueError):  # read-only modes never grow a file
        maparray.memmap(raw_file, dtype="f4", mode="r", shape=(100, 4))
    # The new blocks are reserved, not left as a hole (numpy writes one byte at the end).
    maparray.memmap(raw_file, dtype="f4", mode="r+", shape=(1 << 18, 4))
    assert os.stat(raw_file).st_blocks * 512 >= 4 << 20


def test_file_objects_and_descriptors(raw_file):
    with open(raw_file, "r+b") as f:
        theirs, ours = both(f, dtype="f4", mode="r+", shape=(12, 4))
        assert ours.filename == theirs.filename == os.path.abspath(raw_file)
        np.testing.assert_array_equal(ours, theirs)
    fd = os.open(raw_file, os.O_RDONLY)
    try:
        by_fd = maparray.memmap(fd, dtype="f4", mode="r")
        assert by_fd.filename is None and by_fd.shape == (48,)
        assert maparray.mapping_of(by_fd).path == os.path.abspath(raw_file)
        assert maparray.map_file(fd, "f4", mode="r")[5] == 5
    finally:
        os.close(fd)
    assert by_fd[47] == 47  # the mapping has its own descriptor
    # Writes buffered by a file object are in the file when it is mapped.
    with open("buffered.bin", "wb+") as f:
        f.write(np.arange(4, dtype="u1").tobytes())
        assert list(maparray.memmap(f, mode="r")) == [0, 1, 2, 3]


def test_memmap_errors(raw_file):
    with pytest.raises(FileNotFoundError):
        maparray.memmap("missing", mode="r")
    with pytest.raises(ValueError, match="mode"):
        maparray.memmap(raw_file, mode="x")
    with pytest.raises(ValueError):
        maparray.memmap(raw_file, dtype="f4", mode="r", offset=-1)
    with pytest.raises(ValueError):  # 192 bytes are not a whole number of 7-byte elements
        maparray.memmap(raw_file, dtype="V7", mode="r")
    with pytest.raises(TypeError):
        maparray.memmap(3.5, mode="r")
    np.save("a.npy", np.zeros(4))
    with pytest.raises(maparray.FormatError, match="offset=128"):
        maparray.memmap("a.npy", dtype="f8", mode="r")
    np.testing.assert_array_equal(maparray.memmap("a.npy", dtype="f8", mode="r", offset=128),
                                  np.zeros(4))


def test_closing_the_mapping_is_refused_while_a_memmap_lives(raw_file):
    ours = maparray.memmap(raw_file, dtype="f4", mode="r")
    mapping = ours.base
    view = ours[10:]
    del ours
    with pytest.raises(BufferError):
        mapping.close()
    assert view[0] == 10
    del view
    mapping.close()


def test_pickling_gives_the_values(raw_file):
    ours = maparray.memmap(raw_file, dtype="f4", mode="r", shape=(12, 4))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(ours)), ours)


# ---- numpy.lib.format.open_memmap

@pytest.mark.parametrize("mode", ["r", "r+", "c"])
@pytest.mark.parametrize("fortran", [False, True])
def test_open_memmap_matches_numpy(mode, fortran):
    a = np.arange(12, dtype=">i4").reshape(3, 4)
    np.save("a.npy", np.asfortranarray(a) if fortran else a)
    theirs = np.lib.format.open_memmap("a.npy", mode=mode)
    ours = maparray.open_memmap("a.npy", mode=mode)
    assert type(ours) is maparray.memmap
    assert ours.dtype == theirs.dtype and ours.strides == theirs.strides
    np.testing.assert_array_equal(ours, theirs)
    assert (ours.filename, ours.offset, ours.mode) == (theirs.filename, theirs.offset, theirs.mode)
    assert ours.flags.writeable == theirs.flags.writeable


def test_open_memmap_creates_what_numpy_creates():
    theirs = np.lib.format.open_memmap("n.npy", mode="w+", dtype="<f8", shape=(2, 3),
                                       fortran_order=True)
    ours = maparray.open_memmap("m.npy", mode="w+", dtype="<f8", shape=(2, 3),
                                fortran_order=True)
    theirs[:] = ours[:] = [[1, 2, 3], [4, 5, 6]]
    theirs.flush()
    ours.flush()
    assert open("m.npy", "rb").read() == open("n.npy", "rb").read()
    assert (ours.mode, ours.offset) == (theirs.mode, theirs.offset) == ("r+", 128)
    assert maparray.open_memmap("v.npy", mode="w+", dtype="u1", shape=4, version=(1, 0)).shape \
        == (4,)
    with pytest.raises(ValueError, match="version"):
        maparray.open_memmap("v.npy", mode="w+", dtype="u1", shape=4, version=(2, 0))


# ---- numpy.load

def test_load_with_mmap_mode_matches_numpy():
    a = np.arange(20, dtype="<u2").reshape(4, 5)
    np.save("a.npy", a)
    for mode in ["r", "r+", "c", "readonly"]:
        theirs = np.load("a.npy", mmap_mode=mode)
        ours = maparray.load("a.npy", mmap_mode=mode)
        assert type(ours) is maparray.memmap
        np.testing.assert_array_equal(ours, theirs)
        assert ours.mode == theirs.mode and ours.offset == theirs.offset
    copy = maparray.load("a.npy")
    assert type(copy) is np.ndarray and copy.base is None
    np.testing.assert_array_equal(copy, a)


def test_load_streams_as_numpy_and_refuses_pickles():
    with open("two.npy", "wb") as f:
        np.save(f, np.arange(3))
        np.save(f, np.arange(4))
    with open("two.npy", "rb") as f:
        assert maparray.load(f).shape == (3,) and maparray.load(f).shape == (4,)
        with pytest.raises(ValueError, match="start"):
            maparray.load(f, mmap_mode="r")
    with open("p.pkl", "wb") as f:
        pickle.dump({"x": 1}, f)
    with pytest.raises(ValueError, match="allow_pickle"):
        maparray.load("p.pkl")
    assert maparray.load("p.pkl", allow_pickle=True) == {"x": 1}
    fd = os.open("two.npy", os.O_RDONLY)
    try:
        assert maparray.load(fd, mmap_mode="r").shape == (3,)
    finally:
        os.close(fd)


# ---- .npz

@pytest.fixture
def archive():
    values = {"a": np.arange(6, dtype="<i8").reshape(2, 3),
              "f": np.asfortranarray(np.ones((3, 2), ">f4")),
              "s": np.array([b"ab", b"c"]),
              "r": np.array([(1, 2.5)], dtype=[("x", "<i2"), ("y", "<f8")]),
              "z": np.zeros((0, 4))}
    np.savez("x.npz", **values)
    return values


def test_npz_members_are_mapped_in_place(archive):
    theirs = np.load("x.npz")
    with maparray.load("x.npz", mmap_mode="r") as ours:
        assert isinstance(ours, maparray.NpzFile)
        assert ours.files == theirs.files == list(archive)
        for key in archive:
            np.testing.assert_array_equal(ours[key], theirs[key])
            assert ours[key].dtype == theirs[key].dtype
            assert ours[key + ".npy"].strides == theirs[key].strides
        a = ours["a"]
    # Zero-copy: a's bytes lie inside the archive's one mapping, and it outlives close().
    mapping = a.base
    assert isinstance(mapping, maparray.Mapping) and mapping.path == os.path.abspath("x.npz")
    start = np.frombuffer(mapping, np.uint8).ctypes.data
    assert start <= a.ctypes.data < start + mapping.size
    assert not a.flags.writeable
    np.testing.assert_array_equal(a, archive["a"])


def test_npz_without_mmap_mode_copies_as_numpy(archive):
    ours = maparray.load("x.npz")
    a = ours["a"]
    assert a.base is None and a.flags.writeable
    assert "a" in ours and "a.npy" in ours and "b" not in ours
    assert len(ours) == 5 and sorted(ours) == sorted(archive)
    np.testing.assert_array_equal(ours.f.a, archive["a"])
    with pytest.raises(KeyError):
        ours["b"]


def test_npz_copy_on_write_is_private(archive):
    ours = maparray.load("x.npz", mmap_mode="c")
    a = ours["a"]
    a[0, 0] = 99
    assert np.load("x.npz")["a"][0, 0] == 0
    with pytest.raises(ValueError, match="CRC"):
        maparray.load("x.npz", mmap_mode="r+")


def test_npz_compressed_and_other_members():
    import zipfile
    np.savez_compressed("c.npz", big=np.arange(1000), small=np.ones(2))
    ours = maparray.load("c.npz", mmap_mode="r")
    np.testing.assert_array_equal(ours["big"], np.arange(1000))
    assert ours["big"].base is None  # read into memory: it cannot be mapped
    with zipfile.ZipFile("mixed.npz", "w") as z:
        z.writestr("notes.txt", b"hello")
        with z.open("a.npy", "w", force_zip64=True) as f:  # as numpy.savez writes members
            np.lib.format.write_array(f, np.arange(5))
        z.writestr("packed.npy", np.lib.format.header_data_from_array_1_0(np.arange(2)) and
                   open_npy_bytes(np.arange(2)), compress_type=zipfile.ZIP_DEFLATED)
    mixed = maparray.load("mixed.npz", mmap_mode="r")
    theirs = np.load("mixed.npz")
    assert mixed.files == theirs.files == ["notes.txt", "a", "packed"]
    assert mixed["notes.txt"] == theirs["notes.txt"] == b"hello"
    np.testing.assert_array_equal(mixed["a"], np.arange(5))
    assert isinstance(mixed["a"].base, maparray.Mapping)
    np.testing.assert_array_equal(mixed["packed"], np.arange(2))


def open_npy_bytes(array):
    import io
    stream = io.BytesIO()
    np.save(stream, array)
    return stream.getvalue()


def test_npz_errors():
    with open("bad.npz", "wb") as f:
        f.write(b"PK\x03\x04" + bytes(60))
    with pytest.raises(maparray.FormatError, match="bad.npz"):
        maparray.load("bad.npz", mmap_mode="r")
    np.savez("x.npz", a=np.arange(2))
    npz = maparray.load("x.npz", mmap_mode="r")
    npz.close()
    with pytest.raises(ValueError, match="closed"):
        npz["a"]
    with open("x.npz", "rb") as f:
        assert list(maparray.NpzFile(f, mmap_mode="r")["a"]) == [0, 1]


# ---- what `from maparray import *` gives, the version, paths

def test_star_import_shadows_no_builtins():
    names = {}
    exec("from maparray import *", names)
    for builtin in ("open", "sum", "min", "max"):
        assert builtin not in names
    assert "memmap" in names and "load" in names and "map_file" in names
    assert maparray.sum is not sum and maparray.open is not open


def test_version_is_the_projects():
    assert maparray.__version__ == os.environ.get("MAPARRAY_VERSION", maparray.__version__)
    parts = maparray.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_mapping_path_is_absolute_and_stays_right(raw_file, tmp_path):
    a = maparray.map_file(raw_file, "f4", mode="r")
    os.chdir("/")
    assert a.base.path == str(tmp_path / raw_file)
    m = maparray.Mapping(str(tmp_path / raw_file))
    assert m.path == str(tmp_path / raw_file)


def test_a_npy_file_is_never_read_as_raw():
    np.save("a.npy", np.arange(4.0))
    with pytest.raises(maparray.FormatError, match="maparray.open"):
        maparray.open("a.npy", dtype="f8")
    with pytest.raises(maparray.FormatError):
        maparray.map_file("a.npy", "f8")
    with pytest.raises(maparray.FormatError):
        maparray.map_file("a.npy", "u1", offset=100)
    np.testing.assert_array_equal(maparray.map_file("a.npy", "f8", mode="r", offset=128),
                                  np.arange(4.0))
    np.testing.assert_array_equal(maparray.open("a.npy"), np.arange(4.0))
