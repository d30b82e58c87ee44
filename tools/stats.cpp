// maparray stats: count, min, max, mean, sum and NaN count in one streaming pass.
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "cli_error.hpp"
#include "commands.hpp"
#include "elements.hpp"
#include "input.hpp"
#include "maparray/compute.hpp"
#include "text.hpp"

namespace maparray::cli {
namespace {

struct stats_options {
  std::string file;
  raw_layout raw;
  bool json = false;
};

// Results as JSON-ready text, so that integer results stay exact.
struct summary {
  std::uint64_t count = 0;
  std::uint64_t nan_count = 0;
  std::string min = "null", max = "null", sum = "0", mean = "null";
};

template <class T>
std::string exact(T v) {
  if constexpr (std::is_same_v<T, bool>)
    return v ? "1" : "0";
  else if constexpr (std::is_integral_v<T>)
    return std::to_string(v);
  else
    return json_number(static_cast<double>(v));
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
std::optional<accumulator<V>> accumulate_in_engine(const any_array& a) {
  if constexpr (std::is_same_v<V, half>) {
    return std::nullopt;
  } else {
    const bool aligned =
        reinterpret_cast<std::uintptr_t>(a.data()) % alignof(V) == 0 &&
        std::ranges::all_of(a.byte_strides(), [](index_t s) { return s % alignof(V) == 0; });
    if (!(a.type() == dtype_of<V>()) || !aligned) return std::nullopt;
    return reduce(a.as<const V>(), accumulator<V>{},
                  [](accumulator<V> x, const accumulator<V>& y) { return x.merge(y); });
  }
}

// An accumulator of bools read as numpy reads them: any nonzero byte is True (loading a byte
// other than 0 or 1 as a C++ bool would be undefined).
struct bool_accumulator : accumulator<bool> {
  bool_accumulator() = default;
  explicit bool_accumulator(std::uint8_t byte) : accumulator<bool>(byte != 0) {}
};

// The accumulator of a bool array, through the engine over its bytes.
accumulator<bool> accumulate_bools(const any_array& a) {
  const any_array bytes(a.data(), dtype_of<std::uint8_t>(), dims(a.shape()), dims(a.byte_strides()),
                        a.lease(), false);
  return reduce(bytes.as<const std::uint8_t>(), bool_accumulator{},
                [](bool_accumulator x, const bool_accumulator& y) {
                  x.merge(y);
                  return x;
                });
}

template <class T>
summary summarize(const any_array& a) {
  using V = std::conditional_t<std::is_same_v<T, half>, float, T>;
  std::optional<accumulator<V>> acc;
  if constexpr (std::is_same_v<T, bool>) {
    acc = accumulate_bools(a);
  } else if constexpr (std::is_same_v<T, V>) {
    acc = accumulate_in_engine<V>(a);
  }
  if (!acc) {
    // Byte-swapped, unaligned or float16 elements: a plain loop that converts each.
    const bool swap = needs_swap(a.type());
    acc.emplace();
    walk<1>(a.shape(), {&a}, 0, a.size(),
            [&](const std::byte* p) { acc->add(static_cast<V>(load<T>(p, swap))); });
  }
  summary s;
  s.count = a.size();
  s.nan_count = acc->nan_count;
  if (!acc->any) return s;
  s.min = exact(acc->lo);
  s.max = exact(acc->hi);
  if constexpr (std::is_floating_point_v<V>) {
    s.sum = json_number(acc->real_sum.value());
  } else if constexpr (std::is_signed_v<V>) {
    s.sum = std::to_string(static_cast<std::int64_t>(acc->int_sum));
  } else {
    s.sum = std::to_string(acc->int_sum);
  }
  s.mean = json_number(acc->real_sum.value() / static_cast<double>(s.count - s.nan_count));
  return s;
}

void run(const stats_options& o) {
  const opened_array opened = open_input(o.file, o.raw);
  const summary s = about_file(o.file, [&] {
    const dtype& type = opened.array.type();
    if (type.kind() == dtype_kind::complex) {
      throw user_error(o.file + ": stats needs real numbers, and the dtype is " + type.str());
    }
    return visit_numeric(type, [&]<class T>(T) {
      if constexpr (is_complex<T>::value)
        return summary{};
      else
        return summarize<T>(opened.array);
    });
  });
  if (o.json) {
    std::cout << "{\"count\": " << s.count << ", \"min\": " << s.min << ", \"max\": " << s.max
              << ", \"mean\": " << s.mean << ", \"sum\": " << s.sum
              << ", \"nan_count\": " << s.nan_count << "}\n";
  } else {
    std::cout << "count      " << s.count << "\nmin        " << s.min << "\nmax        " << s.max
              << "\nmean       " << s.mean << "\nsum        " << s.sum << "\nnan_count  "
              << s.nan_count << '\n';
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
                "print a JSON object with keys count, min, max, mean, sum, nan_count");
  cmd->footer(
      "min, max, sum and mean skip NaNs (as numpy's nanmin, nanmax, nansum and nanmean do);\n"
      "nan_count counts them. Integer sums are exact, wrapping at 64 bits as numpy's do.\n\n"
      "Example:\n  maparray stats --json readings.f64");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace maparray::cli
