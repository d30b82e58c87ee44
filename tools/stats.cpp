// maparray stats: count, min, max, mean, sum and NaN count in one streaming pass.
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "cli_error.hpp"
#include "commands.hpp"
#include "elements.hpp"
#include "input.hpp"
#include "json_output.hpp"
#include "maparray/compute.hpp"
#include "maparray/convert.hpp"
#include "maparray/float16.hpp"
#include "maparray/numeric_type.hpp"
#include "progress.hpp"
#include "text.hpp"

namespace maparray::cli {
namespace {

struct stats_options {
  std::string file;
  raw_layout raw;
  bool json = false;
};

// The results, as JSON values (integers stay exact) and as text for people.
struct summary {
  std::uint64_t count = 0;
  std::uint64_t nan_count = 0;
  json min = nullptr, max = nullptr, sum = 0, mean = nullptr;
  std::string min_text = "none", max_text = "none", sum_text = "0", mean_text = "none";
};

// Sets `value` and `text` to v: bool as 0 or 1, integers exactly, floats as doubles in JSON
// and in their own precision in text (0.1 for a float32 0.1).
template <class V>
void set(json& value, std::string& text, V v) {
  if constexpr (std::is_same_v<V, bool>) {
    value = v ? 1 : 0;
    text = v ? "1" : "0";
  } else if constexpr (std::is_integral_v<V>) {
    value = v;
    text = std::to_string(v);
  } else {
    value = static_cast<double>(v);
    text = number_text(v);
  }
}

// Neumaier's compensated sum: accurate to the last bit for the sums of real data.
struct compensated_sum {
  double sum = 0, carry = 0;
  void add(double x) {
    const double t = sum + x;
    carry += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  double value() const { return sum + carry; }
};

// Everything stats reports, for part of an array; parts merge, so that the compute engine
// can fold chunks on several threads.
template <class V>
struct accumulator {
  std::uint64_t nan_count = 0;
  bool any = false;  // a non-NaN value was seen
  V lo{}, hi{};
  std::uint64_t int_sum = 0;  // integers sum exactly, wrapping at 64 bits as numpy's sum does
  compensated_sum real_sum;

  accumulator() = default;
  explicit accumulator(V v) { add(v); }

  void add(V v) {
    if constexpr (std::is_floating_point_v<V>) {
      if (std::isnan(v)) {
        ++nan_count;
        return;
      }
    } else {
      int_sum += static_cast<std::uint64_t>(v);
    }
    real_sum.add(static_cast<double>(v));
    if (!any || v < lo) lo = v;
    if (!any || v > hi) hi = v;
    any = true;
  }

  accumulator& merge(const accumulator& other) {
    nan_count += other.nan_count;
    int_sum += other.int_sum;
    real_sum.add(other.real_sum.sum);
    real_sum.add(other.real_sum.carry);
    if (other.any) {
      if (!any || other.lo < lo) lo = other.lo;
      if (!any || other.hi > hi) hi = other.hi;
      any = true;
    }
    return *this;
  }
};

// One streaming pass through the compute engine (read-ahead, drop-behind) when the elements
// can be read in place: native byte order and aligned. Returns nullopt otherwise.
template <class V>
std::optional<accumulator<V>> accumulate_in_engine(const any_array& a, progress_bar& progress) {
  const bool aligned =
      reinterpret_cast<std::uintptr_t>(a.data()) % alignof(V) == 0 &&
      std::ranges::all_of(a.byte_strides(), [](index_t s) { return s % alignof(V) == 0; });
  if (!(a.type() == dtype_of<V>()) || !aligned) return std::nullopt;
  // The engine counts the bytes of the one array it reads, as the bar does.
  const exec_options opts{
      .progress = [&progress](std::uint64_t done, std::uint64_t) { progress.update(done); }};
  return reduce(
      a.as<const V>(), accumulator<V>{},
      [](accumulator<V> x, const accumulator<V>& y) { return x.merge(y); }, opts);
}

// Elements converted one by one are read in pieces of this many, between updates of the bar.
constexpr std::size_t piece_elements = 1 << 20;

// An accumulator of bools read as numpy reads them: any nonzero byte is True (loading a byte
// other than 0 or 1 as a C++ bool would be undefined).
struct bool_accumulator : accumulator<bool> {
  bool_accumulator() = default;
  explicit bool_accumulator(std::uint8_t byte) : accumulator<bool>(byte != 0) {}
};

// The accumulator of a bool array, through the engine over its bytes.
accumulator<bool> accumulate_bools(const any_array& a, progress_bar& progress) {
  const any_array bytes(a.data(), dtype_of<std::uint8_t>(), dims(a.shape()), dims(a.byte_strides()),
                        a.lease(), false);
  return reduce(
      bytes.as<const std::uint8_t>(), bool_accumulator{},
      [](bool_accumulator x, const bool_accumulator& y) {
        x.merge(y);
        return x;
      },
      {.progress = [&progress](std::uint64_t done, std::uint64_t) { progress.update(done); }});
}

template <class T>
summary summarize(const any_array& a, progress_bar& progress) {
  using V = std::conditional_t<std::is_same_v<T, float16>, float, T>;
  std::optional<accumulator<V>> acc;
  if constexpr (std::is_same_v<T, bool>) {
    acc = accumulate_bools(a, progress);
  } else if constexpr (std::is_same_v<T, V>) {
    acc = accumulate_in_engine<V>(a, progress);
  }
  if (!acc) {
    // Byte-swapped, unaligned or float16 elements: a plain loop that converts each.
    const bool swap = !a.type().is_native();
    const auto item = static_cast<std::uint64_t>(a.type().itemsize());
    acc.emplace();
    for (std::size_t first = 0; first < a.size(); first += piece_elements) {
      const std::size_t last = std::min(a.size(), first + piece_elements);
      walk<1>(a.shape(), {&a}, first, last,
              [&](const std::byte* p) { acc->add(convert<V>(load<T>(p, swap))); });
      progress.update(last * item);
    }
  }
  summary s;
  s.count = a.size();
  s.nan_count = acc->nan_count;
  if (!acc->any) return s;
  set(s.min, s.min_text, acc->lo);
  set(s.max, s.max_text, acc->hi);
  if constexpr (std::is_same_v<T, float16>) {  // in float16's own precision, as numpy prints it
    s.min_text = number_text(float16(acc->lo));
    s.max_text = number_text(float16(acc->hi));
  }
  if constexpr (std::is_floating_point_v<V>) {
    set(s.sum, s.sum_text, acc->real_sum.value());
  } else if constexpr (std::is_signed_v<V>) {
    set(s.sum, s.sum_text, static_cast<std::int64_t>(acc->int_sum));
  } else {
    set(s.sum, s.sum_text, acc->int_sum);
  }
  set(s.mean, s.mean_text, acc->real_sum.value() / static_cast<double>(s.count - s.nan_count));
  return s;
}

void run(const stats_options& o) {
  const opened_array opened = open_input(o.file, o.raw);
  const summary s = about_file(o.file, [&] {
    const dtype& type = opened.array.type();
    if (!type.is_numeric() || type.kind() == dtype_kind::complex) {
      throw user_error(o.file + ": stats needs real numbers, and the dtype is " + type.str() +
                       " (" + type.name() + ")");
    }
    progress_bar progress(opened.array.size_bytes());
    summary result = visit(type, [&]<class T>(T) {
      if constexpr (is_complex(numeric_type_of<T>()))
        return summary{};
      else
        return summarize<T>(opened.array, progress);
    });
    progress.finish();
    return result;
  });
  if (o.json) {
    json out;
    out["file"] = o.file;
    out["count"] = s.count;
    out["min"] = s.min;
    out["max"] = s.max;
    out["mean"] = s.mean;
    out["sum"] = s.sum;
    out["nan_count"] = s.nan_count;
    print_json(out);
  } else {
    std::cout << "count      " << s.count << "\nmin        " << s.min_text << "\nmax        "
              << s.max_text << "\nmean       " << s.mean_text << "\nsum        " << s.sum_text
              << "\nnan_count  " << s.nan_count << '\n';
  }
}

}  // namespace

void add_stats_command(CLI::App& app) {
  auto opts = std::make_shared<stats_options>();
  CLI::App* cmd = app.add_subcommand(
      "stats", "Count, min, max, mean, sum and NaN count, in one streaming pass");
  cmd->add_option("FILE", opts->file, "the file (.npy, or raw with --dtype)")->required();
  add_raw_layout_options(*cmd, opts->raw);
  cmd->add_flag("--json", opts->json,
                "print a JSON object with keys file, count, min, max, mean, sum, nan_count "
                "(null where there is no value: the min of nothing, NaN, infinities)");
  cmd->footer(
      "min, max, sum and mean skip NaNs (as numpy's nanmin, nanmax, nansum and nanmean do);\n"
      "nan_count counts them. Integer sums are exact, wrapping at 64 bits as numpy's do.\n"
      "A progress bar is drawn when stderr is a terminal.\n\n"
      "Example:\n  maparray stats --json readings.f64");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace maparray::cli
