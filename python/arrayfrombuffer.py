"""Numpy arrays over any buffer object, such as an mmap.mmap, without copying.

    import mmap, arrayfrombuffer
    m = mmap.mmap(f.fileno(), 0)
    a = arrayfrombuffer.arrayfrombuffer(m, 'd')

The array holds a buffer export of the object for as long as it lives, so closing the object
meanwhile (m.close()) raises BufferError instead of leaving the array over unmapped memory.
"""

import maparray as _maparray

__all__ = ["arrayfrombuffer"]


def arrayfrombuffer(buffer, typecode="l"):
    """A one-dimensional array over the bytes of `buffer`, with no copy.

    buffer: any object with the buffer protocol (mmap.mmap, bytearray, bytes, memoryview,
        a contiguous numpy array...). The array is writable if the buffer is; otherwise it
        is read-only.
    typecode: a Numeric typecode ('l' C long, 'f' float32, 'd' float64, 'b' unsigned byte,
        ...; see maparray.maparray), or anything numpy.dtype() accepts.

    The buffer's length must be a whole number of elements (ValueError otherwise). The
    array's .base is a maparray.Mapping over the borrowed memory.
    """
    return _maparray._array_from_buffer(buffer, _maparray._numeric_dtype(typecode))
