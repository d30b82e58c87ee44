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
#include "maparray/expression.hpp"
#include "maparray/mpi.hpp"
#include "maparray/npy.hpp"
#include "maparray/reduction.hpp"
#include "maparray/ufunc.hpp"
#include "mapping_object.hpp"
#include "operands.hpp"

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
  return {.existing = overwrite ? if_exists::replace : if_exists::fail,
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

exec_options exec_of(const py::object& threads, const py::object& budget) {
  return {.threads = threads.is_none() ? 0U : threads.cast<unsigned>(),
          .memory_budget = budget_of(budget)};
}

// A Python operand of the collective compute: a distributed array or a number (weak, as in
// maparray's other operations). Throws py::type_error for anything else.
mm::global_operand global_operand_of(const py::handle& x) {
  if (py::isinstance<mm::any_global_array>(x)) return x.cast<mm::any_global_array>();
  const operand o = to_operand(x);
  if (o.is_array()) {
    throw py::type_error("operands are GlobalArrays or numbers, not " +
                         py::str(py::type::of(x).attr("__name__")).cast<std::string>());
  }
  return o.number();
}

// out = name(inputs...) by the library's ufunc of that name, collectively.
void apply_py(std::string_view name, const py::sequence& inputs, const mm::any_global_array& out,
              const py::object& threads, const py::object& budget) {
  const auto f = ufunc_from_name(name);
  if (!f) throw py::value_error("no operation named '" + std::string(name) + "'");
  std::vector<mm::global_operand> operands;
  bool any_array = false;
  for (const py::handle x : inputs) {
    operands.push_back(global_operand_of(x));
    any_array = any_array || std::holds_alternative<mm::any_global_array>(operands.back());
  }
  if (!any_array) throw py::type_error("at least one operand must be a distributed array");
  mm::apply(*f, operands, out, exec_of(threads, budget));
}

// The whole-array reduction `name` as the numpy scalar maparray's reduction of the same name
// returns (numpy's result dtype).
py::object reduce_py(std::string_view name, const mm::any_global_array& a,
                     const py::object& threads, const py::object& budget) {
  const auto r = reduction_from_name(name);
  if (!r) throw py::value_error("no reduction named '" + std::string(name) + "'");
  const auto input = numeric_type_of(a.type());
  if (!input) throw py::type_error("maparray computes on numbers, not " + a.type().str());
  const dtype result = to_dtype(reduction_result(*r, *input));
  const py::module_ numpy = py::module_::import("numpy");
  const py::array out = numpy.attr("zeros")(py::tuple(), result.str());
  mm::reduce(*r, a, to_any_array(out), {}, exec_of(threads, budget));
  return out[py::tuple()];
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
  module.def("_apply", &apply_py);
  module.def("_evaluate", [](const std::string& text, const py::dict& names,
                             const mm::any_global_array& out, const py::object& threads,
                             const py::object& budget) {
    mm::global_operand_map operands;
    for (const auto& [name, value] : names) {
      operands.emplace(name.cast<std::string>(), global_operand_of(value));
    }
    mm::evaluate(maparray::expression::parse(text), operands, out, exec_of(threads, budget));
  });
  module.def("_reduce", &reduce_py);
}
