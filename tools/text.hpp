// Small text helpers shared by the subcommands: numbers, human-readable sizes, bars.
#pragma once

#include <cstddef>
#include <string>

#include "maparray/float16.hpp"

namespace maparray::cli {

// `value` in the shortest form that reads back exactly ("0.1", "1e+20", "3"); "nan", "inf",
// "-inf" as numpy prints them. Never throws except std::bad_alloc.
std::string number_text(double value);
// As above for a float32 value, shortest as a float32 ("0.1" for 0.1f). Never throws except
// std::bad_alloc.
std::string number_text(float value);
// As above for a float16 value, with the fewest significant digits that read back as the same
// float16 ("0.1" for the float16 0.0999755859375), in printf's %g style ("1e+04" for 10000).
// Never throws except std::bad_alloc.
std::string number_text(float16 value);

// Appends code point `c` to `out` in UTF-8. Never throws except std::bad_alloc.
void append_utf8(std::string& out, char32_t c);
// The code points of numpy's unicode string of `n` UCS-4 characters at `p` (any alignment),
// byte-swapped if `swap`, without its trailing NUL padding. Never throws except std::bad_alloc.
std::u32string read_ucs4(const std::byte* p, std::size_t n, bool swap);

// `bytes` for people: "512 B", "93.8 KiB", "1.5 GiB". Never throws except std::bad_alloc.
std::string human_bytes(double bytes);
// A bar of `width` cells, `fraction` (0..1) of them filled: "[#####-----]". Never throws except
// std::bad_alloc.
std::string bar(double fraction, int width = 20);

}  // namespace maparray::cli
