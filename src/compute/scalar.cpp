// Scalars: range checks, parsing and printing as Python does.
#include <locale.h>
#include <stdlib.h>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "maparray/scalar.hpp"

namespace maparray {

bool scalar::fits(numeric_type target) const noexcept {
  if (!weak_ || !is_integer(type_) || !is_integer(target)) return true;
  if (type_ == numeric_type::uint64) {
    return target == numeric_type::uint64;  // above int64's range: only uint64 holds it
  }
  const auto v = load<std::int64_t>();
  return visit(target, [&]<class T>(T) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      return std::in_range<T>(v);
    } else {
      return true;
    }
  });
}

void scalar::throw_out_of_bounds(numeric_type target) const {
  throw std::overflow_error("Python integer " + str() + " out of bounds for " +
                            std::string(name(target)));
}

namespace {

// Python's repr of a float: the shortest text that reads back the same, "inf" and "nan", with
// ".0" for whole numbers unless `bare` (as inside a complex number's repr).
std::string python_float(double value, bool bare = false) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, end);
  if (!bare && text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

// Reads a decimal floating-point literal as Python does: a too-large literal is inf, a too-small
// one the nearest subnormal or 0. strtod in the "C" locale rather than std::from_chars, which
// not every standard library provides for double; the whole text must be consumed.
bool read_double(std::string_view text, double& value) {
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", locale_t{});
  const std::string copy(text);  // strtod needs a terminating NUL
  char* end = nullptr;
  value = strtod_l(copy.c_str(), &end, c_locale);
  return end == copy.c_str() + copy.size();
}

}  // namespace

std::string scalar::str() const {
  return visit(type_, [&]<class T>(T) -> std::string {
    const T value = load<T>();
    if constexpr (std::is_same_v<T, bool>) {
      return value ? "True" : "False";
    } else if constexpr (std::is_integral_v<T>) {
      return std::to_string(value);
    } else if constexpr (detail::is_complex_v<T>) {
      const std::string imaginary = python_float(value.imag(), true) + "j";
      if (value.real() == 0 && !std::signbit(value.real())) return imaginary;
      return "(" + python_float(value.real(), true) + (std::signbit(value.imag()) ? "" : "+") +
             imaginary + ")";
    } else {
      return python_float(static_cast<double>(value));
    }
  });
}

scalar scalar::parse(std::string_view text) {
  const auto fail = [&]() -> scalar {
    throw std::invalid_argument("not a number: '" + std::string(text) + "'");
  };
  if (text == "True" || text == "true") return scalar(true);
  if (text == "False" || text == "false") return scalar(false);
  std::string_view body = text;
  const bool negative = !body.empty() && body.front() == '-';
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) body.remove_prefix(1);
  if (body == "nan" || body == "inf") {
    const double value = body == "nan" ? std::numeric_limits<double>::quiet_NaN()
                                       : std::numeric_limits<double>::infinity();
    return scalar(negative ? -value : value);
  }
  if (body.empty() ||
      !(std::isdigit(static_cast<unsigned char>(body.front())) || body.front() == '.')) {
    return fail();
  }
  const bool imaginary = body.back() == 'j' || body.back() == 'J';
  if (imaginary) body.remove_suffix(1);
  if (body.find_first_of(".eE") == std::string_view::npos && !imaginary) {
    std::uint64_t magnitude = 0;
    const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), magnitude);
    if (ec == std::errc::result_out_of_range) {
      throw std::overflow_error("integer " + std::string(text) + " does not fit 64 bits");
    }
    if (ec != std::errc() || end != body.data() + body.size()) return fail();
    if (!negative) return scalar(magnitude);
    if (magnitude > std::uint64_t{1} << 63) {
      throw std::overflow_error("integer " + std::string(text) + " does not fit 64 bits");
    }
    return scalar(static_cast<std::int64_t>(0 - magnitude));
  }
  if (body.find_first_of("xX") != std::string_view::npos) return fail();  // no hex floats
  double value = 0;
  if (!read_double(body, value)) return fail();
  if (negative) value = -value;
  return imaginary ? scalar(std::complex<double>(0, value)) : scalar(value);
}

}  // namespace maparray
