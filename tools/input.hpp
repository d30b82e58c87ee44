// Opening the files the tool works on: .npy files (recognised by suffix or by their magic
// bytes) describe themselves; raw files are described by --dtype, --shape, --offset, --order.
// Every subcommand that reads arrays opens them here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "maparray/any_array.hpp"
#include "maparray/dtype.hpp"
#include "maparray/shape.hpp"

namespace maparray::cli {

// How to read a raw file; ignored for .npy files, which must not be given --dtype.
struct raw_layout {
  std::optional<dtype> type;
  std::optional<dims> shape;  // default: one dimension, inferred from the file size
  std::int64_t offset = 0;
  order layout = order::c;
};

// Adds --dtype, --shape, --offset and --order to `cmd`, filling `into`. --dtype takes numeric
// types only unless `any_dtype` (strings, raw bytes and records too). Bad values are usage
// errors (exit status 2).
void add_raw_layout_options(CLI::App& cmd, raw_layout& into, bool any_dtype = false);

// An array opened from a file, with what the file said about it.
struct opened_array {
  any_array array;
  bool is_npy = false;
  std::string npy_version;   // "1.0", "2.0" or "3.0" for .npy files
  std::int64_t data_offset;  // byte offset of the first element in the file
};

// True if `path` names a .npy file: by its suffix, or (for an existing file) by its magic.
// Never throws.
bool is_npy_path(const std::filesystem::path& path);

// True if `path` names a .npz archive: by its suffix, or (for an existing file) by the magic of
// a ZIP archive. Never throws.
bool is_npz_path(const std::filesystem::path& path);

// Opens `path` read-only (or read_write if `writable`). Throws user_error naming the file.
opened_array open_input(const std::filesystem::path& path, const raw_layout& raw,
                        bool writable = false);

// Parsers for option values; each throws std::invalid_argument with a short message.
// A shape: comma-separated integers, at most one -1; "3,4", "-1,24", "(3, 4)", "3," and "(3,)";
// "()" is 0-d. Empty text and stray commas or parentheses are errors.
dims parse_shape(const std::string& text);
// A byte count: a number, fractions allowed, then a unit: none or B; K, M, G, T, alone or with
// i or iB (powers of 1024); KB, MB, GB, TB (powers of 1000). "4096" "64M" "1.5G" "2KiB" "1MB".
// A fraction of a byte is rounded down.
std::int64_t parse_size(const std::string& text);
// A numeric dtype: "f4" "<f4" "float32".
dtype parse_dtype(const std::string& text);
// Any dtype: the numeric ones, "S8", "U4", "V16", and records as numpy's descr list
// "[('x', '<f4'), ('n', '<u2')]".
dtype parse_any_dtype(const std::string& text);

// CLI11 validators built on the parsers: they turn a bad value into a usage error.
CLI::Validator shape_validator();
CLI::Validator size_validator();
CLI::Validator dtype_validator();
CLI::Validator any_dtype_validator();

}  // namespace maparray::cli
