#include "scalar_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace maparray::cli {
namespace {

double value_of(float16 v) {
  return static_cast<float>(v);
}
double value_of(float v) {
  return v;
}
double value_of(double v) {
  return v;
}

// Scientific text ("-1.25e+03") written out positionally with the same digits, as numpy's
// positional mode does ("-1250"): zeros fill up to the point, never other digits.
std::string positional(const std::string& scientific) {
  const auto e = scientific.find('e');
  const bool negative = scientific[0] == '-';
  std::string digits;
  for (std::size_t k = negative ? 1 : 0; k < e; ++k) {
    if (scientific[k] != '.') digits += scientific[k];
  }
  const long exponent = std::strtol(scientific.c_str() + e + 1, nullptr, 10);
  const long point = exponent + 1;  // digits before the point
  std::string out;
  if (point <= 0) {
    out = "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else if (static_cast<std::size_t>(point) >= digits.size()) {
    out = digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
  } else {
    out = digits.substr(0, static_cast<std::size_t>(point)) + "." +
          digits.substr(static_cast<std::size_t>(point));
  }
  return negative ? "-" + out : out;
}

// The shortest digits that read back as v, in `format`, for float and double.
template <class F>
std::string shortest(F v, std::chars_format format) {
  char buffer[400];
  const auto end =
      std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::scientific).ptr;
  const std::string digits(buffer, end);
  return format == std::chars_format::fixed ? positional(digits) : digits;
}

// The same for a float16, whose shortest digits are usually fewer than its float's: the
// fewest significant digits whose value rounds back to the same half, i.e. lies between the
// midpoints to its neighbours (or on one, if the half's last bit is even and wins the tie).
std::string shortest(float16 v, std::chars_format format) {
  const double x = value_of(v);
  const std::uint16_t magnitude = v.bits() & 0x7fffu;
  if (magnitude == 0) return shortest(x, format);
  // Neighbours in magnitude: one bit pattern below and above; above the largest finite half
  // (65504), the value the next bit pattern would have with a wider exponent, 65536.
  const double lower = value_of(float16::from_bits(static_cast<std::uint16_t>(magnitude - 1)));
  const auto next = static_cast<std::uint16_t>(magnitude + 1);
  const double upper = next == 0x7c00u ? 65536.0 : value_of(float16::from_bits(next));
  const double low = (std::fabs(x) + lower) / 2;
  const double high = (std::fabs(x) + upper) / 2;
  const bool even = (v.bits() & 1u) == 0;
  for (int digits = 1; digits < 17; ++digits) {
    char buffer[64];
    const auto end =
        std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::scientific, digits - 1)
            .ptr;
    const double back = std::strtod(std::string(buffer, end).c_str(), nullptr);
    const double a = std::fabs(back);
    if ((a > low && a < high) || (even && (a == low || a == high))) return shortest(back, format);
  }
  return shortest(x, format);
}

// numpy's choice for a scalar: positional digits for 0 and magnitudes in [1e-4, 1e16), else
// scientific. `dot_zero` keeps one zero after the point ("1.0", as a float's str does; the
// parts of a complex number print "1"); `plus` always prints a sign.
template <class F>
std::string part(F v, bool dot_zero, bool plus) {
  const double x = value_of(v);
  if (std::isnan(x)) return plus ? "+nan" : "nan";
  if (std::isinf(x)) return x < 0 ? "-inf" : plus ? "+inf" : "inf";
  const double magnitude = std::fabs(x);
  std::string s;
  if (magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e16)) {
    s = shortest(v, std::chars_format::fixed);
    if (dot_zero && s.find('.') == std::string::npos) s += ".0";
  } else {
    s = shortest(v, std::chars_format::scientific);
  }
  if (plus && !std::signbit(x)) s.insert(0, "+");
  return s;
}

template <class F>
std::string complex_text(std::complex<F> v) {
  // A real part of +0 is left out, as in Python's repr of a complex number.
  if (v.real() == 0 && !std::signbit(v.real())) return part(v.imag(), false, false) + "j";
  return "(" + part(v.real(), false, false) + part(v.imag(), false, true) + "j)";
}

}  // namespace

std::string scalar_text(float16 v) {
  return part(v, true, false);
}
std::string scalar_text(float v) {
  return part(v, true, false);
}
std::string scalar_text(double v) {
  return part(v, true, false);
}
std::string scalar_text(std::complex<float> v) {
  return complex_text(v);
}
std::string scalar_text(std::complex<double> v) {
  return complex_text(v);
}

}  // namespace maparray::cli
