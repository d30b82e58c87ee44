"""How failures surface: OSError with errno and filename, FormatError, ValueError, TypeError."""

import errno
import os

import numpy as np
import pytest

import maparray


def test_missing_file_is_file_not_found():
    with pytest.raises(FileNotFoundError) as caught:
        maparray.map_file("no/such.bin", "f4")
    assert caught.value.errno == errno.ENOENT
    assert caught.value.filename == "no/such.bin"


def test_directory_is_an_os_error():
    os.mkdir("dir")
    with pytest.raises(OSError) as caught:
        maparray.map_file("dir", "f4")
    assert caught.value.errno == errno.EISDIR and caught.value.filename == "dir"


def test_existing_file_on_create():
    open("x.bin", "wb").close()
    with pytest.raises(FileExistsError) as caught:
        maparray.create("x.bin", "u1", 3)
    assert caught.value.errno == errno.EEXIST


def test_format_error_is_a_value_error():
    assert issubclass(maparray.FormatError, ValueError)


def test_dtype_error_is_a_type_error_and_a_value_error():
    assert issubclass(maparray.DTypeError, TypeError)
    assert issubclass(maparray.DTypeError, ValueError)
    assert not issubclass(maparray.DTypeError, maparray.FormatError)
    with pytest.raises(maparray.DTypeError, match="floor_divide"):
        maparray.floor_divide(np.ones(2, complex), 2)


def test_object_dtype_is_refused():
    np.zeros(4, np.int64).tofile("p.bin")
    with pytest.raises(TypeError):
        maparray.map_file("p.bin", object)
    with pytest.raises(TypeError):
        maparray.map_file("p.bin", [("x", "i8"), ("o", "O")])


def test_zero_size_dtype_is_refused():
    np.zeros(4, np.int64).tofile("p.bin")
    with pytest.raises(ValueError):
        maparray.map_file("p.bin", "V0")


def test_impossible_shapes():
    np.zeros(10, np.int64).tofile("p.bin")
    with pytest.raises(ValueError):
        maparray.map_file("p.bin", "i8", (-1, -1))
    with pytest.raises(ValueError):
        maparray.map_file("p.bin", "i8", (20,))
    with pytest.raises(ValueError):
        maparray.map_file("p.bin", "i8", offset=-1)
    with pytest.raises(ValueError):
        maparray.map_file("p.bin", "i8", offset=81)
    with pytest.raises(TypeError):
        maparray.map_file("p.bin", "i8", shape=1.5)
    with pytest.raises((OverflowError, ValueError)):
        maparray.create("huge.bin", "i8", (2**40, 2**40))
    assert not os.path.exists("huge.bin")


def test_unknown_order():
    np.zeros(10, np.int64).tofile("p.bin")
    with pytest.raises(ValueError):
        maparray.map_file("p.bin", "i8", order="K")
