#include "float16.hpp"

#include <bit>
#include <charconv>
#include <cmath>

namespace maparray::cli {

std::uint16_t float16_bits(double value) noexcept {
  const std::uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  if (std::isnan(value)) return sign | 0x7e00;
  const double magnitude = std::fabs(value);
  if (std::isinf(magnitude)) return sign | 0x7c00;
  int exponent = 0;
  std::frexp(magnitude, &exponent);  // magnitude = f * 2^exponent, f in [0.5, 1)
  // Below 2^-14 a float16 is subnormal: a whole number of units of 2^-24. Scaling by a power
  // of two is exact, and nearbyint rounds ties to even in the default rounding mode.
  if (magnitude == 0 || exponent - 1 < -14) {
    const double units = std::nearbyint(std::ldexp(magnitude, 24));
    return sign | static_cast<std::uint16_t>(units);  // 1024 units is the smallest normal
  }
  // Normal: 11 significant bits, from 1024 to 2047 units of 2^(exponent - 11).
  double units = std::nearbyint(std::ldexp(magnitude, 11 - exponent));
  int biased = exponent - 1 + 15;
  if (units == 2048) {
    units = 1024;
    ++biased;
  }
  if (biased >= 31) return sign | 0x7c00;
  return sign | static_cast<std::uint16_t>((biased << 10) | (static_cast<int>(units) - 1024));
}

std::string float16_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  const std::uint16_t bits = float16_bits(value);
  char buffer[32];
  for (int digits = 1;; ++digits) {
    const auto end =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, digits)
            .ptr;
    double back = 0;
    std::from_chars(buffer, end, back);
    if (float16_bits(back) == bits || digits >= 17) return std::string(buffer, end);
  }
}

}  // namespace maparray::cli
