// libFuzzer target: npy::parse_descr on arbitrary text. Any input either parses or throws
// format_error; a parsed dtype prints (as numpy's dtype.descr) to text that parses back to the
// same dtype. Built and run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "maparray/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace npy = maparray::npy;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  maparray::dtype type;
  try {
    type = npy::parse_descr(text);
  } catch (const maparray::format_error&) {
    return 0;
  }
  if (!(npy::parse_descr(npy::format_descr(type)) == type)) std::abort();
  return 0;
}
