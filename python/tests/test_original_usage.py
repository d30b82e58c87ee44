"""The original package's usage text, run as written (numpy's tobytes() for Numeric's
tostring(), which Python 3's numpy no longer has)."""

import numpy
import pytest

import arrayfrombuffer
import maparray as maparray_module

somenumericarray = numpy.arange(24 * 8, dtype=numpy.int_)


def test_usage_text():
    # To create the array file on disk:
    open('tmp.foo', 'wb').write(somenumericarray.tobytes())
    # To load it back in as type 'l', flattened:
    import maparray
    myarray, mymmapobj, myfile = maparray.maparray('tmp.foo')
    # Now myarray is a perfectly ordinary array whose data just happens to be stored in the
    # file 'tmp.foo'.
    assert type(myarray) is numpy.ndarray
    assert myarray.dtype == numpy.dtype('l')
    assert numpy.array_equal(myarray, somenumericarray)

    # If you want a different data type, you can specify it:
    myarray, mymmapobj, myfile = maparray.maparray('tmp.foo', 'f')
    assert myarray.dtype == numpy.float32 and myarray.shape == (24 * 16,)
    myarray, mymmapobj, myfile = maparray.maparray('tmp.foo', typecode='f')
    assert numpy.array_equal(myarray.view(numpy.uint8), somenumericarray.view(numpy.uint8))

    # You can specify a shape as well:
    myarray, mymmapobj, myfile = maparray.maparray('tmp.foo', 'f', (-1, 24))
    assert myarray.shape == (16, 24) and myarray.dtype == numpy.float32
    myarray, mymmapobj, myfile = maparray.maparray('tmp.foo', shape=(-1, 24))
    assert myarray.shape == (8, 24)
    assert numpy.array_equal(myarray, somenumericarray.reshape(-1, 24))

    # If you make changes via myarray and you want them reflected in the file before you
    # delete all references to the mmap object and the array, do this:
    myarray[3, 5] = -12345
    mymmapobj.flush()
    assert numpy.fromfile('tmp.foo', dtype=numpy.int_)[3 * 24 + 5] == -12345
    # The file is the one mapped: reading it sees the change too.
    myfile.seek((3 * 24 + 5) * somenumericarray.itemsize)
    assert numpy.frombuffer(myfile.read(somenumericarray.itemsize), numpy.int_)[0] == -12345


def test_returned_parts():
    somenumericarray.tofile('tmp.foo')
    myarray, mymmapobj, myfile = maparray_module.maparray('tmp.foo')
    assert myarray.base is mymmapobj
    assert isinstance(mymmapobj, maparray_module.Mapping)
    assert myfile.writable() and myfile.readable()
    myfile.close()
    # Closing the file does not unmap the array, and closing the mapping is refused.
    assert myarray[7] == 7
    with pytest.raises(BufferError):
        mymmapobj.close()
    del myarray
    mymmapobj.close()


@pytest.mark.parametrize("code, expected", [
    ('c', 'S1'), ('b', 'u1'), ('1', 'i1'), ('s', 'i2'), ('w', 'u2'), ('i', 'i4'),
    ('u', 'u4'), ('l', 'l'), ('f', 'f4'), ('d', 'f8'), ('F', 'c8'), ('D', 'c16')])
def test_numeric_typecodes(code, expected):
    numpy.zeros(16, numpy.uint8).tofile('codes.bin')
    array, mapping, f = maparray_module.maparray('codes.bin', code)
    f.close()
    assert array.dtype == numpy.dtype(expected)
    assert array.nbytes == 16


def test_unknown_typecode():
    numpy.zeros(16, numpy.uint8).tofile('codes.bin')
    with pytest.raises(ValueError):
        maparray_module.maparray('codes.bin', 'Q')


def test_shape_that_does_not_divide():
    numpy.zeros(10, numpy.int64).tofile('ten.bin')
    with pytest.raises(ValueError):
        maparray_module.maparray('ten.bin', shape=(-1, 3))


def test_arrayfrombuffer_over_mmap():
    import mmap
    somenumericarray.tofile('tmp.foo')
    with open('tmp.foo', 'r+b') as f:
        m = mmap.mmap(f.fileno(), 0)
        a = arrayfrombuffer.arrayfrombuffer(m)
        assert numpy.array_equal(a, somenumericarray)
        a[0] = 99
        assert m[:8] == numpy.array([99], numpy.int_).tobytes()
        # The wish list: closing the mmap object while the array lives must not crash.
        with pytest.raises(BufferError):
            m.close()
        del a
        m.close()


def test_arrayfrombuffer_read_only_and_writable_buffers():
    data = bytearray(numpy.arange(8, dtype='d').tobytes())
    a = arrayfrombuffer.arrayfrombuffer(data, 'd')
    assert a.flags.writeable
    a[1] = 5.0
    assert numpy.frombuffer(bytes(data), 'd')[1] == 5.0
    with pytest.raises(BufferError):
        data.extend(b'x')  # the export pins the bytearray's storage

    frozen = bytes(16)
    b = arrayfrombuffer.arrayfrombuffer(frozen, 'f')
    assert not b.flags.writeable and b.shape == (4,)
    with pytest.raises(ValueError):
        b[0] = 1
    with pytest.raises(ValueError):
        b.flags.writeable = True
    with pytest.raises(ValueError):
        arrayfrombuffer.arrayfrombuffer(bytes(7), 'f')
