"""numpy.memmap, numpy.lib.format.open_memmap and numpy.load(mmap_mode=...) over maparray
mappings, with the same parameters and behaviour, so that code written for numpy moves over by
changing the module name. What maparray adds: a file object or a file descriptor wherever a
file name goes, space reserved when a file is created or grown (a full disk is an OSError, not a
crash), close() that cannot crash (the Mapping, a.base, refuses while arrays use it), and .npz
archives whose members are mapped in place."""

import os as _os

import numpy as _numpy

from . import _maparray
from ._npz import NpzFile, _is_zip

__all__ = ["memmap", "open_memmap", "load"]

# numpy.memmap's long mode names.
_SHORT_MODES = {"readonly": "r", "copyonwrite": "c", "readwrite": "r+", "write": "w+"}


def _filename_of(source):
    """numpy.memmap's filename attribute: the absolute path, or None for a bare descriptor."""
    if isinstance(source, int) and not isinstance(source, bool):
        return None
    if hasattr(source, "fileno") and not isinstance(source, (str, bytes, _os.PathLike)):
        name = getattr(source, "name", None)
        return _os.path.abspath(name) if isinstance(name, str) else None
    return _os.path.abspath(_os.fspath(source))


def _mapping_base(array):
    """The Mapping an array made by this module sits on: its base."""
    base = array.base
    return base if isinstance(base, _maparray.Mapping) else None


class memmap(_numpy.ndarray):
    """An array over a file, as numpy.memmap: memmap(filename, dtype=uint8, mode='r+',
    offset=0, shape=None, order='C').

    filename: a path, a file object with fileno(), or a file descriptor.
    mode: 'r' read-only, 'r+' read and write, 'w+' create (an existing file is replaced),
        'c' copy-on-write (changes stay in memory); or 'readonly', 'readwrite', 'write',
        'copyonwrite'. In modes 'r+' and 'w+' a file shorter than offset + the array is grown,
        its new blocks reserved.
    offset: where the array starts in the file, in bytes; any value.
    shape: an int or a tuple (one dimension may be -1); default: every whole element from
        offset to the end of the file, flat. Required for 'w+'.
    order: 'C' or 'F'.

    Attributes filename (absolute, or None for a descriptor), offset and mode as numpy.memmap's;
    flush() writes changed pages back. Slices and views are memmaps over the same mapping;
    results of arithmetic are plain numpy arrays. .base is the maparray.Mapping (its close()
    is refused while arrays use it). Raises OSError, ValueError, TypeError,
    maparray.FormatError (a .npy file read as raw from inside its header).
    """

    __array_priority__ = -100.0

    def __new__(subtype, filename, dtype=_numpy.uint8, mode="r+", offset=0, shape=None,
                order="C"):
        mode = _SHORT_MODES.get(mode, mode)
        self = _maparray._memmap(subtype, filename, dtype, mode, offset, shape, order)
        self._set_file(_mapping_base(self), _filename_of(filename), offset, mode)
        return self

    def _set_file(self, mapping, filename, offset, mode):
        self._mmap = mapping
        self.filename = filename
        self.offset = offset
        self.mode = mode

    def __array_finalize__(self, obj):
        # Views that share the parent's memory belong to its file; copies belong to none.
        if getattr(obj, "_mmap", None) is not None and _numpy.may_share_memory(self, obj):
            self._set_file(obj._mmap, obj.filename, obj.offset, obj.mode)
        else:
            self._set_file(None, None, None, None)

    def __array_wrap__(self, array, context=None):
        array = super().__array_wrap__(array, context)
        # Results of operations are plain arrays (scalars for 0-d results); a memmap given as
        # `out` stays one.
        if array is self or type(self) is not memmap:
            return array
        if array.shape == ():
            return array[()]
        return array.view(_numpy.ndarray)

    def __getitem__(self, index):
        result = super().__getitem__(index)
        if type(result) is memmap and result._mmap is None:
            return result.view(type=_numpy.ndarray)
        return result

    def flush(self):
        """Writes the changed pages of the whole mapping back to the file (msync). Does nothing
        in modes 'r' and 'c' and for arrays not over a file. Raises OSError with the errno the
        kernel reported (EIO, ENOSPC...)."""
        if self._mmap is not None:
            self._mmap.flush()


def open_memmap(filename, mode="r+", dtype=None, shape=None, fortran_order=False, version=None,
                *, max_header_size=10000):
    """A .npy file as a memmap, as numpy.lib.format.open_memmap.

    mode 'w+' creates the file (an existing one is replaced) with dtype, shape and
    fortran_order, header as numpy.save writes it; version may be None or the version that
    header needs. Modes 'r', 'r+' and 'c' open an existing file, whose dtype, shape and order
    come from its header (max_header_size bounds it). filename may also be a file object or a
    descriptor (not for 'w+'), where numpy accepts only names. Raises OSError,
    maparray.FormatError, ValueError.
    """
    mode = _SHORT_MODES.get(mode, mode)
    if "w" in mode:
        if mode != "w+":
            raise ValueError(f"mode must be 'r', 'r+', 'c' or 'w+', not {mode!r}")
        if dtype is None or shape is None:
            raise ValueError("open_memmap in mode 'w+' needs a dtype and a shape")
        if not isinstance(shape, (tuple, list)):
            shape = (shape,)
        array = _maparray._create_memmap(memmap, _os.fspath(filename), dtype, shape,
                                         fortran_order, version)
        mode = "r+"  # as numpy: the file exists now
    else:
        array = _maparray._open_memmap(filename, mode, None, None, max_header_size, memmap)
    mapping = _mapping_base(array)
    array._set_file(mapping, _filename_of(filename), mapping.offset, mode)
    return array


def load(file, mmap_mode=None, allow_pickle=False, fix_imports=True, encoding="ASCII", *,
         max_header_size=10000):
    """Loads a .npy or .npz file, as numpy.load.

    mmap_mode None: a .npy file is read into memory; 'r', 'r+', 'c' (or their long names): it
    is mapped and returned as a memmap. A .npz file gives a maparray.NpzFile in either case:
    with mmap_mode 'r' or 'c' its stored members are mapped in place (numpy reads them into
    memory, whatever mmap_mode says); without, they are copied into memory as numpy does.
    Compressed members are always read into memory. Pickles are loaded by numpy.load, and
    only with allow_pickle=True. file: a path, a file object (with fileno() to be mapped) or a
    descriptor. Raises OSError, maparray.FormatError, ValueError.
    """
    if mmap_mode is not None:
        mmap_mode = _SHORT_MODES.get(mmap_mode, mmap_mode)
        if mmap_mode not in ("r", "r+", "c"):
            raise ValueError(f"mmap_mode must be None, 'r', 'r+' or 'c', not {mmap_mode!r}")
    if hasattr(file, "read") and not isinstance(file, (str, bytes, _os.PathLike)):
        # A stream is read from where it stands, as numpy does (several arrays saved one after
        # another load one by one); it is mapped only from its start.
        if mmap_mode is None:
            return _numpy.load(file, allow_pickle=allow_pickle, fix_imports=fix_imports,
                               encoding=encoding, max_header_size=max_header_size)
        if not hasattr(file, "fileno") or file.tell() != 0:
            raise ValueError("mapping a file object needs one with fileno(), positioned at the "
                             "start of the file")
    start = _peek(file)
    if _is_zip(start):
        if mmap_mode == "r+":
            raise ValueError("a .npz archive cannot be mapped with mmap_mode='r+': writing "
                             "into a member would leave its CRC wrong; use 'r' or 'c'")
        return NpzFile(file, mmap_mode=mmap_mode, max_header_size=max_header_size)
    if start.startswith(b"\x93NUMPY"):
        if mmap_mode is None:
            array = _maparray._open_memmap(file, "r", None, None, max_header_size, None)
            return _numpy.array(array, copy=True, order="K")
        return open_memmap(file, mode=mmap_mode, max_header_size=max_header_size)
    if not allow_pickle:
        raise ValueError("Cannot load file containing pickled data when allow_pickle=False")
    return _numpy.load(file, allow_pickle=True, fix_imports=fix_imports, encoding=encoding)


def _peek(file):
    """The first 8 bytes of a file given as a path, a file object with fileno() or a
    descriptor, without moving a file object's or descriptor's position."""
    if isinstance(file, int) and not isinstance(file, bool):
        return _os.pread(file, 8, 0)
    if hasattr(file, "read") and not isinstance(file, (str, bytes, _os.PathLike)):
        return _os.pread(file.fileno(), 8, 0)
    with open(_os.fspath(file), "rb") as f:
        return f.read(8)
