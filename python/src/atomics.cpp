#include "atomics.hpp"

#include <pybind11/numpy.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace maparray::python {
namespace py = pybind11;
namespace {

// The address of the element of `array` at `index` (an int for a 1-d array, or a tuple with
// one entry per dimension; negative entries count from the end, as in numpy). Throws
// py::index_error, py::type_error.
std::byte* element_address(const py::array& array, const py::object& index) {
  std::vector<py::ssize_t> position;
  if (py::isinstance<py::tuple>(index)) {
    for (const py::handle i : index) position.push_back(i.cast<py::ssize_t>());
  } else {
    position.push_back(index.cast<py::ssize_t>());
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

// `value` converted to T, refusing values T cannot hold. Throws py::type_error,
// py::value_error (integers out of range are an OverflowError from pybind11's conversion).
template <class T>
T value_as(const py::object& value) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(value.cast<double>());
  } else {
    const auto index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!index) throw py::error_already_set();
    if constexpr (std::is_signed_v<T>) {
      const auto v = index.cast<long long>();
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
        throw py::value_error(std::to_string(v) + " does not fit the array's element type");
      }
      return static_cast<T>(v);
    } else {
      const auto v = index.cast<unsigned long long>();
      if (v > std::numeric_limits<T>::max()) {
        throw py::value_error(std::to_string(v) + " does not fit the array's element type");
      }
      return static_cast<T>(v);
    }
  }
}

// A numpy scalar of the array's dtype holding `value`.
template <class T>
py::object scalar(const py::array& array, T value) {
  return array.dtype().attr("type")(value);
}

py::object atomic_add(const py::array& array, const py::object& index, const py::object& value) {
  return with_element_type(array, [&](auto zero) {
    using T = decltype(zero);
    const T addend = value_as<T>(value);
    return scalar(array, element<T>(array, index).fetch_add(addend, std::memory_order_seq_cst));
  });
}

py::object compare_exchange(const py::array& array, const py::object& index,
                            const py::object& expected, const py::object& desired) {
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
  module.def("atomic_add", &atomic_add, py::arg("array"), py::arg("index"), py::arg("value"),
             R"doc(
Atomically adds `value` to array[index] and returns the element's previous value (a numpy
scalar of the array's dtype), like C++'s fetch_add. Integers wrap around on overflow.

The update is one lock-free hardware operation (sequentially consistent), so it is exact
when several threads or processes update the same element at once: over maparray.shared()
memory, or a file mapped 'r+' by each process. `index` is an int for a 1-d array or a tuple
with one entry per dimension. The array must be writable and hold native-order integers,
float32 or float64, with the element aligned to its size.
Raises IndexError, TypeError (other dtypes), ValueError (read-only, misaligned, a value the
element type cannot hold).
)doc");
  module.def("compare_exchange", &compare_exchange, py::arg("array"), py::arg("index"),
             py::arg("expected"), py::arg("desired"), R"doc(
Atomically sets array[index] to `desired` if it equals `expected`. Returns (swapped, previous):
whether the element was replaced, and the value it held (equal to `expected` when swapped).

    swapped, owner = maparray.compare_exchange(claims, slot, 0, my_id)   # claim a free slot

Floats are compared by their bits (so -0.0 differs from 0.0 and a NaN can match itself).
The same requirements and errors as atomic_add.
)doc");
}

}  // namespace maparray::python
