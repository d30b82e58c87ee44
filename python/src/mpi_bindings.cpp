// The extension module maparray._maparray_mpi, the compiled part of maparray.mpi (see
// python/maparray/mpi.py, which turns mpi4py communicators, indices and values into what these
// functions take). It is separate from maparray._maparray so that `import maparray` never
// loads MPI. It shares maparray._maparray's types (Mapping) and error translations, which
// pybind11 keeps in one registry for all modules; it imports that module first.
//
// MPI calls are made with the GIL held: MPI is initialized with MPI_THREAD_SERIALIZED, and the
// GIL is what keeps two Python threads from calling it at once.
#include <mpi.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "arguments.hpp"
#include "maparray/mpi.hpp"
#include "maparray/npy.hpp"
#include "mapping_object.hpp"

namespace maparray::python {
namespace {

namespace mm = maparray::mpi;

// An mpi4py communicator's Fortran handle (Comm.py2f()) as a C handle.
MPI_Comm comm_of(std::int64_t handle) {
  return MPI_Comm_f2c(static_cast<MPI_Fint>(handle));
}

// A numpy descr (the repr of numpy.lib.format.dtype_to_descr) as the library's dtype.
dtype dtype_of_descr(const std::string& descr) {
  return npy::parse_descr(descr);
}

dims index_of(const std::vector<index_t>& index) {
  return dims(std::span<const index_t>(index));
}

mm::accumulate_op op_of(std::string_view name) {
  static const std::pair<std::string_view, mm::accumulate_op> names[] = {
      {"sum", mm::accumulate_op::sum},   {"prod", mm::accumulate_op::prod},
      {"min", mm::accumulate_op::min},   {"max", mm::accumulate_op::max},
      {"band", mm::accumulate_op::band}, {"bor", mm::accumulate_op::bor},
      {"bxor", mm::accumulate_op::bxor}, {"replace", mm::accumulate_op::replace},
  };
  for (const auto& [text, op] : names) {
    if (text == name) return op;
  }
  throw py::value_error(
      "op must be one of 'sum', 'prod', 'min', 'max', 'band', 'bor', 'bxor', 'replace', not '" +
      std::string(name) + "'");
}

std::span<std::byte> bytes_of(py::array& a) {
  return {static_cast<std::byte*>(a.mutable_data()), static_cast<std::size_t>(a.nbytes())};
}
std::span<const std::byte> bytes_of(const py::array& a) {
  return {static_cast<const std::byte*>(a.data()), static_cast<std::size_t>(a.nbytes())};
}

mm::open_options open_options_of(std::string_view mode, std::int64_t offset,
                                 const std::vector<index_t>& rows, bool page_aligned) {
  return {
      .mode = mode_of(mode), .offset = offset, .rows_per_rank = rows, .page_aligned = page_aligned};
}

mm::create_options create_options_of(bool overwrite, bool sparse, const std::vector<index_t>& rows,
                                     bool page_aligned) {
  return {.overwrite = overwrite,
          .sparse = sparse,
          .rows_per_rank = rows,
          .page_aligned = page_aligned};
}

// The local slab as a numpy array of `type`, whose base is a new maparray.Mapping.
py::array local_of(const mm::any_global_array& a, const py::dtype& type) {
  const any_array& slab = a.local();
  return make_array(wrap_mapping(slab.storage()), type, slab.data(), slab.shape(),
                    slab.byte_strides(), slab.writable());
}

exec_options exec_of(std::optional<unsigned> threads, std::optional<std::size_t> budget) {
  return {.threads = threads.value_or(0), .memory_budget = budget.value_or(0)};
}

// Calls fn(T{}) for the array's element type: native-order integers, float32 and float64, the
// types of maparray's Python compute. Throws py::type_error otherwise.
template <class Fn>
py::object with_type(const dtype& type, Fn&& fn) {
  if (type.is_native() && type.kind() == dtype_kind::signed_integer) {
    switch (type.itemsize()) {
      case 1:
        return fn(std::int8_t{});
      case 2:
        return fn(std::int16_t{});
      case 4:
        return fn(std::int32_t{});
      case 8:
        return fn(std::int64_t{});
    }
  } else if (type.is_native() && type.kind() == dtype_kind::unsigned_integer) {
    switch (type.itemsize()) {
      case 1:
        return fn(std::uint8_t{});
      case 2:
        return fn(std::uint16_t{});
      case 4:
        return fn(std::uint32_t{});
      case 8:
        return fn(std::uint64_t{});
    }
  } else if (type.is_native() && type.kind() == dtype_kind::floating) {
    if (type.itemsize() == 4) return fn(float{});
    if (type.itemsize() == 8) return fn(double{});
  }
  throw py::type_error("maparray computes on native-order integers, float32 and float64, not " +
                       type.str());
}

// out = x OP y over distributed arrays, one of x and y possibly a Python number.
template <class Op>
void binary(const py::object& x, const py::object& y, const mm::any_global_array& out,
            std::optional<unsigned> threads, std::optional<std::size_t> budget) {
  const bool x_array = py::isinstance<mm::any_global_array>(x);
  const bool y_array = py::isinstance<mm::any_global_array>(y);
  const exec_options opts = exec_of(threads, budget);
  with_type(out.type(), [&](auto zero) {
    using T = decltype(zero);
    const auto o = out.as<T>();
    const auto array = [](const py::object& v) { return v.cast<mm::any_global_array>().as<T>(); };
    if (x_array && y_array) {
      Op{}(array(x), array(y), o, opts);
    } else if (x_array) {
      Op{}(array(x), y.cast<T>(), o, opts);
    } else if (y_array) {
      Op{}(x.cast<T>(), array(y), o, opts);
    } else {
      throw py::type_error("at least one operand must be a distributed array");
    }
    return py::none();
  });
}

// The distributed named operations as function objects, so that binary() can take them.
#define MAPARRAY_MPI_OPERATION(name)                                                       \
  struct name##_op {                                                                       \
    template <class X, class Y, class Out>                                                 \
    void operator()(const X& x, const Y& y, const Out& out, const exec_options& o) const { \
      mm::name(x, y, out, o);                                                              \
    }                                                                                      \
  };
MAPARRAY_MPI_OPERATION(add)
MAPARRAY_MPI_OPERATION(subtract)
MAPARRAY_MPI_OPERATION(multiply)
MAPARRAY_MPI_OPERATION(divide)
MAPARRAY_MPI_OPERATION(minimum)
MAPARRAY_MPI_OPERATION(maximum)
#undef MAPARRAY_MPI_OPERATION

// A reduction's result as the numpy scalar maparray.sum and friends return: the array's dtype
// for min and max, float64, int64 or uint64 for sum, float64 for mean.
template <class T, class V>
py::object scalar_of(V value) {
  const py::module_ numpy = py::module_::import("numpy");
  if constexpr (std::is_same_v<V, T>) {
    return numpy.attr("dtype")(dtype_of<T>().str()).attr("type")(value);
  } else if constexpr (std::is_floating_point_v<V>) {
    return numpy.attr("float64")(value);
  } else if constexpr (std::is_signed_v<V>) {
    return numpy.attr("int64")(value);
  } else {
    return numpy.attr("uint64")(value);
  }
}

py::object reduction(std::string_view name, const mm::any_global_array& a,
                     std::optional<unsigned> threads, std::optional<std::size_t> budget) {
  const exec_options opts = exec_of(threads, budget);
  return with_type(a.type(), [&](auto zero) -> py::object {
    using T = decltype(zero);
    const auto in = a.as<const T>();
    if (name == "sum") return scalar_of<T>(mm::sum(in, opts));
    if (name == "mean") return scalar_of<T>(mm::mean(in, opts));
    if (name == "min") return scalar_of<T>(mm::min(in, opts));
    if (name == "max") return scalar_of<T>(mm::max(in, opts));
    throw py::value_error("no reduction named '" + std::string(name) + "'");
  });
}

// Raises OSError(errno, strerror, filename) as maparray._maparray does, keeping the part of the
// message that says which rank failed in which call: "rank 2 of 4: open 'x.npy': No such file
// or directory" becomes OSError(2, "No such file or directory (rank 2 of 4: open)", "x.npy").
void set_os_error(const std::system_error& e) {
  std::string text = e.what();
  const std::string reason = e.code().message();
  if (text.ends_with(": " + reason)) text.resize(text.size() - reason.size() - 2);
  py::object filename = py::none();
  const auto quote = text.find(" '");
  if (quote != std::string::npos && text.ends_with('\'') && text.size() >= quote + 3) {
    const std::string path = text.substr(quote + 2, text.size() - quote - 3);
    filename = py::reinterpret_steal<py::object>(
        PyUnicode_DecodeFSDefaultAndSize(path.data(), static_cast<Py_ssize_t>(path.size())));
    if (!filename) {
      PyErr_Clear();
      filename = py::none();
    }
    text.resize(quote);
  }
  const py::tuple args =
      py::make_tuple(e.code().value(), reason + " (" + text + ")", std::move(filename));
  PyErr_SetObject(PyExc_OSError, args.ptr());
}

void bind_global_array(py::module_& module) {
  py::class_<mm::any_global_array> cls(module, "_GlobalArray",
                                       "A distributed array; use maparray.mpi.GlobalArray.");
  cls.def("_local", &local_of, py::arg("dtype"));
  cls.def("_info", [](const mm::any_global_array& a) {
    py::dict info;
    info["shape"] = py::tuple(py::cast(std::vector<index_t>(a.shape().begin(), a.shape().end())));
    info["descr"] = npy::format_descr(a.type());
    info["rows_per_rank"] = a.blocks().counts();
    info["rank"] = a.rank();
    info["ranks"] = a.ranks();
    info["path"] = a.path();
    info["mode"] = mode_name(a.mode());
    info["page_aligned"] = a.page_aligned();
    info["data_offset"] = a.data_offset();
    return info;
  });
  cls.def_property_readonly("_open", &mm::any_global_array::is_open);
  cls.def("_owner", [](const mm::any_global_array& a, const std::vector<index_t>& index) {
    return a.owner(index_of(index));
  });
  cls.def("_to_local", [](const mm::any_global_array& a, const std::vector<index_t>& index) {
    const auto where = a.to_local(index_of(index));
    return py::make_tuple(
        where.rank,
        py::tuple(py::cast(std::vector<index_t>(where.index.begin(), where.index.end()))));
  });
  cls.def("_to_global",
          [](const mm::any_global_array& a, int rank, const std::vector<index_t>& index) {
            const dims g = a.to_global(rank, index_of(index));
            return py::tuple(py::cast(std::vector<index_t>(g.begin(), g.end())));
          });
  cls.def("_get", [](const mm::any_global_array& a, const std::vector<index_t>& start,
                     py::array out) { a.get(index_of(start), bytes_of(out)); });
  cls.def("_put", [](const mm::any_global_array& a, const std::vector<index_t>& start,
                     const py::array& in) { a.put(index_of(start), bytes_of(in)); });
  cls.def("_accumulate",
          [](const mm::any_global_array& a, const std::vector<index_t>& start, const py::array& in,
             std::string_view op) { a.accumulate(index_of(start), bytes_of(in), op_of(op)); });
  cls.def("_fetch_op",
          [](const mm::any_global_array& a, const std::vector<index_t>& index,
             const std::optional<py::array>& operand, py::array result, std::string_view op) {
            a.fetch_op(index_of(index), operand ? operand->data() : nullptr, result.mutable_data(),
                       op_of(op));
          });
  cls.def("_compare_exchange", [](const mm::any_global_array& a, const std::vector<index_t>& index,
                                  py::array expected, const py::array& desired) {
    return a.compare_exchange(index_of(index), expected.mutable_data(), desired.data());
  });
  cls.def("sync", &mm::any_global_array::sync);
  cls.def(
      "flush",
      [](const mm::any_global_array& a, bool sync) {
        a.flush(sync ? flush_mode::sync : flush_mode::async);
      },
      py::arg("sync") = true);
  cls.def("close", &mm::any_global_array::close);
}

}  // namespace
}  // namespace maparray::python

PYBIND11_MODULE(_maparray_mpi, module) {
  using namespace maparray::python;
  namespace mm = maparray::mpi;
  module.doc() = "The compiled part of maparray.mpi; use that module.";
  // Mapping and the translation of the library's exceptions are registered there.
  py::module_::import("maparray._maparray");
  py::register_local_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const std::system_error& e) {
      set_os_error(e);
    }
  });
  bind_global_array(module);

  module.def(
      "_open_npy", [](std::int64_t comm, const std::filesystem::path& path, std::string_view mode,
                      const std::vector<maparray::index_t>& rows, bool page_aligned) {
        return mm::open_npy(comm_of(comm), path, open_options_of(mode, 0, rows, page_aligned));
      });
  module.def("_map_file", [](std::int64_t comm, const std::filesystem::path& path,
                             const std::string& descr, const std::vector<maparray::index_t>& shape,
                             std::string_view mode, std::int64_t offset,
                             const std::vector<maparray::index_t>& rows, bool page_aligned) {
    return mm::map_file(comm_of(comm), path, dtype_of_descr(descr), shape,
                        open_options_of(mode, offset, rows, page_aligned));
  });
  module.def("_create", [](std::int64_t comm, const std::filesystem::path& path, bool npy,
                           const std::string& descr, const std::vector<maparray::index_t>& shape,
                           bool overwrite, bool sparse, const std::vector<maparray::index_t>& rows,
                           bool page_aligned) {
    const auto opts = create_options_of(overwrite, sparse, rows, page_aligned);
    const maparray::dtype type = dtype_of_descr(descr);
    return npy ? mm::create_npy(comm_of(comm), path, type, shape, opts)
               : mm::create_file(comm_of(comm), path, type, shape, opts);
  });
  module.def("_add", &binary<add_op>);
  module.def("_subtract", &binary<subtract_op>);
  module.def("_multiply", &binary<multiply_op>);
  module.def("_divide", &binary<divide_op>);
  module.def("_minimum", &binary<minimum_op>);
  module.def("_maximum", &binary<maximum_op>);
  module.def("_reduce", &reduction);
}
