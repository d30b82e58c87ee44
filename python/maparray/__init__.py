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

maparray.dask (an optional module; it needs Dask) makes files into Dask arrays whose tasks
map their own chunks, and writes Dask arrays into .npy files chunk by chunk.

Errors: OSError (with errno and filename) from the system, maparray.FormatError (a
ValueError) for malformed files, maparray.DTypeError (a TypeError and a ValueError) for a dtype
other than a file's or one an operation does not take, ValueError for impossible requests,
BufferError for a refused close().
"""

import os as _os
import sys as _sys

import numpy as _numpy

from ._maparray import DTypeError, FormatError, Mapping, atomic_add, compare_exchange, create
from ._maparray import map_file
from ._maparray import append_npy, create_npy, map_block, npy_header, open, read_block
from ._maparray import remove_shared, shared, write_block
from ._maparray import _array_from_buffer, _typecode_dtype, _evaluate, result_type
from ._maparray import __version__
from ._memmap import load, memmap, open_memmap
from ._npz import NpzFile, open_npz
from . import _maparray

memmap.__module__ = NpzFile.__module__ = __name__

# The elementwise operations (numpy's ufuncs of the same names) and the reductions.
_UFUNCS = (
    "add", "subtract", "multiply", "divide", "floor_divide", "remainder", "fmod", "power",
    "negative", "positive", "absolute", "square", "sign", "minimum", "maximum", "fmin", "fmax",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_xor", "logical_not", "where", "bitwise_and", "bitwise_or",
    "bitwise_xor", "invert", "left_shift", "right_shift", "isnan", "isinf", "isfinite", "floor",
    "ceil", "trunc", "rint", "copysign", "sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2",
    "log10", "log1p", "hypot", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2",
    "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
)
_REDUCTIONS = ("sum", "prod", "min", "max", "mean", "any", "all")
for _name in _UFUNCS + _REDUCTIONS:
    globals()[_name] = getattr(_maparray, _name)
del _name
true_divide = divide
abs = absolute  # noqa: A001 (numpy's alias; not exported by `import *`)

# `from maparray import *` must not shadow Python's open, sum, min, max, any, all or abs.
__all__ = [
    "DTypeError", "FormatError", "Mapping", "NpzFile", "append_npy", "atomic_add",
    "compare_exchange", "create", "create_npy", "evaluate", "load", "map_block", "map_file",
    "mapping_of", "maparray", "memmap", "npy_header", "open_memmap", "open_npz", "read_block",
    "remove_shared", "result_type", "shared", "write_block", "mean", "prod", "true_divide",
] + [name for name in _UFUNCS]


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


def evaluate(ex, local_dict=None, global_dict=None, out=None, order="K", casting="safe", *,
             threads=None, memory_budget=None, progress=None):
    """Evaluates the expression text `ex` in one pass, as numexpr.evaluate does, out of core.

    The expression is Python syntax over arrays and numbers: arithmetic (+ - * / // % **),
    comparisons, & | ^ ~, numpy's elementwise functions by name (sqrt, where, arctan2...) and
    at the outermost level one reduction (sum, prod, min, max, mean, any, all) with an optional
    axis= (sum(a*b) is a dot product). Every operation has numpy's semantics (NumPy 2's type
    promotion: Python numbers are weak); the result equals numpy's evaluation of the same text,
    but the arrays are read once, chunk by chunk, and no full-size temporary is ever made, so
    they may be far bigger than memory.

    Names are looked up in local_dict and global_dict (default: the caller's locals and
    globals), as numexpr does. out: an array of the result's shape to write into; None: a new
    array in memory (zero-dimensional for a full reduction). order: accepted for numexpr's
    signature; results are laid out in C order. casting: how the result may be cast into out
    ('safe', numexpr's default). threads, memory_budget, progress: as for maparray.add.

    Raises ValueError (syntax, shapes), TypeError (types without a loop, casting into out),
    KeyError (an unknown name), OverflowError (a Python int that does not fit).
    """
    if order not in ("K", "C", "A", "F"):
        raise ValueError("order must be 'K', 'C', 'A' or 'F', not %r" % (order,))
    names = {}
    if local_dict is None or global_dict is None:
        frame = _sys._getframe(1)
        names.update(frame.f_globals if global_dict is None else global_dict)
        names.update(frame.f_locals if local_dict is None else local_dict)
    else:
        names.update(global_dict)
        names.update(local_dict)
    return _evaluate(ex, names, out, casting, threads, memory_budget, progress)
