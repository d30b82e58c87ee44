"""One file's array spread over the ranks of an MPI job (mpi4py).

Every rank maps only its own block of rows (its slab) of a .npy or raw file on a file system
all ranks reach; the block is an ordinary numpy array (GlobalArray.local) whose .base is a
maparray.Mapping. Any rank reads and writes any element with one-sided operations (get, put,
accumulate, fetch_add, compare_exchange) through an MPI window over the slabs, and the
compute functions (add, ..., sum, min, max, mean) run maparray's engine on every rank's slab.

    import maparray.mpi as mm          # before `from mpi4py import MPI`: see below
    from mpi4py import MPI

    a = mm.create_npy(MPI.COMM_WORLD, "a.npy", "float64", (1000, 3))   # collective
    a.local[:] = a.rank                 # this rank's rows
    a.fetch_add((0, 0), 1)              # one element, wherever it lives
    total = mm.sum(a)                   # collective; the same on every rank
    a.flush()                           # collective: numpy.load on any node sees every write
    a.close()                           # collective

Collective calls (open_npy, create_npy, map_file, create, sync, flush, close and the compute
functions) must be made by every rank of the communicator in the same order with the same
arguments; if one fails on any rank it raises the same exception with the same message
("rank 2 of 4: ...") on every rank, and no rank is left waiting. Errors are those of maparray:
OSError (with errno and filename), maparray.FormatError, ValueError, TypeError; RuntimeError
when MPI itself fails.

Close every GlobalArray (close(), or a `with` block) on every rank at the same point: freeing
its MPI window is collective, and an array left to the garbage collector might be freed at
different moments on different ranks.

MPI must allow one thread at a time to call it (MPI_THREAD_SERIALIZED): Open MPI 4's
one-sided component for file mappings (pt2pt) refuses MPI_THREAD_MULTIPLE, which mpi4py asks
for by default. Importing this module before mpi4py.MPI sets mpi4py.rc.thread_level to
"serialized"; if mpi4py.MPI was imported already, set it yourself first. With Open MPI 4, run
with `mpirun --mca osc pt2pt` (docs/distributed.md lists the settings).
"""

import ast as _ast
import builtins as _builtins
import operator as _operator
import sys as _sys

import mpi4py as _mpi4py

if "mpi4py.MPI" not in _sys.modules:
    _mpi4py.rc.thread_level = "serialized"

from mpi4py import MPI as _MPI  # noqa: E402  (after the thread level is set)
import numpy as _numpy  # noqa: E402

from . import _maparray_mpi as _impl  # noqa: E402

__all__ = [
    "GlobalArray", "open_npy", "create_npy", "map_file", "create",
    "apply", "evaluate", "add", "subtract", "multiply", "divide", "floor_divide", "minimum",
    "maximum", "mean", "prod",
]  # sum, min, max, any and all too, but not by `import *`: they would shadow Python's

_OPS = ("sum", "prod", "min", "max", "band", "bor", "bxor", "replace")


def _descr(dtype):
    """The .npy descr literal of a numpy dtype, which the library parses."""
    return repr(_numpy.lib.format.dtype_to_descr(dtype))


def _element_dtype(dtype, shape):
    """(dtype, shape) with a subarray dtype ('f4', (3,)) expanded into trailing dimensions."""
    dtype = _numpy.dtype(dtype)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if dtype.subdtype is not None:
        base, extra = dtype.subdtype
        return base, shape + tuple(extra)
    return dtype, shape


def _handle(comm):
    """The Fortran handle of an mpi4py communicator, which the extension converts back."""
    if not isinstance(comm, _MPI.Comm):
        raise TypeError("comm must be an mpi4py communicator, not " + type(comm).__name__)
    return comm.py2f()


class GlobalArray:
    """A distributed array over one file; made by open_npy, create_npy, map_file or create.

    Attributes: shape, dtype, ndim, size, rank and ranks (of its communicator), comm (the
    mpi4py communicator it was opened with), rows_per_rank, path, mode ('r', 'r+' or 'c'),
    page_aligned (no page of the file holds elements of two ranks), and local, this rank's
    rows as a numpy array.

    Indices are tuples with one entry per dimension (an int for a one-dimensional array);
    negative entries count from the end, as in numpy. One-sided operations (get, put,
    accumulate, fetch_add, fetch_op, compare_exchange, atomic_load, atomic_store) are not
    collective and are complete at their target when they return; the atomic ones are atomic
    with respect to each other on one element. Local loads and stores through `local` and other
    ranks' one-sided operations are ordered by sync() (collective). A GlobalArray is a context
    manager that closes it (collectively) on exit.
    """

    def __init__(self, impl, comm):
        self._impl = impl
        self.comm = comm
        info = impl._info()
        self.shape = info["shape"]
        self.dtype = _numpy.lib.format.descr_to_dtype(_ast.literal_eval(info["descr"]))
        self.rank = info["rank"]
        self.ranks = info["ranks"]
        self.rows_per_rank = tuple(info["rows_per_rank"])
        self.path = info["path"]
        self.mode = info["mode"]
        self.page_aligned = info["page_aligned"]
        self._local = None

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(_numpy.prod(self.shape, dtype=_numpy.int64))

    @property
    def closed(self):
        """Whether close() was called; local stays usable afterwards."""
        return not self._impl._open

    @property
    def local(self):
        """This rank's rows as a numpy array (read-only for mode 'r'); row 0 is global row
        row_range()[0]. Its .base is a maparray.Mapping."""
        if self._local is None:
            self._local = self._impl._local(self.dtype)
        return self._local

    def row_range(self, rank=None):
        """(first, end): the global rows [first, end) that `rank` (default: this one) holds."""
        rank = self.rank if rank is None else _operator.index(rank)
        if not 0 <= rank < self.ranks:
            raise ValueError(f"rank {rank} of {self.ranks}")
        first = _builtins.sum(self.rows_per_rank[:rank])
        return first, first + self.rows_per_rank[rank]

    def _index(self, index):
        """`index` as a list of non-negative ints, one per dimension; IndexError if outside."""
        if isinstance(index, tuple):
            entries = [_operator.index(i) for i in index]
        else:
            entries = [_operator.index(index)]
        if len(entries) != self.ndim:
            raise IndexError(f"an index of {len(entries)} entries for a {self.ndim}-dimensional "
                             "array")
        for axis, (i, n) in enumerate(zip(entries, self.shape)):
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
            entries[axis] = i + n if i < 0 else i
        return entries

    def _scalar(self, value):
        """`value` as a 0-d array of the dtype, refusing integers the dtype cannot hold."""
        if self.dtype.kind in "iu":
            value = _operator.index(value)
            info = _numpy.iinfo(self.dtype)
            if not info.min <= value <= info.max:
                raise ValueError(f"{value} does not fit the array's element type {self.dtype}")
        return _numpy.array(value, dtype=self.dtype)

    def owner(self, index):
        """The rank that holds the element at `index`."""
        return self._impl._owner(self._index(index))

    def is_local(self, index):
        """Whether this rank holds the element at `index`."""
        return self.owner(index) == self.rank

    def to_local(self, index):
        """(rank, local_index): who holds the element at `index`, and where in its local."""
        return self._impl._to_local(self._index(index))

    def to_global(self, rank, local_index):
        """The global index of the element at `local_index` of rank `rank`'s local."""
        local_index = local_index if isinstance(local_index, tuple) else (local_index,)
        return self._impl._to_global(_operator.index(rank), [_operator.index(i) for i in local_index])

    def get(self, start, count=None):
        """The element at `start` as a numpy scalar; or, with `count`, a new one-dimensional
        array of the `count` elements from `start` on in C order (across rows and ranks)."""
        out = _numpy.empty(1 if count is None else _operator.index(count), dtype=self.dtype)
        self._impl._get(self._index(start), out)
        return out[0] if count is None else out

    def put(self, start, values):
        """Writes `values` (converted to the dtype, taken in C order) from `start` on."""
        data = _numpy.ascontiguousarray(values, dtype=self.dtype).reshape(-1)
        self._impl._put(self._index(start), data)

    def accumulate(self, start, values, op="sum"):
        """Combines `values` into the elements from `start` on with `op` ('sum', 'prod',
        'min', 'max', 'band', 'bor', 'bxor', 'replace'), each element atomically."""
        data = _numpy.ascontiguousarray(values, dtype=self.dtype).reshape(-1)
        self._impl._accumulate(self._index(start), data, op)

    def fetch_op(self, index, value, op):
        """Atomically applies `op` (see accumulate) with `value` to the element; returns its
        previous value as a numpy scalar."""
        result = _numpy.empty((), dtype=self.dtype)
        self._impl._fetch_op(self._index(index), self._scalar(value), result, op)
        return result[()]

    def fetch_add(self, index, value):
        """Atomically adds `value` to the element (integers wrap) and returns its previous
        value, like Global Arrays' read_inc."""
        return self.fetch_op(index, value, "sum")

    def compare_exchange(self, index, expected, desired):
        """Atomically sets the element to `desired` if it equals `expected` (bit for bit).
        Returns (swapped, previous), as maparray.compare_exchange does."""
        seen = self._scalar(expected)
        swapped = self._impl._compare_exchange(self._index(index), seen, self._scalar(desired))
        return swapped, seen[()]

    def atomic_load(self, index):
        """The element, read atomically with respect to the atomic operations."""
        result = _numpy.empty((), dtype=self.dtype)
        self._impl._fetch_op(self._index(index), None, result, "replace")
        return result[()]

    def atomic_store(self, index, value):
        """Writes the element atomically with respect to the atomic operations."""
        self.fetch_op(index, value, "replace")

    def sync(self):
        """Collective: orders local loads and stores with other ranks' one-sided operations
        and waits for every rank."""
        self._impl.sync()

    def flush(self, sync=True):
        """Collective: sync(), then every rank writes its dirty pages back to the file, so that
        any process on any node that opens the file afterwards sees every rank's writes."""
        self._impl.flush(sync)

    def close(self):
        """Collective: frees the MPI window. local stays usable; one-sided operations and
        sync() raise ValueError afterwards."""
        self._impl.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return (f"<maparray.mpi.GlobalArray {self.path!r} shape={self.shape} dtype={self.dtype} "
                f"rank {self.rank} of {self.ranks}, rows {self.row_range()}>")


def _rows(rows_per_rank):
    return [] if rows_per_rank is None else [_operator.index(r) for r in rows_per_rank]


def open_npy(comm, path, mode="r", *, rows_per_rank=None, page_aligned=True):
    """Collective: opens the .npy file `path` distributed over `comm`.

    mode: 'r' (default), 'r+' (writes reach the file) or 'c' (each rank's private copy).
    rows_per_rank: rows of axis 0 per rank (zeros allowed); default: an even split whose
    boundaries are on page boundaries (page_aligned=False: exactly even). A file in Fortran
    order or a zero-dimensional one cannot be split.
    """
    return GlobalArray(_impl._open_npy(_handle(comm), path, mode, _rows(rows_per_rank),
                                       page_aligned), comm)


def create_npy(comm, path, dtype, shape, *, overwrite=False, sparse=False, rows_per_rank=None,
               page_aligned=True):
    """Collective: creates the .npy file `path` of a zero-filled array of `dtype` and `shape`,
    distributed over `comm` and mapped read-write; numpy.load reads it. Its data starts on a
    page boundary. Space is reserved unless sparse=True; an existing file is a
    FileExistsError unless overwrite=True (it is replaced only once every rank succeeded)."""
    dtype, shape = _element_dtype(dtype, shape)
    return GlobalArray(_impl._create(_handle(comm), path, True, _descr(dtype), list(shape),
                                     overwrite, sparse, _rows(rows_per_rank), page_aligned), comm)


def map_file(comm, path, dtype, shape=(-1,), mode="r", *, offset=0, rows_per_rank=None,
             page_aligned=True):
    """Collective: maps the raw file `path` as an array of `dtype` and `shape` (one -1 is
    inferred from the file size) from byte `offset`, distributed over `comm`."""
    dtype, shape = _element_dtype(dtype, shape)
    return GlobalArray(_impl._map_file(_handle(comm), path, _descr(dtype), list(shape), mode,
                                       offset, _rows(rows_per_rank), page_aligned), comm)


def create(comm, path, dtype, shape, *, overwrite=False, sparse=False, rows_per_rank=None,
           page_aligned=True):
    """Collective: creates the raw file `path` of a zero-filled array, as create_npy."""
    dtype, shape = _element_dtype(dtype, shape)
    return GlobalArray(_impl._create(_handle(comm), path, False, _descr(dtype), list(shape),
                                     overwrite, sparse, _rows(rows_per_rank), page_aligned), comm)


def _operand(x):
    return x._impl if isinstance(x, GlobalArray) else x


def _out(out):
    if not isinstance(out, GlobalArray):
        raise TypeError("out must be a maparray.mpi.GlobalArray")
    return out._impl


def apply(name, *inputs, out, threads=None, memory_budget=None):
    """Collective: out = the elementwise operation `name` (any of maparray's, as numpy's ufunc
    of that name: "add", "floor_divide", "sqrt", "where", ...) of `inputs`, each rank computing
    its own rows with maparray's engine. numpy's type promotion (Python numbers weak) and
    values; the result is cast into out under same_kind casting. Inputs are GlobalArrays of
    out's shape and rows_per_rank, or numbers. threads and memory_budget (None: 64 MiB) apply
    to each rank. Returns out."""
    _impl._apply(name, [_operand(x) for x in inputs], _out(out), threads, memory_budget)
    return out


def evaluate(ex, local_dict, out, *, threads=None, memory_budget=None):
    """Collective: out = the elementwise expression `ex` ("a*b + 2*c", as maparray.evaluate)
    over the GlobalArrays and numbers named in local_dict, in one pass over every rank's rows.
    Reductions are not allowed inside; use sum(), mean()... Returns out."""
    names = {name: _operand(x) for name, x in local_dict.items()}
    _impl._evaluate(ex, names, _out(out), threads, memory_budget)
    return out


_BINARY_DOC = """Collective: out = {}(x, y) elementwise with numpy's semantics, each rank computing
its own rows with maparray's engine (threads and memory_budget apply to each rank, as in
maparray.{}). x and y are GlobalArrays of out's shape and rows_per_rank, or one of them a
number. Returns out."""


def _binary(name):
    def operation(x, y, out, *, threads=None, memory_budget=None):
        return apply(name, x, y, out=out, threads=threads, memory_budget=memory_budget)
    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = _BINARY_DOC.format(name, name)
    return operation


add = _binary("add")
subtract = _binary("subtract")
multiply = _binary("multiply")
divide = _binary("divide")
floor_divide = _binary("floor_divide")
minimum = _binary("minimum")
maximum = _binary("maximum")


def _reduce(name, a, threads, memory_budget):
    if not isinstance(a, GlobalArray):
        raise TypeError("a must be a maparray.mpi.GlobalArray")
    return _impl._reduce(name, a._impl, threads, memory_budget)


_REDUCTION_DOC = """Collective: numpy's {}() of every element, as a numpy scalar of numpy's result
dtype, the same on every rank; each rank reduces its rows with maparray's engine and the
partial results are combined in rank order."""


def _reduction(name, extra=""):
    def reduction(a, *, threads=None, memory_budget=None):
        return _reduce(name, a, threads, memory_budget)
    reduction.__name__ = reduction.__qualname__ = name
    reduction.__doc__ = _REDUCTION_DOC.format(name) + extra
    return reduction


sum = _reduction("sum")  # noqa: A001 (numpy's name)
prod = _reduction("prod")
mean = _reduction("mean", " NaN for an empty array.")
min = _reduction("min", " ValueError for an empty array.")  # noqa: A001 (numpy's name)
max = _reduction("max", " ValueError for an empty array.")  # noqa: A001 (numpy's name)
any = _reduction("any")  # noqa: A001 (numpy's name)
all = _reduction("all")  # noqa: A001 (numpy's name)
