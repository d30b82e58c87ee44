#include "atomics.hpp"

#include <pybind11/numpy.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "arguments.hpp"

namespace maparray::python {
namespace py = pybind11;
namespace {

// The address of the element of `array` at `index` (an int for a 1-d array, or a tuple with
// one entry per dimension; negative entries count from the end, as in numpy). Throws
// py::index_error, py::type_error.
std::byte* element_address(const py::array& array, const py::object& index) {
  // As numpy indexes: IndexError for an index that is not an integer or does not fit.
  const auto entry = [](py::handle i) -> py::ssize_t {
    const auto as_index = py::reinterpret_steal<py::object>(PyNumber_Index(i.ptr()));
    if (!as_index) {
      PyErr_Clear();
      throw py::index_error("only integers index an element, not " +
                            py::str(py::type::of(i).attr("__name__")).cast<std::string>());
    }
    const Py_ssize_t v = PyNumber_AsSsize_t(as_index.ptr(), nullptr);
    if (v == -1 && PyErr_Occurred()) {
      PyErr_Clear();
      throw py::index_error("index " + py::str(as_index).cast<std::string>() +
                            " does not fit in an index");
    }
    return v;
  };
  std::vector<py::ssize_t> position;
  if (py::isinstance<py::tuple>(index)) {
    for (const py::handle i : index) position.push_back(entry(i));
  } else {
    position.push_back(entry(index));
  }
  const auto rank = static_cast<std::size_t>(array.ndim());
  if (position.size() != rank) {
    throw py::index_error(
        "an atomic operation needs one index per dimension: " + std::to_string(rank) +
        " for this array, " + std::to_string(position.size()) + " given");
  }
  auto* address = static_cast<std::byte*>(const_cast<void*>(array.data()));
  for (std::size_t k = 0; k < rank; ++k) {
    const auto extent = array.shape(static_cast<py::ssize_t>(k));
    py::ssize_t i = position[k];
    if (i < 0) i += extent;
    if (i < 0 || i >= extent) {
      throw py::index_error("index " + std::to_string(position[k]) + " is out of bounds for axis " +
                            std::to_string(k) + " with size " + std::to_string(extent));
    }
    address += i * array.strides(static_cast<py::ssize_t>(k));
  }
  return address;
}

// Calls fn(T{}) with the C++ type of `array`'s elements: integers of 1 to 8 bytes, float32 and
// float64, in native byte order. Throws py::type_error for other dtypes.
template <class Fn>
py::object with_element_type(const py::array& array, Fn&& fn) {
  const py::dtype type = array.dtype();
  const char kind = type.kind();
  const auto size = type.itemsize();
  const bool native = type.attr("isnative").cast<bool>();
  if (native && kind == 'i') {
    if (size == 1) return fn(std::int8_t{});
    if (size == 2) return fn(std::int16_t{});
    if (size == 4) return fn(std::int32_t{});
    if (size == 8) return fn(std::int64_t{});
  } else if (native && kind == 'u') {
    if (size == 1) return fn(std::uint8_t{});
    if (size == 2) return fn(std::uint16_t{});
    if (size == 4) return fn(std::uint32_t{});
    if (size == 8) return fn(std::uint64_t{});
  } else if (native && kind == 'f') {
    if (size == 4) return fn(float{});
    if (size == 8) return fn(double{});
  }
  throw py::type_error("atomic operations need native-order integers, float32 or float64, not " +
                       py::str(py::handle(type)).cast<std::string>());
}

// The element of `array` at `index` as a std::atomic_ref<T>, after checking that the array is
// writable and the element aligned. Throws py::value_error, py::index_error.
template <class T>
std::atomic_ref<T> element(const py::array& array, const py::object& index) {
  static_assert(std::atomic_ref<T>::is_always_lock_free,
                "only always-lock-free atomics work across processes");
  if (!array.writeable()) throw py::value_error("atomic update of a read-only array");
  std::byte* address = element_address(array, index);
  if (reinterpret_cast<std::uintptr_t>(address) % std::atomic_ref<T>::required_alignment != 0) {
    throw py::value_error("the element is not aligned to " +
                          std::to_string(std::atomic_ref<T>::required_alignment) +
                          " bytes, as atomic access requires");
  }
  return std::atomic_ref<T>(*reinterpret_cast<T*>(address));
}

// `value` converted to T, refusing values T cannot hold. Throws py::type_error for anything
// but a number (an integer for integer elements), std::overflow_error (OverflowError, as numpy
// raises) for an integer outside T's range.
template <class T>
T value_as(const py::object& value) {
  const auto type_name = [&] {
    return py::str(py::type::of(value).attr("__name__")).cast<std::string>();
  };
  if constexpr (std::is_floating_point_v<T>) {
    const auto number = py::reinterpret_steal<py::object>(
        PyUnicode_Check(value.ptr()) || PyBytes_Check(value.ptr()) ? nullptr
                                                                   : PyNumber_Float(value.ptr()));
    if (!number) {
      PyErr_Clear();
      throw py::type_error("a float element needs a number, not " + type_name());
    }
    return static_cast<T>(PyFloat_AsDouble(number.ptr()));
  } else {
    const auto index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!index) {
      PyErr_Clear();
      throw py::type_error("an integer element needs an integer, not " + type_name());
    }
    const auto out_of_range = [&] {
      return std::overflow_error("Python int " + py::str(index).cast<std::string>() +
                                 " does not fit the array's " + std::to_string(8 * sizeof(T)) +
                                 "-bit " + (std::is_signed_v<T> ? "signed" : "unsigned") +
                                 " elements");
    };
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if constexpr (std::is_signed_v<T>) {
      if (overflow != 0 || v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
        throw out_of_range();
      return static_cast<T>(v);
    } else {
      if (overflow < 0 || (overflow == 0 && v < 0)) throw out_of_range();
      const unsigned long long u = PyLong_AsUnsignedLongLong(index.ptr());
      if (PyErr_Occurred()) {
        PyErr_Clear();
        throw out_of_range();
      }
      if (u > std::numeric_limits<T>::max()) throw out_of_range();
      return static_cast<T>(u);
    }
  }
}

// A numpy scalar of the array's dtype holding `value`.
template <class T>
py::object scalar(const py::array& array, T value) {
  return array.dtype().attr("type")(value);
}

// The numpy array an atomic operation works on. Throws py::type_error for other objects.
py::array array_of(const py::object& value) {
  if (!py::isinstance<py::array>(value)) {
    throw py::type_error(
        "atomic operations work on numpy arrays, not " +
        py::str(py::type::of(value).attr("__name__")).cast<std::string>());
  }
  return value.cast<py::array>();
}

py::object atomic_add(const py::args& args, const py::kwargs& kwargs) {
  const auto a = bind({"atomic_add", {"array", "index", "value"}, 3}, args, kwargs);
  const py::array array = array_of(a[0]);
  const py::object& index = a[1];
  const py::object& value = a[2];
  return with_element_type(array, [&](auto zero) {
    using T = decltype(zero);
    const T addend = value_as<T>(value);
    return scalar(array, element<T>(array, index).fetch_add(addend, std::memory_order_seq_cst));
  });
}

py::object compare_exchange(const py::args& args, const py::kwargs& kwargs) {
  const auto a =
      bind({"compare_exchange", {"array", "index", "expected", "desired"}, 4}, args, kwargs);
  const py::array array = array_of(a[0]);
  const py::object& index = a[1];
  const py::object& expected = a[2];
  const py::object& desired = a[3];
  return with_element_type(array, [&](auto zero) -> py::object {
    using T = decltype(zero);
    T seen = value_as<T>(expected);
    const T wanted = value_as<T>(desired);
    const bool swapped =
        element<T>(array, index).compare_exchange_strong(seen, wanted, std::memory_order_seq_cst);
    return py::make_tuple(swapped, scalar(array, seen));
  });
}

}  // namespace

void bind_atomics(py::module_& module) {
  module.def("atomic_add", &atomic_add, R"doc(atomic_add(array, index, value)

Atomically adds `value` to array[index] and returns the element's previous value (a numpy
scalar of the array's dtype), like C++'s fetch_add. Integers wrap around on overflow.

The update is one lock-free hardware operation (sequentially consistent), so it is exact
when several threads or processes update the same element at once: over maparray.shared()
memory, or a file mapped 'r+' by each process. `index` is an int for a 1-d array or a tuple
with one entry per dimension. The array must be writable and hold native-order integers,
float32 or float64, with the element aligned to its size.
Raises IndexError, TypeError (other dtypes, a value that is not a number), ValueError
(read-only, misaligned), OverflowError (a value the element type cannot hold).
)doc");
  module.def("compare_exchange", &compare_exchange, R"doc(compare_exchange(array, index, expected, desired)

Atomically sets array[index] to `desired` if it equals `expected`. Returns (swapped, previous):
whether the element was replaced, and the value it held (equal to `expected` when swapped).

    swapped, owner = maparray.compare_exchange(claims, slot, 0, my_id)   # claim a free slot

Floats are compared by their bits (so -0.0 differs from 0.0 and a NaN can match itself).
The same requirements and errors as atomic_add.
)doc");
}

}  // namespace maparray::python
