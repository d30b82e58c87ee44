"""Files and shared memory as numpy arrays: zero-copy, demand-paged, bigger than RAM.

Every function returns a plain numpy.ndarray whose data live in a mapped file (or shared
memory); its .base is a maparray.Mapping, which flushes, advises the kernel, and closes the
mapping safely: close() raises BufferError while any array still uses it, so no array ever
reads unmapped memory.

    import maparray
    a = maparray.map_file('x.f32', 'float32', shape=(-1, 24))   # read-write by default
    a[2, 3] = 7
    maparray.mapping_of(a).flush()                              # now on disk
    b = maparray.create('y.f64', 'float64', (1000, 1000))       # zero-filled, space reserved

numpy's names work as in numpy, with a file object or a descriptor wherever a file name goes:
maparray.memmap (numpy.memmap), maparray.open_memmap (numpy.lib.format.open_memmap),
maparray.load (numpy.load; .npz members stored without compression are mapped in place).

The original package's interface works too:

    myarray, mymmapobj, myfile = maparray.maparray('tmp.foo', 'f', (-1, 24))
    mymmapobj.flush()

Errors: OSError (with errno and filename) from the system, maparray.FormatError (a
ValueError) for malformed files, ValueError for impossible requests, BufferError for a refused
close().
"""

import os as _os

import numpy as _numpy

from ._maparray import FormatError, Mapping, atomic_add, compare_exchange, create, map_file
from ._maparray import append_npy, create_npy, open, remove_shared, shared
from ._maparray import add, divide, maximum, minimum, multiply, subtract
from ._maparray import max, mean, min, sum
from ._maparray import _array_from_buffer, _typecode_dtype
from ._maparray import __version__
from ._memmap import load, memmap, open_memmap
from ._npz import NpzFile, open_npz

memmap.__module__ = NpzFile.__module__ = __name__

# What `from maparray import *` gives: never names that would shadow Python's open, sum, min
# and max (use maparray.open, maparray.sum...).
__all__ = [
    "add", "divide", "maximum", "mean", "minimum", "multiply", "subtract",
    "FormatError", "Mapping", "NpzFile", "append_npy", "atomic_add", "compare_exchange",
    "create", "create_npy", "load", "map_file", "mapping_of", "maparray", "memmap",
    "open_memmap", "open_npz", "remove_shared", "shared",
]


def mapping_of(array):
    """The maparray.Mapping that holds `array`'s data, or None if there is none.

    Follows the chain of .base objects (views, memoryviews) down to the Mapping.
    """
    seen = 0
    base = array
    while base is not None and seen < 1000:
        if isinstance(base, Mapping):
            return base
        if isinstance(base, memoryview):
            base = base.obj
        else:
            base = getattr(base, "base", None)
        seen += 1
    return None


def _numeric_dtype(typecode):
    """A numpy dtype from a Numeric typecode, or from anything numpy.dtype() accepts."""
    if isinstance(typecode, str) and len(typecode) == 1:
        return _typecode_dtype(typecode)
    return _numpy.dtype(typecode)


def maparray(filename, typecode="l", shape=None):
    """Maps the file `filename` as an array, the original package's way.

    Returns (array, mapping, file): the numpy array (flattened unless `shape` is given; one
    dimension of `shape` may be -1), the maparray.Mapping behind it (mapping.flush() writes
    changes to the file) and the file, opened for reading and writing.

    typecode is a Numeric typecode: 'l' (C long, the default), 'i' (int32), 's' (int16), '1'
    (int8), 'b' (unsigned byte), 'w' (uint16), 'u' (uint32), 'f' (float32), 'd' (float64),
    'F' (complex64), 'D' (complex128), 'c' (1-byte string). Note that 'b' means an unsigned
    byte, as in Numeric, not numpy's signed one. Longer strings and numpy dtypes are passed
    to numpy.dtype().
    """
    dtype = _numeric_dtype(typecode)
    array = map_file(filename, dtype, (-1,) if shape is None else shape, mode="r+")
    mapping = mapping_of(array)
    fileobj = _os.fdopen(_os.dup(mapping.fileno()), "r+b")
    return array, mapping, fileobj
