// The kernels that convert elements between numeric types, and between an array's memory and a
// register.
#include <algorithm>
#include <bit>
#include <cstring>

#include "kernels.hpp"
#include "maparray/convert.hpp"

namespace maparray::detail {

namespace {

// The width of the scalars whose bytes a swap reverses: a complex number swaps each half.
template <class T>
constexpr std::size_t scalar_width() {
  if constexpr (is_complex_v<T>) {
    return sizeof(typename T::value_type);
  } else {
    return sizeof(T);
  }
}

template <class T>
void reverse_scalars(unsigned char* bytes) noexcept {
  constexpr std::size_t width = scalar_width<T>();
  for (std::size_t at = 0; at < sizeof(T); at += width)
    std::reverse(bytes + at, bytes + at + width);
}

// One element stored as T at p (any alignment); bools are any nonzero byte, as NumPy reads
// them, so that no byte pattern is an invalid C++ bool.
template <class T>
T read(const std::byte* p, bool swap) noexcept {
  if constexpr (std::is_same_v<T, bool>) {
    return std::to_integer<unsigned char>(*p) != 0;
  } else {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, p, sizeof(T));
    if (swap) reverse_scalars<T>(bytes);
    T value;
    std::memcpy(&value, bytes, sizeof(T));
    return value;
  }
}

template <class T>
void write(std::byte* p, T value, bool swap) noexcept {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  if (swap) reverse_scalars<T>(bytes);
  std::memcpy(p, bytes, sizeof(T));
}

template <class From, class To>
void convert_loop(index_t n, void* out, const void* in) {
  To* o = static_cast<To*>(out);
  const From* x = static_cast<const From*>(in);
  for (index_t i = 0; i < n; ++i) o[i] = convert<To>(x[i]);
}

template <class From, class To>
void load_loop(index_t n, void* out, const std::byte* in, index_t step, bool swap) {
  To* o = static_cast<To*>(out);
  if (step == 0) {
    std::fill(o, o + n, convert<To>(read<From>(in, swap)));
  } else if (!swap && step == static_cast<index_t>(sizeof(From))) {
    for (index_t i = 0; i < n; ++i) o[i] = convert<To>(read<From>(in + i * step, false));
  } else {
    for (index_t i = 0; i < n; ++i) o[i] = convert<To>(read<From>(in + i * step, swap));
  }
}

template <class From, class To>
void store_loop(index_t n, std::byte* out, index_t step, bool swap, const void* in) {
  const From* x = static_cast<const From*>(in);
  if (!swap && step == static_cast<index_t>(sizeof(To))) {
    for (index_t i = 0; i < n; ++i) write<To>(out + i * step, convert<To>(x[i]), false);
  } else {
    for (index_t i = 0; i < n; ++i) write<To>(out + i * step, convert<To>(x[i]), swap);
  }
}

// Calls make.template operator()<From, To>() for the C++ types of two numeric types.
template <class R, class Make>
R for_types(numeric_type from, numeric_type to, Make make) {
  return visit(from, [&]<class From>(From) {
    return visit(to, [&]<class To>(To) { return make.template operator()<From, To>(); });
  });
}

}  // namespace

convert_kernel convert_for(numeric_type from, numeric_type to) noexcept {
  return for_types<convert_kernel>(
      from, to, []<class From, class To>() -> convert_kernel { return &convert_loop<From, To>; });
}

load_kernel load_for(numeric_type from, numeric_type to) noexcept {
  return for_types<load_kernel>(
      from, to, []<class From, class To>() -> load_kernel { return &load_loop<From, To>; });
}

store_kernel store_for(numeric_type from, numeric_type to) noexcept {
  return for_types<store_kernel>(
      from, to, []<class From, class To>() -> store_kernel { return &store_loop<From, To>; });
}

}  // namespace maparray::detail
