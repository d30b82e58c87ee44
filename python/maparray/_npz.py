"""maparray.NpzFile: a .npz archive, as numpy.lib.npyio.NpzFile, whose stored members can be
mapped in place (numpy reads every member into memory)."""

import collections.abc
import zipfile

import numpy as _numpy
from numpy.lib import format as _format

from . import _maparray

__all__ = ["NpzFile", "open_npz"]


def _is_zip(start):
    """Whether bytes at the start of a file begin a ZIP archive (a member, or an empty one)."""
    return start.startswith(b"PK\x03\x04") or start.startswith(b"PK\x05\x06")


class _Attributes:
    """npz.f.x for npz['x'], as numpy's NpzFile.f."""

    def __init__(self, archive):
        object.__setattr__(self, "_archive", archive)

    def __getattribute__(self, key):
        try:
            return object.__getattribute__(self, "_archive")[key]
        except KeyError:
            raise AttributeError(key) from None

    def __dir__(self):
        return object.__getattribute__(self, "_archive").files


class NpzFile(collections.abc.Mapping):
    """The members of a .npz archive, as numpy.load gives them: npz['x'] (or npz['x.npy']) is
    the array of member x.npy; members that are not .npy files are bytes.

    NpzFile(file, mmap_mode=None, *, max_header_size=10000). file: a path, a file object with
    fileno(), or a descriptor. mmap_mode 'r' (or 'c', copy-on-write): members stored without
    compression, as numpy.savez writes them, are arrays mapped in place, read-only (writable
    but private); their .base is the archive's maparray.Mapping, which stays mapped while any
    of them lives, after close() too. mmap_mode None: members are copied into memory, as
    numpy does. Compressed members (numpy.savez_compressed) are always read into memory.

    files lists the keys; close() (or leaving a with block) lets go of the archive. Raises
    OSError, maparray.FormatError (not a ZIP archive, a malformed member), KeyError.
    """

    def __init__(self, file, mmap_mode=None, *, max_header_size=10000):
        if mmap_mode not in (None, "r", "c", "readonly", "copyonwrite"):
            raise ValueError(f"mmap_mode must be None, 'r' or 'c', not {mmap_mode!r}")
        self._archive = _maparray._NpzArchive(file, "c" if mmap_mode in ("c", "copyonwrite")
                                              else "r", max_header_size)
        self._file = file
        self._copy = mmap_mode is None
        self._max_header_size = max_header_size
        self._members = {}
        for name, key, mappable, is_npy, method, size in self._archive.members():
            self._members[key] = (name, mappable, is_npy)
        self.files = list(self._members)
        self.f = _Attributes(self)

    @property
    def mapping(self):
        """The maparray.Mapping of the whole archive (None once closed)."""
        return None if self._archive is None else self._archive.mapping

    def _key(self, key):
        if key in self._members:
            return key
        if isinstance(key, str) and key.endswith(".npy") and key[:-4] in self._members:
            return key[:-4]
        raise KeyError(f"{key} is not a file in the archive")

    def __getitem__(self, key):
        if self._archive is None:
            raise ValueError("the archive is closed")
        name, mappable, is_npy = self._members[self._key(key)]
        if not mappable:
            return self._read_compressed(name, is_npy)
        if not is_npy:
            return self._archive.bytes(name)
        array = self._archive.array(name)
        return _numpy.array(array, copy=True, order="K") if self._copy else array

    def _read_compressed(self, name, is_npy):
        """A compressed member, read into memory through Python's zipfile."""
        source = self._file
        if isinstance(source, int) and not isinstance(source, bool):
            with open(source, "rb", closefd=False) as stream:
                return self._read_member(stream, name, is_npy)
        return self._read_member(source, name, is_npy)

    def _read_member(self, source, name, is_npy):
        with zipfile.ZipFile(source) as archive, archive.open(name) as member:
            if not is_npy:
                return member.read()
            return _format.read_array(member, allow_pickle=False,
                                      max_header_size=self._max_header_size)

    def __iter__(self):
        return iter(self.files)

    def __len__(self):
        return len(self.files)

    def __contains__(self, key):
        try:
            self._key(key)
            return True
        except KeyError:
            return False

    def close(self):
        """Lets go of the archive. Arrays already taken from it stay valid (they keep its
        mapping alive); new ones cannot be taken."""
        self._archive = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<maparray.NpzFile {self._file!r} with keys: {', '.join(self.files[:5])}" + \
            ("..." if len(self.files) > 5 else "") + ">"


def open_npz(file, mmap_mode="r", *, max_header_size=10000):
    """A .npz archive with its stored members mapped in place: NpzFile(file, mmap_mode)."""
    return NpzFile(file, mmap_mode=mmap_mode, max_header_size=max_header_size)
