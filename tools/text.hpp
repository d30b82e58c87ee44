// Small text helpers shared by the subcommands: JSON values, human-readable sizes, bars.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "maparray/shape.hpp"

namespace maparray::cli {

// `text` as a JSON string literal, quoted and escaped. Never throws except std::bad_alloc.
std::string json_string(std::string_view text);
// `value` as a JSON number in the shortest form that reads back exactly; null for NaN and
// infinities, which JSON cannot express. Never throws except std::bad_alloc.
std::string json_number(double value);
// `shape` as a JSON list: [3, 4]. Never throws except std::bad_alloc.
std::string json_list(std::span<const index_t> shape);

// `bytes` for people: "512 B", "93.8 KiB", "1.5 GiB". Never throws except std::bad_alloc.
std::string human_bytes(double bytes);
// A bar of `width` cells, `fraction` (0..1) of them filled: "[#####-----]". Never throws except
// std::bad_alloc.
std::string bar(double fraction, int width = 20);

}  // namespace maparray::cli
