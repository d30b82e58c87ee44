// maparray add|sub|mul|div|min|max: elementwise arithmetic on two arrays, or an array and a
// scalar, into a new file, chunk by chunk so that the arrays may be bigger than memory.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli_error.hpp"
#include "commands.hpp"
#include "elements.hpp"
#include "input.hpp"
#include "maparray/compute.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "scalar.hpp"
#include "staged_output.hpp"

namespace maparray::cli {
namespace {

enum class operation { add, sub, mul, div, min, max };

struct arithmetic_options {
  operation op;
  std::string a, b, out;
  raw_layout raw;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::string memory_budget = "64M";
  bool force = false;
};

bool is_integer_kind(const dtype& t) {
  return t.kind() == dtype_kind::signed_integer || t.kind() == dtype_kind::unsigned_integer;
}

// The smallest float size that holds every value of an integer of `size` bytes exactly (as
// numpy's promotion rules have it: int8 -> float16, int16 -> float32, wider -> float64).
index_t float_size_for_integer(index_t size) {
  return size == 1 ? 2 : size == 2 ? 4 : 8;
}

// numpy's result_type for two numeric dtypes, in native byte order.
dtype promote(const dtype& a, const dtype& b) {
  using k = dtype_kind;
  if (a.kind() == k::boolean) return b.with_order(native_order);
  if (b.kind() == k::boolean) return a.with_order(native_order);
  const bool a_int = is_integer_kind(a), b_int = is_integer_kind(b);
  if (a_int && b_int) {
    if (a.kind() == b.kind())
      return dtype::primitive(
          a.kind(), std::max(a.itemsize(), b.itemsize()),
          std::max(a.itemsize(), b.itemsize()) == 1 ? byte_order::not_applicable : native_order);
    const dtype& u = a.kind() == k::unsigned_integer ? a : b;
    const dtype& s = a.kind() == k::unsigned_integer ? b : a;
    if (s.itemsize() > u.itemsize()) return s.with_order(native_order);
    if (u.itemsize() < 8) return dtype::primitive(k::signed_integer, 2 * u.itemsize());
    return dtype::primitive(k::floating, 8);
  }
  // At least one is a float or complex: find the component size each needs.
  auto component = [](const dtype& t) {
    if (t.kind() == k::complex) return t.itemsize() / 2;
    if (t.kind() == k::floating) return t.itemsize();
    return float_size_for_integer(t.itemsize());
  };
  const index_t size = std::max(component(a), component(b));
  if (a.kind() == k::complex || b.kind() == k::complex)
    return dtype::primitive(k::complex, 2 * size);
  return dtype::primitive(k::floating, size);
}

// numpy 2's rule for a Python number beside an array: an integer takes the array's dtype
// (and must fit it), a float does too unless the array holds integers or bools (then float64).
dtype promote_with_scalar(const dtype& array, const scalar& s) {
  if (s.integral) {
    if (array.kind() == dtype_kind::boolean) return dtype::primitive(dtype_kind::signed_integer, 8);
    std::byte probe[16];
    store_scalar(s, array, probe);  // throws if it does not fit
    return array.with_order(native_order);
  }
  if (array.kind() == dtype_kind::floating || array.kind() == dtype_kind::complex)
    return array.with_order(native_order);
  return dtype::primitive(dtype_kind::floating, 8);
}

template <class R>
R apply(operation op, R x, R y) {
  if constexpr (std::is_integral_v<R>) {
    // Integers wrap around, as numpy's do; unsigned arithmetic makes that defined in C++.
    const auto ux = static_cast<std::uint64_t>(x), uy = static_cast<std::uint64_t>(y);
    switch (op) {
      case operation::add:
        return static_cast<R>(ux + uy);
      case operation::sub:
        return static_cast<R>(ux - uy);
      case operation::mul:
        return static_cast<R>(ux * uy);
      case operation::min:
        return std::min(x, y);
      case operation::max:
        return std::max(x, y);
      case operation::div:
        break;  // promoted to float64 beforehand
    }
    return R{};
  } else {
    switch (op) {
      case operation::add:
        return x + y;
      case operation::sub:
        return x - y;
      case operation::mul:
        return x * y;
      case operation::div:
        return x / y;
      case operation::min:
      case operation::max:
        if constexpr (is_complex<R>::value) {
          return R{};  // refused before the loop
        } else {
          // numpy's minimum and maximum propagate NaN.
          if (std::isnan(x)) return x;
          if (std::isnan(y)) return y;
          return op == operation::min ? std::min(x, y) : std::max(x, y);
        }
    }
    return R{};
  }
}

// The work of one run: inputs, output, and the chunked loop that several threads share.
struct job {
  operation op;
  const any_array* a;
  const any_array* b;  // null for a scalar operand
  scalar b_value;
  any_array out;
  std::size_t chunk_elements;
  unsigned threads;
};

template <class R>
void run_typed(const job& j, progress_bar& progress) {
  const std::size_t total = j.out.size();
  R* out = reinterpret_cast<R*>(j.out.data());
  R b_scalar{};
  if (!j.b) store_scalar(j.b_value, dtype_of<R>(), reinterpret_cast<std::byte*>(&b_scalar));
  const std::size_t chunks = (total + j.chunk_elements - 1) / j.chunk_elements;
  const std::uint64_t bytes_per_element =
      static_cast<std::uint64_t>(j.a->type().itemsize()) +
      (j.b ? static_cast<std::uint64_t>(j.b->type().itemsize()) : 0) + sizeof(R);

  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> done_elements{0};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  auto worker = [&] {
    try {
      std::vector<R> buffer(j.b ? j.chunk_elements : 0);
      for (std::size_t c; !failed && (c = next.fetch_add(1)) < chunks;) {
        const std::size_t first = c * j.chunk_elements;
        const std::size_t last = std::min(total, first + j.chunk_elements);
        copy_as<R>(*j.a, first, last, out + first);
        if (j.b) {
          copy_as<R>(*j.b, first, last, buffer.data());
          for (std::size_t i = first; i < last; ++i)
            out[i] = apply(j.op, out[i], buffer[i - first]);
        } else {
          for (std::size_t i = first; i < last; ++i) out[i] = apply(j.op, out[i], b_scalar);
        }
        done_elements += last - first;
      }
    } catch (...) {
      if (!failed.exchange(true)) failure = std::current_exception();
    }
  };
  std::vector<std::jthread> pool;
  const unsigned n =
      static_cast<unsigned>(std::min<std::size_t>(j.threads, std::max<std::size_t>(chunks, 1)));
  for (unsigned t = 1; t < n; ++t) pool.emplace_back(worker);
  // This thread works too, and draws the bar between chunks of the others' progress.
  std::jthread drawer([&](std::stop_token stop) {
    while (!stop.stop_requested()) {
      progress.update(done_elements.load() * bytes_per_element);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  worker();
  pool.clear();
  drawer.request_stop();
  drawer.join();
  if (failure) std::rethrow_exception(failure);
}

// Runs the job through the compute engine (read-ahead, write-behind, drop-behind within the
// memory budget) when the operands need no conversion: every array already of the result's
// dtype in native byte order, and aligned. Returns false, having done nothing, otherwise.
template <class R>
bool run_in_engine(const job& j, const arithmetic_options& o, std::int64_t budget,
                   progress_bar& progress) {
  const dtype type = dtype_of<R>();
  auto fits = [&](const any_array* x) {
    return x->type() == type && reinterpret_cast<std::uintptr_t>(x->data()) % alignof(R) == 0 &&
           std::ranges::all_of(x->byte_strides(), [](index_t s) { return s % alignof(R) == 0; });
  };
  if (!fits(j.a) || (j.b && !fits(j.b))) return false;
  const exec_options opts{
      .threads = o.threads,
      .memory_budget = static_cast<std::size_t>(budget),
      .progress = [&progress](std::uint64_t done, std::uint64_t) { progress.update(done); }};
  const array<const R> a = j.a->as<const R>();
  const array<R> out = j.out.as<R>();
  R b_scalar{};
  if (!j.b) store_scalar(j.b_value, type, reinterpret_cast<std::byte*>(&b_scalar));
  auto apply_op = [&](const auto& b) {
    switch (j.op) {
      case operation::add:
        return maparray::add(a, b, out, opts);
      case operation::sub:
        return maparray::subtract(a, b, out, opts);
      case operation::mul:
        return maparray::multiply(a, b, out, opts);
      case operation::div:
        return maparray::divide(a, b, out, opts);
      case operation::min:
        return maparray::minimum(a, b, out, opts);
      case operation::max:
        return maparray::maximum(a, b, out, opts);
    }
  };
  if constexpr (is_complex<R>::value) {
    return false;  // the engine's operations are for real numbers
  } else {
    if (j.b)
      apply_op(j.b->as<const R>());
    else
      apply_op(b_scalar);
    return true;
  }
}

void run(const arithmetic_options& o) {
  const char* name = o.op == operation::add   ? "add"
                     : o.op == operation::sub ? "sub"
                     : o.op == operation::mul ? "mul"
                     : o.op == operation::div ? "div"
                     : o.op == operation::min ? "min"
                                              : "max";
  const opened_array a = open_input(o.a, o.raw);
  std::optional<opened_array> b;
  std::optional<scalar> b_value;
  std::error_code ec;
  if (!std::filesystem::exists(o.b, ec)) {
    try {
      b_value = parse_scalar(o.b);
    } catch (const std::invalid_argument&) {
      // Neither a number nor an existing file: report the missing file.
    }
  }
  if (!b_value) b = open_input(o.b, o.raw);

  const dtype& ta = a.array.type();
  about_file(o.a, [&] { visit_numeric(ta, [](auto) {}); });
  if (b) {
    about_file(o.b, [&] { visit_numeric(b->array.type(), [](auto) {}); });
    if (!std::ranges::equal(a.array.shape(), b->array.shape())) {
      throw user_error(o.a + " and " + o.b + ": shapes " + to_string(a.array.shape()) + " and " +
                       to_string(b->array.shape()) + " differ; " + name +
                       " needs arrays of one shape");
    }
    if (ta.kind() == dtype_kind::boolean && b->array.type().kind() == dtype_kind::boolean)
      throw user_error(o.a + ": " + name + " of two bool arrays is not supported");
  }
  dtype result = about_file(b ? o.b : o.a, [&] {
    return b ? promote(ta, b->array.type()) : promote_with_scalar(ta, *b_value);
  });
  if (o.op == operation::div && result.kind() != dtype_kind::floating &&
      result.kind() != dtype_kind::complex) {
    result = dtype::primitive(dtype_kind::floating, 8);  // true division, as numpy's '/'
  }
  if (result.kind() == dtype_kind::floating && result.itemsize() == 2)
    throw user_error(o.a + ": float16 arithmetic is not supported; convert to float32 first");
  if (result.kind() == dtype_kind::complex && (o.op == operation::min || o.op == operation::max))
    throw user_error(o.a + ": " + name + " is not defined for complex numbers");

  const std::int64_t budget = parse_size(o.memory_budget);
  staged_output staged(o.out, o.force);
  about_file(o.out, [&] {
    output_array out = create_output(staged.temporary(), is_npy_path(o.out), result,
                                     dims(a.array.shape()), order::c);
    // Each thread holds a chunk of every operand and a conversion buffer; keep that within the
    // budget, between 4 KiB and 4 MiB of elements per chunk.
    const std::int64_t per_element =
        ta.itemsize() + (b ? 2 * b->array.type().itemsize() : 0) + 2 * result.itemsize();
    const std::int64_t chunk = std::clamp<std::int64_t>(
        budget / (per_element * static_cast<std::int64_t>(o.threads)), 4096, 4 << 20);
    job j{o.op,
          &a.array,
          b ? &b->array : nullptr,
          b_value.value_or(scalar{}),
          out.array,
          static_cast<std::size_t>(chunk),
          o.threads};
    // Progress counts the bytes of every array read or written, as the engine reports them.
    const std::int64_t moved =
        ta.itemsize() + (b ? b->array.type().itemsize() : 0) + result.itemsize();
    progress_bar progress(a.array.size() * static_cast<std::uint64_t>(moved));
    visit_numeric(result, [&]<class R>(R) {
      if constexpr (std::is_same_v<R, bool> || std::is_same_v<R, half>) {
        throw std::logic_error("no arithmetic in " + result.str());
      } else if (!(run_in_engine<R>(j, o, budget, progress))) {
        run_typed<R>(j, progress);
      }
    });
    out.finish();
    progress.finish();
  });
  staged.commit();
}

void add_one(CLI::App& app, operation op, const char* name, const char* what, const char* example) {
  auto opts = std::make_shared<arithmetic_options>();
  opts->op = op;
  CLI::App* cmd = app.add_subcommand(name, what);
  cmd->add_option("A", opts->a, "first operand: a file (.npy, or raw with --dtype)")->required();
  cmd->add_option("B", opts->b, "second operand: a file of A's shape, or a number")->required();
  cmd->add_option("-o,--output", opts->out, "the result file (.npy by suffix, otherwise raw)")
      ->required();
  add_raw_layout_options(*cmd, opts->raw);
  cmd->add_option("--threads", opts->threads, "threads to compute with (default: all cores)")
      ->check(CLI::Range(1u, 1024u));
  cmd->add_option("--memory-budget", opts->memory_budget,
                  "bound on the memory each pass keeps busy: 64M, 1G (default 64M)")
      ->check(size_validator());
  cmd->add_flag("--force", opts->force, "replace an existing output file");
  cmd->footer(std::string("The result's dtype follows numpy's rules (div of integers gives "
                          "float64).\nA progress bar with throughput and time left is drawn "
                          "when stderr is a terminal.\n\nExample:\n  ") +
              example);
  cmd->callback([opts] { run(*opts); });
}

}  // namespace

void add_arithmetic_commands(CLI::App& app) {
  add_one(app, operation::add, "add", "C = A + B, elementwise",
          "maparray add a.npy b.npy -o c.npy --memory-budget 64M");
  add_one(app, operation::sub, "sub", "C = A - B, elementwise",
          "maparray sub frames.npy background.npy -o signal.npy");
  add_one(app, operation::mul, "mul", "C = A * B, elementwise",
          "maparray mul a.f32 0.5 -o half.f32 --dtype f4");
  add_one(app, operation::div, "div", "C = A / B, elementwise (true division)",
          "maparray div counts.npy totals.npy -o ratios.npy");
  add_one(app, operation::min, "min", "C = minimum(A, B), elementwise; NaN wins",
          "maparray min a.npy 0 -o clipped.npy");
  add_one(app, operation::max, "max", "C = maximum(A, B), elementwise; NaN wins",
          "maparray max a.npy b.npy -o upper.npy --threads 2");
}

}  // namespace maparray::cli
