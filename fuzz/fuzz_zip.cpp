// libFuzzer target: zip::read_directory on arbitrary bytes. Any input either gives a directory
// or throws format_error; every member it gives lies inside the input, and its local header
// and bytes can be read there. Built and run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "maparray/error.hpp"
#include "maparray/zip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace zip = maparray::zip;
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  try {
    for (const zip::entry& e : zip::read_directory(bytes)) {
      if (e.header_offset + 30 > size || e.data_offset > size ||
          e.compressed_size > size - e.data_offset || e.data_offset < e.header_offset + 30) {
        std::abort();
      }
      // Touch the first and last byte of the member, which must be inside the input.
      if (e.compressed_size > 0) {
        volatile std::byte first = bytes[e.data_offset];
        volatile std::byte last = bytes[e.data_offset + e.compressed_size - 1];
        (void)first;
        (void)last;
      }
    }
  } catch (const maparray::format_error&) {
  }
  return 0;
}
