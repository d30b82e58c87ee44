// maparray::float16: IEEE 754 half precision (NumPy's float16, dtype "<f2"), as a storage type.
//
// A float16 holds the 16 bits of a half-precision number. It converts to float exactly and is
// made from float or double by rounding to the nearest half (ties to even), with overflow to
// infinity and NaN kept NaN, as NumPy's conversions do. Arithmetic converts to float, computes
// and rounds back, which is also how NumPy computes on float16 arrays. No operation throws.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

namespace maparray {

// A half-precision number (see the file comment).
class float16 {
 public:
  // Positive zero.
  constexpr float16() noexcept = default;
  // The half nearest to `value` (ties to even); beyond the largest half, infinity.
  constexpr explicit float16(float value) noexcept : bits_(from_float(value)) {}
  // The half nearest to `value`, rounded once from the double (not through float).
  constexpr explicit float16(double value) noexcept : bits_(from_double(value)) {}
  // The half nearest to an integer or other arithmetic value, through double.
  template <class T>
  requires(std::is_arithmetic_v<T> && !std::is_same_v<T, float> &&
           !std::is_same_v<T, double>) constexpr explicit float16(T value) noexcept
      : bits_(from_double(static_cast<double>(value))) {}

  // The half whose bit pattern is `bits`.
  static constexpr float16 from_bits(std::uint16_t bits) noexcept {
    float16 h;
    h.bits_ = bits;
    return h;
  }
  // The bit pattern.
  constexpr std::uint16_t bits() const noexcept { return bits_; }

  // The exact value as a float.
  constexpr operator float() const noexcept { return to_float(bits_); }  // NOLINT: widening

 private:
  static constexpr float to_float(std::uint16_t h) noexcept {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000U) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1fU;
    std::uint32_t mantissa = h & 0x3ffU;
    if (exponent == 0x1f) {  // infinity or NaN; NaN payloads move up with the mantissa
      return std::bit_cast<float>(sign | 0x7f800000U | (mantissa << 13));
    }
    if (exponent == 0) {
      if (mantissa == 0) return std::bit_cast<float>(sign);
      // A subnormal half is a normal float: shift the mantissa up to its leading one.
      int shift = 0;
      while ((mantissa & 0x400U) == 0) {
        mantissa <<= 1;
        ++shift;
      }
      mantissa &= 0x3ffU;
      const std::uint32_t e = static_cast<std::uint32_t>(127 - 15 + 1 - shift);
      return std::bit_cast<float>(sign | (e << 23) | (mantissa << 13));
    }
    return std::bit_cast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
  }

  // Rounds the binary number (1.mantissa or 0.mantissa) * 2^exponent, given as sign, unbiased
  // exponent and a mantissa of `bits` fraction bits with its leading one included, to a half.
  static constexpr std::uint16_t round_to_half(std::uint16_t sign, int exponent,
                                               std::uint64_t mantissa, int bits) noexcept {
    if (exponent > 15) return static_cast<std::uint16_t>(sign | 0x7c00U);
    // Keep 10 fraction bits for normal halves, fewer for subnormals (exponent below -14).
    int drop = bits - 10;
    if (exponent < -14) drop += -14 - exponent;
    if (drop > bits + 1) return sign;  // below half the smallest subnormal: zero
    std::uint64_t kept = mantissa >> drop;
    const std::uint64_t rest = mantissa & ((std::uint64_t{1} << drop) - 1);
    const std::uint64_t half_way = std::uint64_t{1} << (drop - 1);
    if (rest > half_way || (rest == half_way && (kept & 1U) != 0)) ++kept;
    // `kept` includes the leading one for normal results; a carry out of the mantissa moves
    // the exponent up, which adding the biased exponent below does by itself.
    if (exponent < -14)
      return static_cast<std::uint16_t>(sign | kept);  // subnormal or the
                                                       // smallest normal
    const auto biased = static_cast<std::uint64_t>(exponent + 15);
    const std::uint64_t result = (biased << 10) + (kept - 0x400U);
    if (result >= 0x7c00U) return static_cast<std::uint16_t>(sign | 0x7c00U);
    return static_cast<std::uint16_t>(sign | result);
  }

  static constexpr std::uint16_t from_float(float value) noexcept {
    const std::uint32_t f = std::bit_cast<std::uint32_t>(value);
    const auto sign = static_cast<std::uint16_t>((f >> 16) & 0x8000U);
    const std::uint32_t exponent = (f >> 23) & 0xffU;
    const std::uint32_t mantissa = f & 0x7fffffU;
    if (exponent == 0xff) {
      if (mantissa == 0) return static_cast<std::uint16_t>(sign | 0x7c00U);
      // NaN: keep the top payload bits, and at least one so it stays NaN.
      const auto payload = static_cast<std::uint16_t>(mantissa >> 13);
      return static_cast<std::uint16_t>(sign | 0x7c00U | (payload != 0 ? payload : 0x200U));
    }
    if (exponent == 0) return sign;  // float subnormals are far below the smallest half
    return round_to_half(sign, static_cast<int>(exponent) - 127, mantissa | 0x800000U, 23);
  }

  static constexpr std::uint16_t from_double(double value) noexcept {
    const std::uint64_t d = std::bit_cast<std::uint64_t>(value);
    const auto sign = static_cast<std::uint16_t>((d >> 48) & 0x8000U);
    const std::uint64_t exponent = (d >> 52) & 0x7ffU;
    const std::uint64_t mantissa = d & 0xfffffffffffffULL;
    if (exponent == 0x7ff) {
      if (mantissa == 0) return static_cast<std::uint16_t>(sign | 0x7c00U);
      const auto payload = static_cast<std::uint16_t>(mantissa >> 42);
      return static_cast<std::uint16_t>(sign | 0x7c00U | (payload != 0 ? payload : 0x200U));
    }
    if (exponent == 0) return sign;
    const int e = static_cast<int>(exponent) - 1023;
    if (e < -26) return sign;  // also keeps the shift in round_to_half within 64 bits
    return round_to_half(sign, e, mantissa | (std::uint64_t{1} << 52), 52);
  }

  std::uint16_t bits_ = 0;
};

}  // namespace maparray
