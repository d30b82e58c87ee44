// maparray eval | add sub mul div minimum maximum | sum prod min max mean any all: the library's
// run-time computations (expression.hpp, elementwise.hpp, reduction.hpp) over files, one
// streaming pass each, with NumPy's semantics. This file only parses arguments, opens files,
// creates the output and reports.
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli_error.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "maparray/compute.hpp"
#include "output.hpp"
#include "print_array.hpp"
#include "progress.hpp"
#include "staged_output.hpp"

namespace maparray::cli {
namespace {

// What every computing command takes besides its operands.
struct run_options {
  raw_layout raw;
  unsigned threads = std::max(1U, std::thread::hardware_concurrency());
  std::string memory_budget;  // default: the library's default
  bool force = false;
};

void add_run_options(CLI::App& cmd, run_options& o) {
  add_raw_layout_options(cmd, o.raw);
  cmd.add_option("--threads", o.threads, "threads to compute with (default: all cores)")
      ->check(CLI::Range(1U, 1024U));
  cmd.add_option("--memory-budget", o.memory_budget,
                 "bound on the file pages the pass keeps resident: 64M, 1G (default 64M)")
      ->check(size_validator());
}

exec_options engine_options(const run_options& o, progress_bar& progress) {
  exec_options opts{
      .threads = o.threads,
      .progress = [&progress](std::uint64_t done, std::uint64_t) { progress.update(done); }};
  if (!o.memory_budget.empty())
    opts.memory_budget = static_cast<std::size_t>(parse_size(o.memory_budget));
  return opts;
}

// An operand given on the command line: a number (weak, as in Python) or a file.
struct opened_operand {
  std::optional<opened_array> file;
  operand value;
};

opened_operand open_operand(const std::string& text, const raw_layout& raw) {
  std::error_code ec;
  if (!std::filesystem::exists(text, ec)) {
    try {
      return {std::nullopt, operand(scalar::parse(text))};
    } catch (const std::invalid_argument&) {
      // Neither a number nor an existing file: report the missing file.
    }
  }
  opened_array file = open_input(text, raw);
  operand value(file.array);
  return {std::move(file), std::move(value)};
}

// The bytes a pass moves, for the progress bar: every array read and the output written.
std::uint64_t bytes_moved(const std::vector<const any_array*>& arrays, const any_array& out) {
  std::uint64_t elements = out.size();
  std::uint64_t per_element = static_cast<std::uint64_t>(out.type().itemsize());
  for (const any_array* a : arrays) per_element += static_cast<std::uint64_t>(a->type().itemsize());
  return elements * per_element;
}

// Creates `target` for a result of `result`, runs `compute(out)` into it, and puts it in place
// only when everything is written.
template <class Compute>
void write_result(const std::string& target, bool force, const expression_result& result,
                  std::uint64_t moved_per_element, Compute&& compute) {
  if (target == "-") {
    throw user_error("-o -: results are files (.npy or raw); print a reduction without -o");
  }
  staged_output staged(target, force);
  about_file(target, [&] {
    const output_array out =
        create_output(staged.temporary(), is_npy_path(target), result.type, result.shape, order::c);
    compute(out.array, moved_per_element * out.array.size());
    out.finish();
  });
  staged.commit();
}

// eval EXPR NAME=FILE|NAME=NUMBER ... -o OUT
struct eval_options {
  std::string text;
  std::vector<std::string> bindings;
  std::string out;
  run_options run;
};

void run_eval(const eval_options& o) {
  const expression e = about_file("expression", [&] { return expression::parse(o.text); });
  std::map<std::string, opened_operand> opened;
  operand_map names;
  for (const std::string& binding : o.bindings) {
    const auto equals = binding.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw user_error("'" + binding + "' is not NAME=FILE or NAME=NUMBER");
    }
    const std::string name = binding.substr(0, equals);
    opened_operand operand_value = open_operand(binding.substr(equals + 1), o.run.raw);
    names.insert_or_assign(name, operand_value.value);
    opened.insert_or_assign(name, std::move(operand_value));
  }
  const expression_result result =
      about_file("expression", [&] { return maparray::describe(e, names); });
  std::vector<const any_array*> arrays;
  for (const auto& [name, v] : opened) {
    if (v.file) arrays.push_back(&v.file->array);
  }
  if (o.out.empty()) {
    if (result.shape.size() != 0) {
      throw user_error("'" + o.text + "' gives an array of shape " +
                       to_string(result.shape.span()) + ": name an output with -o");
    }
    // A single value (a full reduction): printed as NumPy prints it.
    std::vector<std::byte> value(static_cast<std::size_t>(result.type.itemsize()));
    const any_array out(value.data(), result.type, dims{}, dims{}, {}, true);
    progress_bar progress(bytes_moved(arrays, out));
    maparray::evaluate(e, names, out, engine_options(o.run, progress));
    progress.finish();
    std::cout << print_array(out) << '\n';
    return;
  }
  std::uint64_t per_element = static_cast<std::uint64_t>(result.type.itemsize());
  for (const any_array* a : arrays) per_element += static_cast<std::uint64_t>(a->type().itemsize());
  write_result(o.out, o.run.force, result, per_element,
               [&](const any_array& out, std::uint64_t total) {
                 progress_bar progress(total);
                 maparray::evaluate(e, names, out, engine_options(o.run, progress));
                 progress.finish();
               });
}

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<eval_options>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Evaluate an expression over files in one pass, with numpy's semantics");
  cmd->add_option("EXPRESSION", o->text, "numpy-style expression: 'a*b + 2*c', 'sum(a*b)'")
      ->required();
  cmd->add_option("NAME=VALUE", o->bindings,
                  "an operand: NAME=FILE (.npy, or raw with --dtype) or "
                  "NAME=NUMBER");
  cmd->add_option("-o,--output", o->out,
                  "the result file (.npy by suffix, otherwise raw); without it, a single value "
                  "(a full reduction) is printed");
  cmd->add_flag("--force", o->run.force, "replace an existing output file");
  add_run_options(*cmd, o->run);
  cmd->footer(
      "Operators + - * / // % ** & | ^ ~ and comparisons; numpy's functions by name (sqrt, where,\n"
      "arctan2, ...); one reduction (sum, prod, min, max, mean, any, all, with axis=K) outermost.\n"
      "Numbers are weak, as Python's: a*2 keeps a's dtype.\n\nExample:\n"
      "  maparray eval 'a*b + 2*c' a=x.npy b=y.npy c=z.npy -o d.npy --memory-budget 64M\n"
      "  maparray eval 'sum(a*b)' a=x.npy b=y.npy");
  cmd->callback([o] { run_eval(*o); });
}

// add sub mul div minimum maximum: A OP B -o C
struct binary_options {
  ufunc function;
  std::string a, b, out;
  run_options run;
};

void run_binary(const binary_options& o) {
  const opened_operand a = open_operand(o.a, o.run.raw);
  const opened_operand b = open_operand(o.b, o.run.raw);
  if (!a.file && !b.file) throw user_error("at least one operand must be a file");
  const std::array<operand, 2> operands{a.value, b.value};
  const expression_result result =
      about_file(b.file ? o.b : o.a, [&] { return maparray::describe(o.function, operands); });
  std::uint64_t per_element = static_cast<std::uint64_t>(result.type.itemsize());
  for (const auto* f : {&a, &b}) {
    if (f->file) per_element += static_cast<std::uint64_t>(f->file->array.type().itemsize());
  }
  write_result(o.out, o.run.force, result, per_element,
               [&](const any_array& out, std::uint64_t total) {
                 progress_bar progress(total);
                 apply(o.function, operands, out, engine_options(o.run, progress));
                 progress.finish();
               });
}

void add_binary_command(CLI::App& app, ufunc f, const char* name, const char* alias,
                        const char* what, const char* example) {
  auto o = std::make_shared<binary_options>();
  o->function = f;
  CLI::App* cmd = app.add_subcommand(name, what);
  if (alias != nullptr) cmd->alias(alias);
  cmd->add_option("A", o->a, "first operand: a file (.npy, or raw with --dtype) or a number")
      ->required();
  cmd->add_option("B", o->b, "second operand: a file or a number; files broadcast as in numpy")
      ->required();
  cmd->add_option("-o,--output", o->out, "the result file (.npy by suffix, otherwise raw)")
      ->required();
  cmd->add_flag("--force", o->run.force, "replace an existing output file");
  add_run_options(*cmd, o->run);
  cmd->footer(std::string("The result's dtype and values are numpy's (numbers are weak: a.f32 * 2 "
                          "stays float32).\nA progress bar is drawn when stderr is a terminal."
                          "\n\nExample:\n  ") +
              example);
  cmd->callback([o] { run_binary(*o); });
}

// sum prod min max mean any all: FILE [--axis K] [--dtype-out T] [-o OUT]
struct reduce_command_options {
  reduction kind;
  std::string file, out;
  std::optional<int> axis;
  std::string type;
  bool keepdims = false;
  run_options run;
};

void run_reduce(const reduce_command_options& o) {
  const opened_array in = open_input(o.file, o.run.raw);
  reduce_options how{.axis = o.axis, .keepdims = o.keepdims};
  if (!o.type.empty()) how.type = parse_dtype(o.type);
  const auto input_type = about_file(o.file, [&] {
    const auto t = numeric_type_of(in.array.type());
    if (!t) throw std::invalid_argument("dtype " + in.array.type().str() + " is not numeric");
    return *t;
  });
  const auto requested = how.type ? numeric_type_of(*how.type) : std::nullopt;
  const expression_result result{
      to_dtype(reduction_result(o.kind, input_type, requested)),
      about_file(o.file, [&] { return reduced_shape(in.array.shape(), how); })};
  const std::uint64_t per_element = static_cast<std::uint64_t>(in.array.type().itemsize());
  if (o.out.empty()) {
    if (result.shape.size() != 0 && element_count(result.shape.span()) != 1) {
      throw user_error(o.file + ": the result has shape " + to_string(result.shape.span()) +
                       "; name an output with -o");
    }
    std::vector<std::byte> value(static_cast<std::size_t>(result.type.itemsize()));
    const any_array out(value.data(), result.type, result.shape,
                        contiguous_strides(result.shape.span(), order::c), {}, true);
    progress_bar progress(per_element * in.array.size());
    about_file(o.file,
               [&] { reduce(o.kind, in.array, out, how, engine_options(o.run, progress)); });
    progress.finish();
    std::cout << print_array(out) << '\n';
    return;
  }
  write_result(o.out, o.run.force, result, 0, [&](const any_array& out, std::uint64_t) {
    progress_bar progress(per_element * in.array.size());
    about_file(o.file,
               [&] { reduce(o.kind, in.array, out, how, engine_options(o.run, progress)); });
    progress.finish();
  });
}

void add_reduce_command(CLI::App& app, reduction r, const char* what) {
  auto o = std::make_shared<reduce_command_options>();
  o->kind = r;
  const std::string name(maparray::name(r));
  CLI::App* cmd = app.add_subcommand(name, what);
  cmd->add_option("FILE", o->file, "the array: a .npy file, or raw with --dtype")->required();
  cmd->add_option("--axis", o->axis, "reduce along this axis only (negative counts from the end)");
  cmd->add_option("--as", o->type, "the accumulator and result dtype (numpy's dtype=)")
      ->check(dtype_validator());
  cmd->add_flag("--keepdims", o->keepdims, "keep the reduced axis with length 1");
  cmd->add_option("-o,--output", o->out, "write the result to this file (needed with --axis)");
  cmd->add_flag("--force", o->run.force, "replace an existing output file");
  add_run_options(*cmd, o->run);
  cmd->footer("The result's dtype and value are numpy's " + name + "'s.\n\nExample:\n  maparray " +
              name + " a.npy\n  maparray " + name + " a.npy --axis 0 -o col_" + name + ".npy");
  cmd->callback([o] { run_reduce(*o); });
}

}  // namespace

void add_compute_commands(CLI::App& app) {
  add_eval_command(app);
  add_binary_command(app, ufunc::add, "add", nullptr, "C = A + B, elementwise",
                     "maparray add a.npy b.npy -o c.npy --memory-budget 64M");
  add_binary_command(app, ufunc::subtract, "subtract", "sub", "C = A - B, elementwise",
                     "maparray subtract frames.npy background.npy -o signal.npy");
  add_binary_command(app, ufunc::multiply, "multiply", "mul", "C = A * B, elementwise",
                     "maparray multiply a.f32 0.5 -o half.f32 --dtype f4");
  add_binary_command(app, ufunc::divide, "divide", "div",
                     "C = A / B, elementwise true division (integers give float64)",
                     "maparray divide counts.npy totals.npy -o ratios.npy");
  add_binary_command(app, ufunc::minimum, "minimum", nullptr,
                     "C = minimum(A, B), elementwise; NaN wins",
                     "maparray minimum a.npy 0 -o clipped.npy");
  add_binary_command(app, ufunc::maximum, "maximum", nullptr,
                     "C = maximum(A, B), elementwise; NaN wins",
                     "maparray maximum a.npy b.npy -o upper.npy --threads 2");
  add_reduce_command(app, reduction::sum, "The sum of the elements (or along an axis)");
  add_reduce_command(app, reduction::prod, "The product of the elements (or along an axis)");
  add_reduce_command(app, reduction::min, "The smallest element (or along an axis); NaN wins");
  add_reduce_command(app, reduction::max, "The largest element (or along an axis); NaN wins");
  add_reduce_command(app, reduction::mean, "The mean of the elements (or along an axis)");
  add_reduce_command(app, reduction::any, "Whether any element is nonzero (or along an axis)");
  add_reduce_command(app, reduction::all, "Whether every element is nonzero (or along an axis)");
}

}  // namespace maparray::cli
