"""Dask arrays over maparray files and shared memory: chunks are regions, mapped in the worker.

    import maparray.dask as mad
    x = mad.from_npy("big.npy", chunks="16 MiB")      # reads the header; the graph holds paths
    y = x.rechunk((4096, 4096)).T - x.mean()          # the rechunk maps new regions of big.npy
    mad.to_npy(y, "out.npy")                          # each chunk written into its place

The graph of from_npy (from_raw, from_shared) holds, per chunk, only the file's path, the
chunk's region and the dtype; the task that computes the chunk maps that region (or reads it,
if it is spread over the file) in the worker that runs it, so the graph pickles small and works
with the threaded, process and distributed schedulers, and no process ever holds more of the
file than the chunks it is working on.

to_npy (to_raw, to_shared) writes the header once, then every chunk's task writes its chunk
straight into its own region of the output, in parallel, with no lock: chunks share no element,
and writers of neighbouring chunks that share a page write their own bytes of the same
page-cache page. The file is written under a temporary name beside its path and renamed into
place only when every chunk is written and synced, so no half-written file ever appears at the
path, whatever fails or is cancelled.

Every worker must see the same file at the same path (one machine, or a shared file system);
shared memory works on one machine only. Needs dask (Debian: python3-dask, and
python3-distributed for a cluster).
"""

import dataclasses
import itertools
import os

import dask
import dask.array as _da
import numpy as _np
from dask.array.core import Array as _Array
from dask.base import tokenize as _tokenize
from dask.blockwise import blockwise as _blockwise
from dask.core import flatten as _flatten
from dask.delayed import Delayed as _Delayed
from dask.highlevelgraph import HighLevelGraph as _HighLevelGraph
from dask.highlevelgraph import MaterializedLayer as _MaterializedLayer
from dask.layers import ArraySliceDep as _ArraySliceDep
from dask.utils import parse_bytes as _parse_bytes

import maparray as _maparray
from maparray import _maparray as _core

__all__ = ["from_npy", "from_raw", "from_shared", "to_npy", "to_raw", "to_shared"]


def _compact(dtype):
    """What pickles a dtype in the fewest bytes: its str ('<f4') unless that loses fields."""
    return dtype if dtype.fields is not None else dtype.str


@dataclasses.dataclass(frozen=True)
class _FileArray:
    """Where an array lies in a file: what a chunk task needs to map its region. It travels
    in every task, so it pickles as a short tuple."""

    path: str
    dtype: _np.dtype
    shape: tuple
    order: str
    offset: int
    mode: str = "r"
    npy: bool = False  # check, in the task, that the .npy header still says the same

    def __post_init__(self):
        object.__setattr__(self, "dtype", _np.dtype(self.dtype))

    def __reduce__(self):
        return (_FileArray, (self.path, _compact(self.dtype), self.shape, self.order,
                             self.offset, self.mode, self.npy))


@dataclasses.dataclass(frozen=True)
class _SharedArray:
    """A named shared-memory array, by name, with the dtype and shape it must have."""

    name: str
    dtype: _np.dtype
    shape: tuple
    mode: str = "r"

    def __post_init__(self):
        object.__setattr__(self, "dtype", _np.dtype(self.dtype))

    def __reduce__(self):
        return (_SharedArray, (self.name, _compact(self.dtype), self.shape, self.mode))


def _start_and_extent(region):
    return tuple(s.start for s in region), tuple(s.stop - s.start for s in region)


def _read_file_block(source, region):
    """The task of from_npy and from_raw: maps one chunk's region of the file."""
    if source.npy:
        header = _maparray.npy_header(source.path)
        order = "F" if header["fortran_order"] else "C"
        found = (header["dtype"], header["shape"], order, header["offset"])
        if found != (source.dtype, source.shape, source.order, source.offset):
            raise ValueError(
                f"{source.path!r} changed since the dask array was made over it: it now holds "
                f"dtype {found[0]}, shape {found[1]}, order {found[2]}, not dtype "
                f"{source.dtype}, shape {source.shape}, order {source.order}")
    start, extent = _start_and_extent(region)
    layout = dict(offset=source.offset, order=source.order)
    _, span = _core._block_bytes(source.dtype, source.shape, start, extent, **layout)
    if span == source.dtype.itemsize * int(_np.prod(extent)):
        # One contiguous region: the chunk is the mapping itself.
        return _maparray.map_block(source.path, source.dtype, source.shape, start, extent,
                                   mode=source.mode, **layout)
    # A chunk spread over the file (a few columns of long rows) is read run by run: mapped, it
    # would make far more than itself resident.
    chunk = _maparray.read_block(source.path, source.dtype, source.shape, start, extent,
                                 **layout)
    chunk.flags.writeable = source.mode != "r"
    return chunk


def _write_file_block(target, block, region):
    """The task of to_npy and to_raw: writes one chunk into its region of the staged file."""
    start, _ = _start_and_extent(region)
    _maparray.write_block(target.path, target.dtype, target.shape, start, block,
                          offset=target.offset, order=target.order)
    return None


def _commit(path, temporary, overwrite, written):
    """The last task of to_npy and to_raw: publishes the file once every chunk is written."""
    _core._commit_staged(path, temporary, overwrite)


def _read_shared_block(source, region):
    """The task of from_shared: the chunk's region of the named shared array."""
    array = _maparray.shared(source.name, mode=source.mode)
    if (array.dtype, array.shape) != (source.dtype, source.shape):
        raise ValueError(
            f"shared array {source.name!r} changed since the dask array was made over it: it "
            f"now holds dtype {array.dtype}, shape {array.shape}, not dtype {source.dtype}, "
            f"shape {source.shape}")
    return array[region]


def _write_shared_block(target, block, region):
    """The task of to_shared: writes one chunk into the named shared array."""
    array = _maparray.shared(target.name, target.dtype, target.shape, mode="r+")
    array[region] = block
    return None


def _normalize_chunks(chunks, shape, dtype, order):
    """Dask's chunks, except that "auto" and byte sizes ("16 MiB") cut whole slabs along the
    axis that varies slowest in the file, so that each chunk is one contiguous region, whenever
    one slab of a single index fits in the size; otherwise dask's own choice."""
    if isinstance(chunks, str) and shape:
        limit = _parse_bytes(dask.config.get("array.chunk-size") if chunks == "auto" else chunks)
        slow = 0 if order == "C" else len(shape) - 1
        slab = dtype.itemsize * int(_np.prod([n for k, n in enumerate(shape) if k != slow]))
        if slab <= limit:
            spec = tuple("auto" if k == slow else -1 for k in range(len(shape)))
            return _da.core.normalize_chunks(spec, shape, limit=limit, dtype=dtype)
        return _da.core.normalize_chunks("auto", shape, limit=limit, dtype=dtype)
    return _da.core.normalize_chunks(chunks, shape, dtype=dtype)


def _check_read_mode(mode):
    if mode not in ("r", "c"):
        raise ValueError(f"mode must be 'r' (read-only) or 'c' (copy-on-write), not {mode!r}: "
                         "tasks may run more than once, so they must not write to their input")


def _file_identity(path):
    """What names a file's contents for dask's keys: a changed file gets new keys."""
    status = os.stat(path)
    return path, status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


class _RegionArray(_Array):
    """A dask array each of whose chunks maps its own region of one file or shared array.

    rechunk() cuts new regions of the same data instead of moving chunks between tasks: every
    new chunk maps its region itself, so rechunking costs no memory and no transfers. The
    chunks it chooses are dask's own (dask.array.rechunk's arguments mean the same)."""

    def rechunk(self, chunks="auto", threshold=None, block_size_limit=None, balance=False):
        chunks = super().rechunk(chunks, threshold, block_size_limit, balance).chunks
        if chunks == self.chunks:
            return self
        source, reader, prefix = self._regions
        return _array_over(source, chunks, prefix + _tokenize(self.name, chunks), reader, prefix)


def _array_over(source, chunks, name, reader, prefix):
    """A dask array whose chunks `reader` makes from `source` and the chunk's region. Each
    task is (reader, source, region): a few hundred bytes pickled. Dask's optimizations fuse
    these root tasks into the blockwise operations over them (fuse_roots), so a chunk is
    mapped in the task that uses it."""
    starts = [_np.cumsum((0,) + c).tolist() for c in chunks]
    layer = {}
    for index in itertools.product(*(range(len(c)) for c in chunks)):
        region = tuple(slice(starts[k][i], starts[k][i + 1]) for k, i in enumerate(index))
        layer[(name,) + index] = (reader, source, region)
    graph = _HighLevelGraph.from_collections(name, layer, dependencies=())
    meta = _np.empty((0,) * len(source.shape), dtype=source.dtype)
    array = _RegionArray(graph, name, chunks, meta=meta)
    array._regions = (source, reader, prefix)
    return array


def from_npy(path, chunks="auto", *, mode="r", name=None):
    """A dask array over the .npy file `path`, with the file's dtype, shape and order.

    Nothing is read now but the header; each chunk's task maps the chunk's region of the file
    in the worker that runs it (see the module's description).

    chunks: as dask.array.from_array's (a block shape, explicit sizes per axis, -1 for a whole
        axis), except that "auto" (the default, dask's array.chunk-size) and a byte size such
        as "16 MiB" cut whole slabs along the axis that varies slowest in the file (the first
        for C order), each of them one contiguous region, when one index of that axis fits.
    mode: 'r' (chunks are read-only arrays) or 'c' (copy-on-write: writable chunks whose
        changes stay in the task).
    name: the key prefix of the chunks; default: one derived from the file's path, identity,
        size and modification time, the chunks and the mode.

    Raises FileNotFoundError (and other OSErrors), maparray.FormatError for a malformed file,
    ValueError. A task raises ValueError if the file's header changed since.
    """
    _check_read_mode(mode)
    path = os.path.abspath(os.fspath(path))
    header = _maparray.npy_header(path)
    source = _FileArray(path, header["dtype"], header["shape"],
                        "F" if header["fortran_order"] else "C", header["offset"], mode, True)
    chunks = _normalize_chunks(chunks, source.shape, source.dtype, source.order)
    name = name or "from-npy-" + _tokenize(_file_identity(path), source, chunks)
    return _array_over(source, chunks, name, _read_file_block, "from-npy-")


def from_raw(path, dtype, shape=(-1,), *, offset=0, order="C", chunks="auto", mode="r",
             name=None):
    """A dask array over the raw file `path`: elements of `dtype` in `shape` and `order`,
    starting `offset` bytes into the file; one dimension of `shape` may be -1, inferred from
    the file's size as maparray.map_file() does. chunks, mode and name: as from_npy().

    Raises OSError, ValueError (a shape that does not fit the file), as maparray.map_file().
    """
    _check_read_mode(mode)
    path = os.path.abspath(os.fspath(path))
    # The library resolves the shape and checks it against the file; its mapping is dropped.
    probe = _maparray.map_file(path, dtype, shape, mode="r", offset=offset, order=order)
    source = _FileArray(path, probe.dtype, probe.shape, order.upper(), int(offset), mode)
    del probe
    chunks = _normalize_chunks(chunks, source.shape, source.dtype, source.order)
    name = name or "from-raw-" + _tokenize(_file_identity(path), source, chunks)
    return _array_over(source, chunks, name, _read_file_block, "from-raw-")


def from_shared(shared_name, chunks="auto", *, mode="r"):
    """A dask array over the named shared-memory array `shared_name` (maparray.shared()), with
    its dtype and shape. Each task opens the array by name and takes its chunk as a view, so all
    workers must run on the machine that holds it. chunks and mode: as from_npy().

    Raises FileNotFoundError if there is no such array, ValueError.
    """
    _check_read_mode(mode)
    array = _maparray.shared(shared_name, mode="r")
    order = "F" if array.flags.f_contiguous and not array.flags.c_contiguous else "C"
    source = _SharedArray(shared_name, array.dtype, array.shape, mode)
    chunks = _normalize_chunks(chunks, array.shape, array.dtype, order)
    del array
    name = "from-shared-" + _tokenize(source, chunks)
    return _array_over(source, chunks, name, _read_shared_block, "from-shared-")


def _stored(x, target, writer, name):
    """The graph that writes every chunk of `x` with `writer`; each write fuses with the task
    that computes its chunk. Returns the graph and the keys of the writes."""
    indices = tuple(range(x.ndim))
    layer = _blockwise(writer, name, indices, target, None, x.name, indices,
                       _ArraySliceDep(x.chunks), indices, numblocks={x.name: x.numblocks})
    graph = _HighLevelGraph.from_collections(name, layer, dependencies=[x])
    writes = _Array(graph, name, x.chunks, meta=_np.empty((0,) * x.ndim, dtype=x.dtype))
    keys = list(_flatten(writes.__dask_keys__()))
    return _Array.__dask_optimize__(writes.__dask_graph__(), keys), keys


def _source_array(x):
    x = _da.asarray(x)
    if any(_np.isnan(n) for n in x.shape):
        raise ValueError("the array has chunks of unknown size; call compute_chunk_sizes() first")
    return x


def _run(result, compute, compute_kwargs, on_failure):
    if not compute:
        return result
    try:
        dask.compute(result, **compute_kwargs)
    except BaseException:
        on_failure()
        raise
    return None


def _to_file(x, path, npy, order, overwrite, sparse, compute, compute_kwargs):
    x = _source_array(x)
    path = os.path.abspath(os.fspath(path))
    order = order.upper()
    temporary, offset = _core._stage(path, x.dtype, x.shape, order, npy=npy,
                                     overwrite=overwrite, sparse=sparse)
    try:
        target = _FileArray(os.fspath(temporary), x.dtype, x.shape, order, offset)
        token = _tokenize(x.name, path, target, overwrite)
        kind = "to-npy" if npy else "to-raw"
        writes, keys = _stored(x, target, _write_file_block, f"{kind}-{token}")
        commit_key = f"{kind}-commit-{token}"
        layers = {f"{kind}-{token}": writes,
                  commit_key: _MaterializedLayer(
                      {commit_key: (_commit, path, target.path, overwrite, keys)})}
        dependencies = {f"{kind}-{token}": set(), commit_key: {f"{kind}-{token}"}}
        result = _Delayed(commit_key, _HighLevelGraph(layers, dependencies))
    except BaseException:
        _core._discard_staged(temporary)
        raise
    return _run(result, compute, compute_kwargs, lambda: _core._discard_staged(temporary))


def to_npy(x, path, *, order="C", overwrite=False, sparse=False, compute=True,
           **compute_kwargs):
    """Writes the dask array `x` to the .npy file `path` (numpy.load reads it), each chunk by
    its own task, straight into its region of the file, in parallel and without a lock.

    The file is made now under a temporary name beside `path` (".tmp-" and digits appended),
    with numpy's header and its space reserved (unless sparse=True), so that a full disk fails
    here and not in a worker; it is renamed to `path` only once every chunk is written and
    synced. An existing `path` is a FileExistsError, now and at the rename, unless
    overwrite=True (then it is replaced in one step at the end).

    order: 'C' or 'F', the file's element order; x's chunks may be any shape in either.
    compute: True (default) computes now, with compute_kwargs passed to dask.compute(), and
        removes the temporary file if the computation fails or is interrupted. False returns
        a dask.delayed.Delayed that does the writing and the rename; if that computation fails
        or is cancelled nothing appears at `path`, but the temporary file stays until removed.

    Raises FileExistsError, OSError (ENOSPC...), ValueError (chunks of unknown size),
    TypeError (a dtype holding Python objects), and whatever the computation raises.
    """
    return _to_file(x, path, True, order, overwrite, sparse, compute, compute_kwargs)


def to_raw(x, path, *, order="C", overwrite=False, sparse=False, compute=True,
           **compute_kwargs):
    """Writes the dask array `x` to the raw file `path`: its elements only, in `order`, as
    numpy's tofile() writes them (from_raw and maparray.map_file read it back). Otherwise as
    to_npy()."""
    return _to_file(x, path, False, order, overwrite, sparse, compute, compute_kwargs)


def to_shared(x, shared_name, *, exist_ok=False, compute=True, **compute_kwargs):
    """Writes the dask array `x` into the named shared-memory array `shared_name`, created now
    with x's dtype and shape (as maparray.shared(shared_name, dtype, shape, create=True)); each
    chunk's task opens it by name and writes its region, so all workers must run on the machine
    that holds it. With exist_ok=True an existing array of the same dtype and shape is written
    into instead.

    A shared array has no temporary name: it exists, zero-filled, from this call on. If the
    computation fails or is interrupted (compute=True), an array this call created is removed;
    compute=False returns a dask.delayed.Delayed and leaves that to the caller.

    Raises FileExistsError, TypeError (records cannot be shared), ValueError, OSError.
    """
    x = _source_array(x)
    try:
        _maparray.shared(shared_name, x.dtype, x.shape, create=True)
        created = True
    except FileExistsError:
        if not exist_ok:
            raise
        _maparray.shared(shared_name, x.dtype, x.shape)  # checks dtype and shape
        created = False

    def remove():
        if created:
            _maparray.remove_shared(shared_name)

    try:
        target = _SharedArray(shared_name, x.dtype, x.shape, "r+")
        token = _tokenize(x.name, target)
        writes, keys = _stored(x, target, _write_shared_block, "to-shared-" + token)
        done_key = "to-shared-done-" + token
        layers = {"to-shared-" + token: writes,
                  done_key: _MaterializedLayer({done_key: (_done, keys)})}
        dependencies = {"to-shared-" + token: set(), done_key: {"to-shared-" + token}}
        result = _Delayed(done_key, _HighLevelGraph(layers, dependencies))
    except BaseException:
        remove()
        raise
    return _run(result, compute, compute_kwargs, remove)


def _done(written):
    """The last task of to_shared: completes once every chunk is written."""
    return None
