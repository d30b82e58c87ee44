#include "compute_bindings.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "maparray/compute.hpp"
#include "mapping_object.hpp"

namespace maparray::python {
namespace {

// The Mapping a numpy array's memory lies in, found through its chain of bases, or an empty
// handle. Never throws except py::error_already_set.
mapping storage_of(const py::array& a) {
  py::object base = a;
  for (int depth = 0; depth < 1000 && !base.is_none(); ++depth) {
    if (py::isinstance<mapping_object>(base)) {
      const mapping& m = base.cast<const mapping_object&>().storage();
      const auto* first = static_cast<const std::byte*>(a.data());
      const bool inside = m.is_open() && m.data() != nullptr && first >= m.data() &&
                          first + a.nbytes() <= m.data() + m.size();
      return inside ? m : mapping();
    }
    if (PyMemoryView_Check(base.ptr())) {
      base = py::reinterpret_borrow<py::object>(PyMemoryView_GET_BUFFER(base.ptr())->obj
                                                    ? PyMemoryView_GET_BUFFER(base.ptr())->obj
                                                    : Py_None);
    } else {
      base = py::getattr(base, "base", py::none());
    }
  }
  return {};
}

// `a` as an array<T>: over its Mapping if it has one (so the engine can read ahead and drop
// pages behind), otherwise over its memory borrowed for the call. Throws py::value_error for
// strides that are not whole elements or memory not aligned for T.
template <class T>
array<T> as_array(const py::array& a, const char* role) {
  const auto rank = static_cast<std::size_t>(a.ndim());
  std::vector<index_t> shape(rank);
  std::vector<index_t> strides(rank);
  for (std::size_t k = 0; k < rank; ++k) {
    shape[k] = a.shape(static_cast<py::ssize_t>(k));
    const auto s = a.strides(static_cast<py::ssize_t>(k));
    if (s % static_cast<py::ssize_t>(sizeof(T)) != 0) {
      throw py::value_error(std::string(role) + " has strides that are not whole elements");
    }
    strides[k] = s / static_cast<index_t>(sizeof(T));
  }
  auto* data = static_cast<T*>(const_cast<void*>(a.data()));
  if (reinterpret_cast<std::uintptr_t>(data) % alignof(T) != 0) {
    throw py::value_error(std::string(role) + " is not aligned for its element type");
  }
  mapping storage = storage_of(a);
  if (!storage.is_open()) {
    const auto extent = detail::covered_bytes(shape, strides, static_cast<index_t>(sizeof(T)));
    auto* first = reinterpret_cast<std::byte*>(data) + extent.first;
    storage = mapping::borrow({first, static_cast<std::size_t>(extent.size)}, a.writeable());
  }
  return array<T>(data, dims(std::span<const index_t>(shape)),
                  dims(std::span<const index_t>(strides)), storage.lease());
}

// Calls fn(T{}) for the element type of `type`: native-order integers and float32/float64.
// Throws py::type_error otherwise.
template <class Fn>
decltype(auto) with_type(const py::dtype& type, Fn&& fn) {
  const char kind = type.kind();
  const auto size = type.itemsize();
  if (type.attr("isnative").cast<bool>()) {
    if (kind == 'i' && size == 1) return fn(std::int8_t{});
    if (kind == 'i' && size == 2) return fn(std::int16_t{});
    if (kind == 'i' && size == 4) return fn(std::int32_t{});
    if (kind == 'i' && size == 8) return fn(std::int64_t{});
    if (kind == 'u' && size == 1) return fn(std::uint8_t{});
    if (kind == 'u' && size == 2) return fn(std::uint16_t{});
    if (kind == 'u' && size == 4) return fn(std::uint32_t{});
    if (kind == 'u' && size == 8) return fn(std::uint64_t{});
    if (kind == 'f' && size == 4) return fn(float{});
    if (kind == 'f' && size == 8) return fn(double{});
  }
  throw py::type_error("maparray computes on native-order integers, float32 and float64, not " +
                       py::str(py::handle(type)).cast<std::string>());
}

exec_options options_of(const std::optional<unsigned>& threads,
                        const std::optional<std::size_t>& memory_budget) {
  return {.threads = threads.value_or(0), .memory_budget = memory_budget.value_or(0)};
}

template <class Op>
py::object binary(const py::object& x, const py::object& y, const py::object& out,
                  std::optional<unsigned> threads, std::optional<std::size_t> memory_budget) {
  const bool x_array = py::isinstance<py::array>(x);
  const bool y_array = py::isinstance<py::array>(y);
  if (!x_array && !y_array) throw py::type_error("at least one operand must be a numpy array");
  const py::array first = (x_array ? x : y).cast<py::array>();
  const py::dtype type = first.dtype();
  if (x_array && y_array && !type.equal(y.cast<py::array>().dtype())) {
    throw py::type_error("both arrays must have one dtype (" +
                         py::str(py::handle(type)).cast<std::string>() + " and " +
                         py::str(y.attr("dtype")).cast<std::string>() + ")");
  }
  py::array result;
  if (out.is_none()) {
    result = py::module_::import("numpy").attr("empty_like")(first);
  } else {
    result = out.cast<py::array>();
    if (!result.dtype().equal(type)) {
      throw py::type_error("out must have the operands' dtype " +
                           py::str(py::handle(type)).cast<std::string>());
    }
    if (!result.writeable()) throw py::value_error("out is read-only");
  }
  const exec_options opts = options_of(threads, memory_budget);
  with_type(type, [&](auto zero) {
    using T = decltype(zero);
    const array<T> target = as_array<T>(result, "out");
    if (x_array && y_array) {
      const array<const T> a = as_array<T>(x.cast<py::array>(), "the first operand");
      const array<const T> b = as_array<T>(y.cast<py::array>(), "the second operand");
      py::gil_scoped_release unlocked;
      transform(target, Op{}, a, b, opts);
    } else if (x_array) {
      const array<const T> a = as_array<T>(x.cast<py::array>(), "the first operand");
      const T s = y.cast<T>();
      py::gil_scoped_release unlocked;
      transform(
          target, [s](T v) { return Op{}(v, s); }, a, opts);
    } else {
      const T s = x.cast<T>();
      const array<const T> b = as_array<T>(y.cast<py::array>(), "the second operand");
      py::gil_scoped_release unlocked;
      transform(
          target, [s](T v) { return Op{}(s, v); }, b, opts);
    }
    return 0;
  });
  return result;
}

// A numpy scalar of `type` (a numpy type name) holding `value`.
template <class V>
py::object scalar(const char* type, V value) {
  return py::module_::import("numpy").attr(type)(value);
}

template <class Reduce>
py::object reduction(const py::array& a, std::optional<unsigned> threads,
                     std::optional<std::size_t> memory_budget, Reduce reduce) {
  const exec_options opts = options_of(threads, memory_budget);
  return with_type(a.dtype(), [&](auto zero) -> py::object {
    using T = decltype(zero);
    const array<const T> in = as_array<T>(a, "the array");
    const auto value = [&] {
      py::gil_scoped_release unlocked;
      return reduce(in, opts);
    }();
    using V = std::remove_cv_t<decltype(value)>;
    if constexpr (std::is_same_v<V, T>) {
      return a.dtype().attr("type")(value);
    } else if constexpr (std::is_floating_point_v<V>) {
      return scalar("float64", value);
    } else if constexpr (std::is_signed_v<V>) {
      return scalar("int64", value);
    } else {
      return scalar("uint64", value);
    }
  });
}

constexpr const char* binary_doc = R"doc(
Elementwise {} of x and y into `out` (a new in-memory array if None), computed by maparray's
out-of-core engine without holding the GIL: in chunks, on `threads` threads (default: one per
core), reading the next chunks of mapped inputs ahead and, with a `memory_budget` in bytes,
writing finished output back early and dropping finished pages so that the pages kept
resident stay within the budget, whatever the size of the files.

x and y are arrays of one dtype (native-order integers, float32 or float64) and one shape, or
one of them is a scalar converted to that dtype; out has the same dtype and shape and may be
one of the inputs. Integers wrap around on overflow, as in numpy.
Returns out. Raises TypeError (mixed or unsupported dtypes), ValueError (shapes differ, a
read-only out), OSError (writing back failed).
)doc";

template <class Op>
void define_binary(py::module_& module, const char* name, const char* what, const char* extra) {
  std::string doc = binary_doc;
  doc.replace(doc.find("{}"), 2, what);
  doc += extra;
  module.def(name, &binary<Op>, py::arg("x"), py::arg("y"), py::arg("out") = py::none(),
             py::kw_only(), py::arg("threads") = py::none(), py::arg("memory_budget") = py::none(),
             doc.c_str());
}

}  // namespace

void bind_compute(py::module_& module) {
  define_binary<op::add>(module, "add", "sum", "");
  define_binary<op::subtract>(module, "subtract", "difference", "");
  define_binary<op::multiply>(module, "multiply", "product", "");
  define_binary<op::divide>(module, "divide", "quotient",
                            "Integer division truncates toward zero and x / 0 is 0 (numpy's "
                            "divide would give floats; use float arrays for true division).\n");
  define_binary<op::minimum>(module, "minimum", "minimum", "NaN propagates, as in numpy.\n");
  define_binary<op::maximum>(module, "maximum", "maximum", "NaN propagates, as in numpy.\n");

  module.def(
      "sum",
      [](const py::array& a, std::optional<unsigned> threads,
         std::optional<std::size_t> memory_budget) {
        return reduction(a, threads, memory_budget,
                         [](const auto& in, const exec_options& o) { return sum(in, o); });
      },
      py::arg("a"), py::kw_only(), py::arg("threads") = py::none(),
      py::arg("memory_budget") = py::none(), R"doc(
The sum of all elements, computed by the out-of-core engine without the GIL (see add): a
numpy.float64 for float arrays (added pairwise, so the error stays near one rounding even over
billions of elements; numpy's float32 sum returns float32), numpy.int64 / numpy.uint64 for
integers (wrapping on overflow). 0 for an empty array.
)doc");
  module.def(
      "mean",
      [](const py::array& a, std::optional<unsigned> threads,
         std::optional<std::size_t> memory_budget) {
        return reduction(a, threads, memory_budget,
                         [](const auto& in, const exec_options& o) { return mean(in, o); });
      },
      py::arg("a"), py::kw_only(), py::arg("threads") = py::none(),
      py::arg("memory_budget") = py::none(),
      "The arithmetic mean as a numpy.float64 (see sum). Raises ValueError for an empty array.");
  module.def(
      "min",
      [](const py::array& a, std::optional<unsigned> threads,
         std::optional<std::size_t> memory_budget) {
        return reduction(a, threads, memory_budget,
                         [](const auto& in, const exec_options& o) { return min(in, o); });
      },
      py::arg("a"), py::kw_only(), py::arg("threads") = py::none(),
      py::arg("memory_budget") = py::none(),
      "The smallest element, as a scalar of the array's dtype; NaN if any element is NaN. "
      "Raises ValueError for an empty array.");
  module.def(
      "max",
      [](const py::array& a, std::optional<unsigned> threads,
         std::optional<std::size_t> memory_budget) {
        return reduction(a, threads, memory_budget,
                         [](const auto& in, const exec_options& o) { return max(in, o); });
      },
      py::arg("a"), py::kw_only(), py::arg("threads") = py::none(),
      py::arg("memory_budget") = py::none(),
      "The largest element, as a scalar of the array's dtype; NaN if any element is NaN. "
      "Raises ValueError for an empty array.");
}

}  // namespace maparray::python
