// The elementwise operations as function objects, with NumPy's results: maparray::op::add{},
// op::sqrt{}, op::less{}... Every face of maparray computes through these, so C++ code, the
// tool and the Python module give the same values.
//
// Called with values of any numeric types, an operation converts them to the type NumPy would
// compute in (see ufunc.hpp) and returns NumPy's result type: op::divide{}(7, 2) is 3.5,
// op::sqrt{}(std::int8_t{4}) is a float16, op::add{}(std::uint8_t{200}, std::uint8_t{100}) is
// uint8 44. A combination NumPy has no loop for (op::floor_divide of complex numbers) does not
// compile. Usable with transform():
//
//   ma::transform(out, ma::op::hypot{}, x, y);
//
// Results follow NumPy on every input: integers wrap around on overflow; integer division and
// remainder by zero give 0 (NumPy's result, without its warning); floor_divide and remainder
// follow Python's signs; NaN propagates through minimum and maximum but not fmin and fmax;
// float16 computes in float and rounds, as NumPy does. Only power of a signed integer to a
// negative integer throws (std::invalid_argument, NumPy's ValueError); nothing else throws.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <type_traits>

#include "maparray/convert.hpp"
#include "maparray/numeric_type.hpp"
#include "maparray/ufunc.hpp"

namespace maparray {

// Implementation, not API: in this public header because the templates here use it.
namespace detail {

template <class T>
inline constexpr bool is_wrapping_integer_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// f(x, y) in unsigned arithmetic, so that integer overflow wraps around instead of being
// undefined.
template <class T, class F>
constexpr T wrapping(T x, T y, F f) noexcept {
  using U = std::make_unsigned_t<decltype(+x)>;
  return static_cast<T>(f(static_cast<U>(x), static_cast<U>(y)));
}

// NumPy's lexicographic order of complex numbers, false wherever a NaN is involved in a way
// that makes the order undefined (its CLT/CLE macros).
template <class C>
constexpr bool complex_less(C x, C y) noexcept {
  return (x.real() < y.real() && x.imag() == x.imag() && y.imag() == y.imag()) ||
         (x.real() == y.real() && x.imag() < y.imag());
}
template <class C>
constexpr bool complex_less_equal(C x, C y) noexcept {
  return (x.real() < y.real() && x.imag() == x.imag() && y.imag() == y.imag()) ||
         (x.real() == y.real() && x.imag() <= y.imag());
}
template <class C>
constexpr bool complex_is_nan(C x) noexcept {
  return x.real() != x.real() || x.imag() != x.imag();
}

// x * y by the schoolbook formula, as NumPy computes it (C's complex multiplication adds
// checks for infinities that NumPy does not make).
template <class C>
constexpr C complex_multiply(C x, C y) noexcept {
  return C(x.real() * y.real() - x.imag() * y.imag(), x.real() * y.imag() + x.imag() * y.real());
}

// x / y by Smith's method, as NumPy computes it: no overflow for large y, and division by a
// zero y gives NumPy's infinities and NaNs.
template <class C>
constexpr C complex_divide(C x, C y) noexcept {
  using R = typename C::value_type;
  const R yr = y.real(), yi = y.imag();
  const R ar = std::abs(yr), ai = std::abs(yi);
  if (ar >= ai) {
    if (ar == 0 && ai == 0) return C(x.real() / ar, x.imag() / ai);
    const R ratio = yi / yr;
    const R scale = R{1} / (yr + yi * ratio);
    return C((x.real() + x.imag() * ratio) * scale, (x.imag() - x.real() * ratio) * scale);
  }
  const R ratio = yr / yi;
  const R scale = R{1} / (yi + yr * ratio);
  return C((x.real() * ratio + x.imag()) * scale, (x.imag() * ratio - x.real()) * scale);
}

// Python's floor division and remainder of floating-point numbers, as NumPy's divmod: the
// quotient is rounded to the nearest integer near floor(x / y), the remainder takes y's sign.
template <class R>
R float_divmod(R x, R y, R* remainder) noexcept {
  R mod = std::fmod(x, y);
  if (y == 0) {
    *remainder = mod;
    return x / y;
  }
  R div = (x - mod) / y;
  if (mod != 0) {
    if ((y < 0) != (mod < 0)) {
      mod += y;
      div -= R{1};
    }
  } else {
    mod = std::copysign(R{0}, y);
  }
  R floor_div;
  if (div != 0) {
    floor_div = std::floor(div);
    if (div - floor_div > R{0.5}) floor_div += R{1};
  } else {
    floor_div = std::copysign(R{0}, x / y);
  }
  *remainder = mod;
  return floor_div;
}

// The base of every operation: converts arguments to the loop type NumPy chooses for them and
// calls Derived::apply, computing float16 in float.
template <class Derived, ufunc F>
struct numpy_operation {
  // The operation's identity in ufunc.hpp.
  static constexpr ufunc id = F;

  // Derived::apply in the loop type L (float16 computed in float, rounded back).
  template <class L, class... A>
  static constexpr auto in_loop(A... x) {
    if constexpr (std::is_same_v<L, float16>) {
      const auto r = Derived::apply(static_cast<float>(x)...);
      if constexpr (std::is_same_v<std::remove_cv_t<decltype(r)>, float>) {
        return float16(r);
      } else {
        return r;
      }
    } else {
      return Derived::apply(static_cast<L>(x)...);
    }
  }

  // The operation on values of any numeric types, in the loop NumPy chooses for those types.
  template <class... A>
  requires(computable<A>&&...) constexpr auto operator()(A... a) const {
    constexpr std::array<numeric_type, sizeof...(A)> types{numeric_type_of<A>()...};
    constexpr std::optional<ufunc_loop> loop = resolve(F, types);
    static_assert(loop.has_value(), "NumPy has no loop of this operation for these types");
    using L = element_type_t<loop->computes_in>;
    return in_loop<L>(convert<L>(a)...);
  }
};

}  // namespace detail

namespace op {

// @name Arithmetic
// @{
// Each struct is one operation; apply() computes in one loop type and never throws (except
// power, see below). Call the object itself, not apply(), to get NumPy's type resolution.
struct add : detail::numpy_operation<add, ufunc::add> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      return x || y;
    } else if constexpr (detail::is_wrapping_integer_v<T>) {
      return detail::wrapping(x, y, [](auto a, auto b) { return a + b; });
    } else {
      return x + y;
    }
  }
};
// numpy.subtract: x - y, wrapping around for integers.
struct subtract : detail::numpy_operation<subtract, ufunc::subtract> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (detail::is_wrapping_integer_v<T>) {
      return detail::wrapping(x, y, [](auto a, auto b) { return a - b; });
    } else {
      return x - y;
    }
  }
};
// numpy.multiply: x * y; and for bools; complex numbers by the schoolbook formula, as NumPy.
struct multiply : detail::numpy_operation<multiply, ufunc::multiply> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      return x && y;
    } else if constexpr (detail::is_wrapping_integer_v<T>) {
      return detail::wrapping(x, y, [](auto a, auto b) { return a * b; });
    } else if constexpr (detail::is_complex_v<T>) {
      return detail::complex_multiply(x, y);
    } else {
      return x * y;
    }
  }
};
// True division; integers are divided as float64 (7 / 2 is 3.5).
struct divide : detail::numpy_operation<divide, ufunc::divide> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return detail::complex_divide(x, y);
    } else {
      return x / y;
    }
  }
};
// Python's //: rounds toward negative infinity; an integer divided by 0 gives 0, and the most
// negative integer divided by -1 gives itself (it wraps).
struct floor_divide : detail::numpy_operation<floor_divide, ufunc::floor_divide> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_integral_v<T>) {
      if (y == 0) return T{0};
      if constexpr (std::is_signed_v<T>) {
        if (x == std::numeric_limits<T>::min() && y == T(-1)) return x;
        const T q = static_cast<T>(x / y);
        return ((x > 0) != (y > 0)) && static_cast<T>(q * y) != x ? static_cast<T>(q - 1) : q;
      } else {
        return static_cast<T>(x / y);
      }
    } else {
      T mod;
      return detail::float_divmod(x, y, &mod);
    }
  }
};
// Python's %: the result has the divisor's sign; x % 0 is 0 for integers, NaN for floats.
struct remainder : detail::numpy_operation<remainder, ufunc::remainder> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_integral_v<T>) {
      if (y == 0) return T{0};
      if constexpr (std::is_signed_v<T>) {
        if (x == std::numeric_limits<T>::min() && y == T(-1)) return T{0};
        const T r = static_cast<T>(x % y);
        return (r != 0 && ((x > 0) != (y > 0))) ? static_cast<T>(r + y) : r;
      } else {
        return static_cast<T>(x % y);
      }
    } else {
      if (y == 0) return std::fmod(x, y);
      T mod;
      detail::float_divmod(x, y, &mod);
      return mod;
    }
  }
};
// C's fmod: the result has the dividend's sign; x fmod 0 is 0 for integers, NaN for floats.
struct fmod : detail::numpy_operation<fmod, ufunc::fmod> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_integral_v<T>) {
      if (y == 0) return T{0};
      if constexpr (std::is_signed_v<T>) {
        if (y == T(-1)) return T{0};
      }
      return static_cast<T>(x % y);
    } else {
      return std::fmod(x, y);
    }
  }
};
// x ** y. Integers wrap around; a signed integer to a negative power throws
// std::invalid_argument, as NumPy raises ValueError.
struct power : detail::numpy_operation<power, ufunc::power> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (y < 0)
          throw std::invalid_argument("Integers to negative integer powers are not allowed.");
      }
      using U = std::make_unsigned_t<decltype(+x)>;
      U base = static_cast<U>(x), result = 1;
      for (auto e = static_cast<std::make_unsigned_t<T>>(y); e != 0; e >>= 1) {
        if (e & 1U) result = static_cast<U>(result * base);
        base = static_cast<U>(base * base);
      }
      return static_cast<T>(result);
    } else if constexpr (detail::is_complex_v<T>) {
      return complex_power(x, y);
    } else {
      return std::pow(x, y);
    }
  }

 private:
  // NumPy's complex power: exact small integer powers by repeated multiplication, 0 ** y as
  // 0 or NaN, otherwise C's cpow.
  template <class C>
  static C complex_power(C x, C y) noexcept {
    using R = typename C::value_type;
    if (y.real() == 0 && y.imag() == 0) return C(1, 0);
    if (x.real() == 0 && x.imag() == 0) {
      if (y.real() > 0 && y.imag() == 0) return C(0, 0);
      return C(std::numeric_limits<R>::quiet_NaN(), std::numeric_limits<R>::quiet_NaN());
    }
    if (y.imag() == 0 && y.real() > -100 && y.real() < 100 &&
        y.real() == static_cast<R>(static_cast<int>(y.real()))) {
      const int n = static_cast<int>(y.real());
      if (n == 1) return x;
      if (n == 2) return detail::complex_multiply(x, x);
      if (n == 3) return detail::complex_multiply(detail::complex_multiply(x, x), x);
      unsigned mask = 1;
      const unsigned magnitude = static_cast<unsigned>(n < 0 ? -n : n);
      C acc(1, 0), square = x;
      while (mask <= magnitude) {
        if (magnitude & mask) acc = detail::complex_multiply(acc, square);
        mask <<= 1;
        square = detail::complex_multiply(square, square);
      }
      return n < 0 ? detail::complex_divide(C(1, 0), acc) : acc;
    }
    return std::pow(x, y);
  }
};
// numpy.negative: -x, wrapping around for integers.
struct negative : detail::numpy_operation<negative, ufunc::negative> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x) noexcept {
    if constexpr (detail::is_wrapping_integer_v<T>) {
      return detail::wrapping(T{0}, x, [](auto a, auto b) { return a - b; });
    } else {
      return -x;
    }
  }
};
// numpy.positive: +x.
struct positive : detail::numpy_operation<positive, ufunc::positive> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x) noexcept {
    return x;
  }
};
// |x|; the most negative integer stays itself (it wraps); a complex number's magnitude.
struct absolute : detail::numpy_operation<absolute, ufunc::absolute> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr auto apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::hypot(x.real(), x.imag());
    } else if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else if constexpr (std::is_integral_v<T>) {
      return x < 0 ? detail::wrapping(T{0}, x, [](auto a, auto b) { return a - b; }) : x;
    } else {
      return std::fabs(x);
    }
  }
};
// numpy.square: x * x, wrapping around for integers.
struct square : detail::numpy_operation<square, ufunc::square> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x) noexcept {
    return multiply::apply(x, x);
  }
};
// -1, 0 or 1 (NaN stays NaN); for a complex number, x / |x| (0 for 0), as NumPy 2.
struct sign : detail::numpy_operation<sign, ufunc::sign> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      if (x.real() == 0 && x.imag() == 0) return T(0, 0);
      const auto magnitude = std::hypot(x.real(), x.imag());
      return T(x.real() / magnitude, x.imag() / magnitude);
    } else if constexpr (std::is_unsigned_v<T>) {
      return static_cast<T>(x > 0);
    } else if constexpr (std::is_integral_v<T>) {
      return static_cast<T>((x > 0) - (x < 0));
    } else {
      return x > 0 ? T{1} : x < 0 ? T{-1} : x == 0 ? T{0} : x;
    }
  }
};
// @}

// @name Comparison and selection
// @{
// The smaller / larger; NaN wins (minimum, maximum) or loses (fmin, fmax) against numbers.
// Complex numbers are ordered by real part, then imaginary part.
struct minimum : detail::numpy_operation<minimum, ufunc::minimum> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      return x && y;
    } else if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less_equal(x, y) || detail::complex_is_nan(x) ? x : y;
    } else if constexpr (std::is_floating_point_v<T>) {
      return (x <= y || x != x) ? x : y;
    } else {
      return y < x ? y : x;
    }
  }
};
// numpy.maximum: The larger of x and y, or the NaN if either is NaN.
struct maximum : detail::numpy_operation<maximum, ufunc::maximum> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      return x || y;
    } else if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less_equal(y, x) || detail::complex_is_nan(x) ? x : y;
    } else if constexpr (std::is_floating_point_v<T>) {
      return (x >= y || x != x) ? x : y;
    } else {
      return x < y ? y : x;
    }
  }
};
// numpy.fmin: The smaller of x and y; a NaN loses to a number.
struct fmin : detail::numpy_operation<fmin, ufunc::fmin> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less_equal(x, y) || detail::complex_is_nan(y) ? x : y;
    } else if constexpr (std::is_floating_point_v<T>) {
      return (x <= y || y != y) ? x : y;
    } else {
      return minimum::apply(x, y);
    }
  }
};
// numpy.fmax: The larger of x and y; a NaN loses to a number.
struct fmax : detail::numpy_operation<fmax, ufunc::fmax> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less_equal(y, x) || detail::complex_is_nan(y) ? x : y;
    } else if constexpr (std::is_floating_point_v<T>) {
      return (x >= y || y != y) ? x : y;
    } else {
      return maximum::apply(x, y);
    }
  }
};
// numpy.equal: x == y.
struct equal : detail::numpy_operation<equal, ufunc::equal> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return x == y;
  }
};
// numpy.not_equal: x != y.
struct not_equal : detail::numpy_operation<not_equal, ufunc::not_equal> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return x != y;
  }
};
// numpy.less: x < y (complex numbers by real, then imaginary part).
struct less : detail::numpy_operation<less, ufunc::less> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less(x, y);
    } else {
      return x < y;
    }
  }
};
// numpy.less_equal: x <= y.
struct less_equal : detail::numpy_operation<less_equal, ufunc::less_equal> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return detail::complex_less_equal(x, y);
    } else {
      return x <= y;
    }
  }
};
// numpy.greater: x > y.
struct greater : detail::numpy_operation<greater, ufunc::greater> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return less::apply(y, x);
  }
};
// numpy.greater_equal: x >= y.
struct greater_equal : detail::numpy_operation<greater_equal, ufunc::greater_equal> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return less_equal::apply(y, x);
  }
};
// Logical operations take any value as "not zero" (NaN is true).
struct logical_and : detail::numpy_operation<logical_and, ufunc::logical_and> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return convert<bool>(x) && convert<bool>(y);
  }
};
// numpy.logical_or: x or y, by "not zero".
struct logical_or : detail::numpy_operation<logical_or, ufunc::logical_or> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return convert<bool>(x) || convert<bool>(y);
  }
};
// numpy.logical_xor: Exactly one of x and y is not zero.
struct logical_xor : detail::numpy_operation<logical_xor, ufunc::logical_xor> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x, T y) noexcept {
    return convert<bool>(x) != convert<bool>(y);
  }
};
// numpy.logical_not: x is zero.
struct logical_not : detail::numpy_operation<logical_not, ufunc::logical_not> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x) noexcept {
    return !convert<bool>(x);
  }
};
// @}

// @name Bits
// @{
// On bools, the logical operations. Shifts by at least the width give 0 (or -1 for a negative
// number shifted right), and negative shift counts count as huge ones, as in NumPy.
struct bitwise_and : detail::numpy_operation<bitwise_and, ufunc::bitwise_and> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    return static_cast<T>(x & y);
  }
};
// numpy.bitwise_or: x | y.
struct bitwise_or : detail::numpy_operation<bitwise_or, ufunc::bitwise_or> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    return static_cast<T>(x | y);
  }
};
// numpy.bitwise_xor: x ^ y.
struct bitwise_xor : detail::numpy_operation<bitwise_xor, ufunc::bitwise_xor> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    return static_cast<T>(x ^ y);
  }
};
// numpy.invert: ~x; not x for bools.
struct invert : detail::numpy_operation<invert, ufunc::invert> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      return !x;
    } else {
      return static_cast<T>(~x);
    }
  }
};
// numpy.left_shift: x << y.
struct left_shift : detail::numpy_operation<left_shift, ufunc::left_shift> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    using U = std::make_unsigned_t<T>;
    if (static_cast<U>(y) >= sizeof(T) * 8) return T{0};
    return static_cast<T>(static_cast<std::make_unsigned_t<decltype(+x)>>(x) << y);
  }
};
// numpy.right_shift: x >> y, arithmetic for signed integers.
struct right_shift : detail::numpy_operation<right_shift, ufunc::right_shift> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr T apply(T x, T y) noexcept {
    using U = std::make_unsigned_t<T>;
    if (static_cast<U>(y) >= sizeof(T) * 8) return x < 0 ? T(-1) : T{0};
    return static_cast<T>(x >> y);
  }
};
// @}

// @name Floating point
// @{
// Integers are never NaN nor infinite. floor, ceil, trunc and rint compute in floating point
// (NumPy gives float16 for int8 input); rint rounds half to even.
struct isnan : detail::numpy_operation<isnan, ufunc::isnan> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::isnan(x.real()) || std::isnan(x.imag());
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::isnan(x);
    } else {
      return false;
    }
  }
};
// numpy.isinf: x is infinite (either part of a complex number).
struct isinf : detail::numpy_operation<isinf, ufunc::isinf> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::isinf(x.real()) || std::isinf(x.imag());
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::isinf(x);
    } else {
      return false;
    }
  }
};
// numpy.isfinite: x is neither infinite nor NaN.
struct isfinite : detail::numpy_operation<isfinite, ufunc::isfinite> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static constexpr bool apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::isfinite(x.real()) && std::isfinite(x.imag());
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::isfinite(x);
    } else {
      return true;
    }
  }
};
// numpy.floor: The largest integer not above x.
struct floor : detail::numpy_operation<floor, ufunc::floor> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::floor(x);
  }
};
// numpy.ceil: The smallest integer not below x.
struct ceil : detail::numpy_operation<ceil, ufunc::ceil> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::ceil(x);
  }
};
// numpy.trunc: x rounded toward zero.
struct trunc : detail::numpy_operation<trunc, ufunc::trunc> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::trunc(x);
  }
};
// numpy.rint: x rounded to the nearest integer, half to even.
struct rint : detail::numpy_operation<rint, ufunc::rint> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return T(std::nearbyint(x.real()), std::nearbyint(x.imag()));
    } else {
      return std::nearbyint(x);
    }
  }
};
// numpy.copysign: |x| with the sign of y.
struct copysign : detail::numpy_operation<copysign, ufunc::copysign> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x, T y) noexcept {
    return std::copysign(x, y);
  }
};
// @}

// @name Powers, exponentials, logarithms, trigonometric and hyperbolic functions
// @{
// C's functions of the same names (arc* are asin, acos...), on complex numbers too where NumPy
// has them. Integers compute in the smallest floating type holding them (see ufunc.hpp).
// numpy.sqrt: C's sqrt.
struct sqrt : detail::numpy_operation<sqrt, ufunc::sqrt> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::sqrt(x);
  }
};
// numpy.cbrt: C's cbrt.
struct cbrt : detail::numpy_operation<cbrt, ufunc::cbrt> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::cbrt(x);
  }
};
// numpy.exp: C's exp.
struct exp : detail::numpy_operation<exp, ufunc::exp> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::exp(x);
  }
};
// numpy.log: C's log.
struct log : detail::numpy_operation<log, ufunc::log> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::log(x);
  }
};
// numpy.log10: C's log10.
struct log10 : detail::numpy_operation<log10, ufunc::log10> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::log10(x);
  }
};
// numpy.sin: C's sin.
struct sin : detail::numpy_operation<sin, ufunc::sin> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::sin(x);
  }
};
// numpy.cos: C's cos.
struct cos : detail::numpy_operation<cos, ufunc::cos> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::cos(x);
  }
};
// numpy.tan: C's tan.
struct tan : detail::numpy_operation<tan, ufunc::tan> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::tan(x);
  }
};
// numpy.arcsin: C's asin.
struct arcsin : detail::numpy_operation<arcsin, ufunc::arcsin> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::asin(x);
  }
};
// numpy.arccos: C's acos.
struct arccos : detail::numpy_operation<arccos, ufunc::arccos> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::acos(x);
  }
};
// numpy.arctan: C's atan.
struct arctan : detail::numpy_operation<arctan, ufunc::arctan> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::atan(x);
  }
};
// numpy.sinh: C's sinh.
struct sinh : detail::numpy_operation<sinh, ufunc::sinh> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::sinh(x);
  }
};
// numpy.cosh: C's cosh.
struct cosh : detail::numpy_operation<cosh, ufunc::cosh> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::cosh(x);
  }
};
// numpy.tanh: C's tanh.
struct tanh : detail::numpy_operation<tanh, ufunc::tanh> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::tanh(x);
  }
};
// numpy.arcsinh: C's asinh.
struct arcsinh : detail::numpy_operation<arcsinh, ufunc::arcsinh> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::asinh(x);
  }
};
// numpy.arccosh: C's acosh.
struct arccosh : detail::numpy_operation<arccosh, ufunc::arccosh> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::acosh(x);
  }
};
// numpy.arctanh: C's atanh.
struct arctanh : detail::numpy_operation<arctanh, ufunc::arctanh> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    return std::atanh(x);
  }
};

// numpy.exp2: 2 ** x.
struct exp2 : detail::numpy_operation<exp2, ufunc::exp2> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::exp(x * std::numbers::ln2_v<typename T::value_type>);
    } else {
      return std::exp2(x);
    }
  }
};
// numpy.log2: The base-2 logarithm.
struct log2 : detail::numpy_operation<log2, ufunc::log2> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      return std::log(x) / std::numbers::ln2_v<typename T::value_type>;
    } else {
      return std::log2(x);
    }
  }
};
// exp(x) - 1, accurate near 0; for complex numbers through expm1 of the real part.
struct expm1 : detail::numpy_operation<expm1, ufunc::expm1> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      const auto half_sine = std::sin(x.imag() / 2);
      return T(std::expm1(x.real()) * std::cos(x.imag()) - 2 * half_sine * half_sine,
               std::exp(x.real()) * std::sin(x.imag()));
    } else {
      return std::expm1(x);
    }
  }
};
// log(1 + x), accurate near 0 for real numbers.
struct log1p : detail::numpy_operation<log1p, ufunc::log1p> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x) noexcept {
    if constexpr (detail::is_complex_v<T>) {
      const auto real = x.real() + 1;
      return T(std::log(std::hypot(real, x.imag())), std::atan2(x.imag(), real));
    } else {
      return std::log1p(x);
    }
  }
};
// numpy.hypot: sqrt(x*x + y*y) without overflow.
struct hypot : detail::numpy_operation<hypot, ufunc::hypot> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T x, T y) noexcept {
    return std::hypot(x, y);
  }
};
// numpy.arctan2: The angle of the point (x, y): C's atan2(y, x).
struct arctan2 : detail::numpy_operation<arctan2, ufunc::arctan2> {
  // The operation on values of one loop type T (see ufunc.hpp).
  template <class T>
  static T apply(T y, T x) noexcept {
    return std::atan2(y, x);
  }
};
// @}

}  // namespace op

}  // namespace maparray
