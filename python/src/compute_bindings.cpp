#include "compute_bindings.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "maparray/compute.hpp"
#include "mapping_object.hpp"
#include "operands.hpp"

namespace maparray::python {
namespace {

// How a computation runs, from the keyword arguments every function takes, and the Ctrl-C
// handling: progress reports come between chunks, and on the main thread they run Python's
// signal handlers, so that a KeyboardInterrupt stops the computation within a chunk.
class engine_call {
 public:
  engine_call(const std::optional<unsigned>& threads, const py::object& memory_budget,
              const py::object& progress)
      : progress_(progress), main_(std::this_thread::get_id()) {
    opts_.threads = threads.value_or(0);
    opts_.memory_budget = budget_of(memory_budget);
    opts_.stop = stop_.get_token();
    if (progress.ptr() == Py_True) {
      const py::module_ tqdm = py::module_::import("tqdm");
      bar_ = tqdm.attr("tqdm")(py::arg("total") = 0, py::arg("unit") = "B",
                               py::arg("unit_scale") = true);
    } else if (!progress.is_none() && !PyCallable_Check(progress.ptr())) {
      throw py::type_error("progress is None, True (a tqdm bar) or a callable(done, total)");
    }
    opts_.progress = [this](std::uint64_t done, std::uint64_t total) { report(done, total); };
  }
  engine_call(const engine_call&) = delete;
  engine_call& operator=(const engine_call&) = delete;
  ~engine_call() {
    if (!bar_.is_none()) bar_.attr("close")();
  }

  const exec_options& options() const noexcept { return opts_; }

  // Runs fn without the GIL; rethrows a Python exception raised meanwhile (a KeyboardInterrupt,
  // or the progress callback's).
  template <class Fn>
  void run(Fn&& fn) {
    try {
      py::gil_scoped_release unlocked;
      fn();
    } catch (const cancelled_error&) {
      if (!error_) throw;
    }
    if (error_) {
      error_->restore();
      throw py::error_already_set();
    }
  }

 private:
  void report(std::uint64_t done, std::uint64_t total) {
    if (error_) return;
    const bool main = std::this_thread::get_id() == main_;
    if (!main && progress_.is_none()) return;
    py::gil_scoped_acquire locked;
    try {
      if (main && PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!bar_.is_none()) {
        bar_.attr("total") = total;
        bar_.attr("n") = done;
        bar_.attr("refresh")();
      } else if (!progress_.is_none()) {
        progress_(done, total);
      }
    } catch (py::error_already_set& e) {
      error_.emplace(std::move(e));
      stop_.request_stop();
    }
  }

  py::object progress_;
  py::object bar_ = py::none();
  std::thread::id main_;
  std::stop_source stop_;
  exec_options opts_;
  std::optional<py::error_already_set> error_;
};

// numpy.empty for a result, C order.
py::array new_result(const expression_result& r) {
  std::vector<py::ssize_t> shape(r.shape.begin(), r.shape.end());
  return py::array(py::dtype(r.type.str()), shape);
}

// NumPy returns a scalar, not a zero-dimensional array, when it made the result itself.
py::object as_result(const py::array& result, bool made) {
  if (made && result.ndim() == 0) return result[py::tuple()];
  return result;
}

casting casting_of(const std::string& text) {
  const auto rule = parse_casting(text);
  if (!rule) {
    throw py::value_error("casting must be one of 'no', 'equiv', 'safe', 'same_kind', 'unsafe'");
  }
  return *rule;
}

py::object call_ufunc(ufunc f, const std::vector<py::handle>& inputs, const py::object& out,
                      const std::string& rule, const std::optional<unsigned>& threads,
                      const py::object& memory_budget, const py::object& progress) {
  std::vector<operand> operands;
  for (const auto& x : inputs) operands.push_back(to_operand(x));
  const bool made = out.is_none();
  const py::array result = made ? new_result(describe(f, operands)) : out.cast<py::array>();
  const any_array target = to_any_array(result);
  engine_call call(threads, memory_budget, progress);
  call.run([&] { apply(f, operands, target, call.options(), casting_of(rule)); });
  return as_result(result, made);
}

constexpr const char* ufunc_doc = R"doc(
numpy.{0}, computed by maparray's engine in one pass without holding the GIL: the same result
dtype (NumPy 2's promotion: Python numbers are weak), broadcasting and values as numpy's.

out: an array of the broadcast shape to write into (a file-backed array for results bigger
    than memory); None: a new numpy array in memory, returned (a numpy scalar if every
    operand was a number).
casting: how the result may be cast into out, as numpy's ('same_kind').
threads: worker threads (None: one per core).
memory_budget: bytes of file pages the computation may keep resident (None: 64 MiB, the
    default of every face of maparray; math.inf: no bound, fastest when everything fits).
progress: None, a callable(done_bytes, total_bytes) called between chunks, or True for a
    tqdm progress bar.
Ctrl-C stops the computation within a chunk (out is then partly written).
Raises TypeError (no loop for the types, a result that may not be cast into out),
ValueError (shapes that do not broadcast), OverflowError (a Python int that does not fit),
OSError (writing back failed).
)doc";

std::string doc_for(std::string_view name) {
  std::string doc = ufunc_doc;
  doc.replace(doc.find("{0}"), 3, name);
  return doc;
}

void define_ufunc(py::module_& module, ufunc f) {
  const std::string name(maparray::name(f));
  const std::string doc = doc_for(name);
  switch (info(f).inputs) {
    case 1:
      module.def(
          name.c_str(),
          [f](const py::object& x, const py::object& out, const std::string& rule,
              std::optional<unsigned> threads, const py::object& budget,
              const py::object& progress) {
            return call_ufunc(f, {x}, out, rule, threads, budget, progress);
          },
          py::arg("x"), py::arg("out") = py::none(), py::kw_only(),
          py::arg("casting") = "same_kind", py::arg("threads") = py::none(),
          py::arg("memory_budget") = py::none(), py::arg("progress") = py::none(), doc.c_str());
      break;
    case 2:
      module.def(
          name.c_str(),
          [f](const py::object& x, const py::object& y, const py::object& out,
              const std::string& rule, std::optional<unsigned> threads, const py::object& budget,
              const py::object& progress) {
            return call_ufunc(f, {x, y}, out, rule, threads, budget, progress);
          },
          py::arg("x"), py::arg("y"), py::arg("out") = py::none(), py::kw_only(),
          py::arg("casting") = "same_kind", py::arg("threads") = py::none(),
          py::arg("memory_budget") = py::none(), py::arg("progress") = py::none(), doc.c_str());
      break;
    default:
      module.def(
          name.c_str(),
          [f](const py::object& condition, const py::object& x, const py::object& y,
              const py::object& out, const std::string& rule, std::optional<unsigned> threads,
              const py::object& budget, const py::object& progress) {
            return call_ufunc(f, {condition, x, y}, out, rule, threads, budget, progress);
          },
          py::arg("condition"), py::arg("x"), py::arg("y"), py::arg("out") = py::none(),
          py::kw_only(), py::arg("casting") = "same_kind", py::arg("threads") = py::none(),
          py::arg("memory_budget") = py::none(), py::arg("progress") = py::none(), doc.c_str());
      break;
  }
}

std::optional<int> axis_of(const py::object& axis) {
  if (axis.is_none()) return std::nullopt;
  if (py::isinstance<py::tuple>(axis)) {
    const auto t = axis.cast<py::tuple>();
    if (t.size() == 1) return t[0].cast<int>();
    throw py::value_error("maparray reduces over every axis or one axis, not " +
                          py::str(axis).cast<std::string>());
  }
  return axis.cast<int>();
}

py::object call_reduction(reduction r, const py::object& a, const py::object& axis,
                          const py::object& dtype_like, const py::object& out, bool keepdims,
                          const std::optional<unsigned>& threads, const py::object& budget,
                          const py::object& progress) {
  const operand input = to_operand(a);
  const any_array in =
      input.is_array()
          ? input.array()
          : to_any_array(py::module_::import("numpy").attr("asarray")(a).cast<py::array>());
  reduce_options how{.axis = axis_of(axis), .keepdims = keepdims};
  if (!dtype_like.is_none()) {
    const py::dtype type = py::dtype::from_args(dtype_like);
    how.type = dtype::parse(type.attr("str").cast<std::string>());
  }
  const bool made = out.is_none();
  py::array result;
  if (made) {
    const auto input_type = numeric_type_of(in.type());
    if (!input_type) throw py::type_error("not a numeric array");
    const auto requested = how.type ? numeric_type_of(*how.type) : std::nullopt;
    const dims shape = reduced_shape(in.shape(), how);
    result = new_result({to_dtype(reduction_result(r, *input_type, requested)), shape});
  } else {
    result = out.cast<py::array>();
  }
  const any_array target = to_any_array(result);
  engine_call call(threads, budget, progress);
  call.run([&] { reduce(r, in, target, how, call.options()); });
  return as_result(result, made);
}

void define_reduction(py::module_& module, reduction r, const char* doc) {
  module.def(
      std::string(name(r)).c_str(),
      [r](const py::object& a, const py::object& axis, const py::object& dtype,
          const py::object& out, bool keepdims, std::optional<unsigned> threads,
          const py::object& budget, const py::object& progress) {
        return call_reduction(r, a, axis, dtype, out, keepdims, threads, budget, progress);
      },
      py::arg("a"), py::arg("axis") = py::none(), py::arg("dtype") = py::none(),
      py::arg("out") = py::none(), py::arg("keepdims") = false, py::kw_only(),
      py::arg("threads") = py::none(), py::arg("memory_budget") = py::none(),
      py::arg("progress") = py::none(), doc);
}

py::object evaluate_py(const std::string& text, const py::dict& names, const py::object& out,
                       const std::string& rule, std::optional<unsigned> threads,
                       const py::object& budget, const py::object& progress) {
  const expression e = expression::parse(text);
  operand_map operands;
  for (const std::string& name : e.names()) {
    if (!names.contains(name)) {
      throw py::key_error("'" + name + "' is not defined (expression '" + text + "')");
    }
    operands.emplace(name, to_operand(names[name.c_str()]));
  }
  const bool made = out.is_none();
  const py::array result = made ? new_result(describe(e, operands)) : out.cast<py::array>();
  const any_array target = to_any_array(result);
  engine_call call(threads, budget, progress);
  call.run([&] { evaluate(e, operands, target, call.options(), casting_of(rule)); });
  return result;
}

// numpy.result_type of arrays, dtypes and Python numbers, by maparray's rules.
py::dtype result_type_py(const py::args& args) {
  std::vector<operand_type> types;
  for (const auto& x : args) {
    if (py::isinstance<py::dtype>(x) || py::isinstance<py::type>(x) || py::isinstance<py::str>(x)) {
      const py::dtype t = py::dtype::from_args(py::reinterpret_borrow<py::object>(x));
      const auto n = numeric_type_of(dtype::parse(t.attr("str").cast<std::string>()));
      if (!n) throw py::type_error("not a numeric dtype: " + py::str(x).cast<std::string>());
      types.push_back({*n, false});
      continue;
    }
    const operand o = to_operand(x);
    if (o.is_array()) {
      types.push_back({*numeric_type_of(o.array().type()), false});
    } else {
      types.push_back(o.number().type());
    }
  }
  if (types.empty()) throw py::type_error("at least one array or dtype is required");
  return py::dtype(std::string(name(result_type(types))));
}

}  // namespace

void bind_compute(py::module_& module) {
  for (std::size_t i = 0; i < ufunc_count; ++i) define_ufunc(module, static_cast<ufunc>(i));

  define_reduction(module, reduction::sum, R"doc(
numpy.sum, by maparray's engine in one pass without the GIL: the same dtype (int64 / uint64
for bools and narrower integers, the input's for floating point; `dtype` chooses the
accumulator), the same values (floating-point sums added pairwise). axis: None (every element)
or one axis. Returns a numpy scalar, or an array for an axis or keepdims. The keyword arguments
threads, memory_budget and progress are as for maparray.add.
)doc");
  define_reduction(module, reduction::prod, "numpy.prod, as maparray.sum.");
  define_reduction(module, reduction::min,
                   "numpy.min (amin), as maparray.sum: NaN propagates; ValueError for nothing.");
  define_reduction(module, reduction::max,
                   "numpy.max (amax), as maparray.sum: NaN propagates; ValueError for nothing.");
  define_reduction(module, reduction::mean,
                   "numpy.mean, as maparray.sum: float64 for integers, the input's type for "
                   "floating point; NaN for nothing.");
  define_reduction(module, reduction::any, "numpy.any, as maparray.sum.");
  define_reduction(module, reduction::all, "numpy.all, as maparray.sum.");

  module.def("_evaluate", &evaluate_py, py::arg("ex"), py::arg("names"), py::arg("out"),
             py::arg("casting"), py::arg("threads"), py::arg("memory_budget"), py::arg("progress"),
             "The work of maparray.evaluate, given the names' values in a dict.");
  module.def("result_type", &result_type_py, R"doc(
numpy.result_type by maparray's rules (NumPy 2, NEP 50): arrays, numpy scalars and dtypes are
strong, Python int, float and complex are weak. Raises TypeError for non-numeric types.
)doc");
}

}  // namespace maparray::python
