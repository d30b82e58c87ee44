#include "input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "cli_error.hpp"
#include "maparray/error.hpp"
#include "maparray/file.hpp"
#include "maparray/npy.hpp"
#include "maparray/raw_file.hpp"

namespace maparray::cli {
namespace {

constexpr std::array<char, 6> npy_magic{'\x93', 'N', 'U', 'M', 'P', 'Y'};

std::int64_t parse_integer(std::string_view text, const char* what) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    throw std::invalid_argument(std::string("bad ") + what + " '" + std::string(text) + "'");
  }
  return value;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// The multiplier of a size's unit: none or B (bytes); K, M, G, T alone or followed by i or iB
// (powers of 1024); KB, MB, GB, TB (powers of 1000), as GNU coreutils read them. The letter
// may be lower case. Throws std::invalid_argument.
std::uint64_t size_multiplier(std::string_view unit, const std::string& text) {
  if (unit.empty() || unit == "B") return 1;
  static constexpr std::string_view letters = "KMGT";
  const auto letter =
      letters.find(static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0]))));
  const std::string_view suffix = unit.substr(1);
  if (letter == std::string_view::npos ||
      !(suffix.empty() || suffix == "i" || suffix == "iB" || suffix == "B")) {
    throw std::invalid_argument("bad size '" + text +
                                "' (a number with K, M, G, T or Ki, Mi, Gi, Ti: powers of "
                                "1024; KB, MB, GB, TB: powers of 1000)");
  }
  const std::uint64_t base = suffix == "B" ? 1000 : 1024;
  std::uint64_t m = 1;
  for (std::size_t k = 0; k <= letter; ++k) m *= base;
  return m;
}

template <class Parse>
CLI::Validator validator(const char* name, Parse parse) {
  return CLI::Validator(
      [parse](std::string& text) -> std::string {
        try {
          parse(text);
          return {};
        } catch (const std::exception& e) {
          return e.what();
        }
      },
      "", name);
}

}  // namespace

dims parse_shape(const std::string& text) {
  std::string_view rest = trim(text);
  // numpy's spelling "(3, 4)" and "(3,)" is accepted too, with exactly one pair of parentheses.
  const bool parenthesized = rest.starts_with('(');
  if (parenthesized) {
    if (!rest.ends_with(')') || rest.size() < 2)
      throw std::invalid_argument("bad shape '" + text + "': unbalanced parentheses");
    rest = trim(rest.substr(1, rest.size() - 2));
  }
  std::vector<index_t> values;
  if (rest.empty()) {
    if (parenthesized) return dims(std::span<const index_t>(values));  // "()": 0-d
    throw std::invalid_argument("empty shape; write () for a 0-d array");
  }
  // One trailing comma is Python's spelling of a 1-tuple: "3," and "(3,)".
  if (rest.ends_with(',')) rest = trim(rest.substr(0, rest.size() - 1));
  for (;;) {
    const auto comma = rest.find(',');
    const std::string_view part = trim(rest.substr(0, comma));
    if (part.empty() || part.find_first_of("()") != std::string_view::npos)
      throw std::invalid_argument("bad shape '" + text + "': expected comma-separated integers");
    const std::int64_t v = parse_integer(part, "dimension");
    if (v < -1) throw std::invalid_argument("negative dimension " + std::to_string(v));
    values.push_back(v);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (std::ranges::count(values, -1) > 1)
    throw std::invalid_argument("at most one dimension may be -1");
  return dims(std::span<const index_t>(values));
}

std::int64_t parse_size(const std::string& text) {
  const std::string_view t = text;
  // The number: digits, optionally a point and more digits.
  std::size_t at = 0;
  while (at < t.size() && std::isdigit(static_cast<unsigned char>(t[at]))) ++at;
  const std::string_view whole = t.substr(0, at);
  std::string_view fraction;
  if (at < t.size() && t[at] == '.') {
    const std::size_t start = ++at;
    while (at < t.size() && std::isdigit(static_cast<unsigned char>(t[at]))) ++at;
    fraction = t.substr(start, at - start);
  }
  if (whole.empty() && fraction.empty())
    throw std::invalid_argument("bad size '" + text + "' (use a number with K, M, G or T)");
  const std::string_view unit = t.substr(at);
  const std::uint64_t multiplier = size_multiplier(unit, text);  // at most 1024^4
  // floor(0.d1d2...dk * multiplier), exactly: from the last digit, r = (d * multiplier + r) / 10
  // in integers gives the floor of the same sum with fractions.
  std::uint64_t fraction_bytes = 0;
  for (auto digit = fraction.rbegin(); digit != fraction.rend(); ++digit)
    fraction_bytes = (static_cast<std::uint64_t>(*digit - '0') * multiplier + fraction_bytes) / 10;
  const auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  const std::uint64_t integer =
      whole.empty() ? 0 : static_cast<std::uint64_t>(parse_integer(whole, "size"));
  if (integer > (limit - fraction_bytes) / multiplier)
    throw std::invalid_argument("size '" + text + "' is too large");
  const std::uint64_t bytes = integer * multiplier + fraction_bytes;
  return static_cast<std::int64_t>(bytes);
}

dtype parse_dtype(const std::string& text) {
  const dtype t = parse_any_dtype(text);
  if (!t.is_numeric()) throw std::invalid_argument("dtype '" + text + "' is not numeric");
  return t;
}

dtype parse_any_dtype(const std::string& text) {
  // A record is written as numpy's descr list: "[('x', '<f4'), ('n', '<u2')]".
  if (trim(text).starts_with('[')) {
    try {
      return npy::parse_descr(text);
    } catch (const format_error& e) {
      throw std::invalid_argument(e.what());
    }
  }
  return dtype::parse(text);
}

CLI::Validator shape_validator() {
  return validator("SHAPE", parse_shape);
}
CLI::Validator size_validator() {
  return validator("SIZE", parse_size);
}
CLI::Validator dtype_validator() {
  return validator("DTYPE", parse_dtype);
}
CLI::Validator any_dtype_validator() {
  return validator("DTYPE", parse_any_dtype);
}

void add_raw_layout_options(CLI::App& cmd, raw_layout& into, bool any_dtype) {
  const auto parse = any_dtype ? parse_any_dtype : parse_dtype;
  cmd.add_option_function<std::string>(
         "--dtype", [&into, parse](const std::string& s) { into.type = parse(s); },
         any_dtype ? "element type of a raw file: numpy descr or name (f4, <f4, float32, S8, "
                     "U4, \"[('x', '<f4'), ('n', '<u2')]\")"
                   : "element type of a raw file: numpy descr or name (f4, <f4, float32)")
      ->check(any_dtype ? any_dtype_validator() : dtype_validator());
  cmd.add_option_function<std::string>(
         "--shape", [&into](const std::string& s) { into.shape = parse_shape(s); },
         "shape of a raw file, comma-separated, one -1 inferred (-1,24)")
      ->check(shape_validator())
      ->allow_extra_args(false);
  cmd.add_option_function<std::string>(
         "--offset", [&into](const std::string& s) { into.offset = parse_size(s); },
         "byte offset of the first element of a raw file")
      ->check(size_validator());
  cmd.add_option_function<std::string>(
         "--order",
         [&into](const std::string& s) { into.layout = s == "F" ? order::fortran : order::c; },
         "element order of a raw file: C (row-major) or F (column-major)")
      ->check(CLI::IsMember({"C", "F"}));
}

namespace {

// Whether `path` has the suffix `suffix` (any case), or starts with one of `magics`.
// O_NONBLOCK: a FIFO is not waited for (open_input refuses it later).
bool has_suffix_or_magic(const std::filesystem::path& path, std::string_view suffix,
                         std::span<const std::string_view> magics) {
  std::string ext = path.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == suffix) return true;
  // O_NONBLOCK: a FIFO must not keep the tool waiting for a writer; opening the file for real
  // then says what it is.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st {};
  std::array<char, 8> head{};
  const auto n = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? ::read(fd, head.data(), head.size())
                                                              : ssize_t{0};
  ::close(fd);
  for (const std::string_view magic : magics) {
    if (n >= static_cast<ssize_t>(magic.size()) &&
        std::string_view(head.data(), magic.size()) == magic)
      return true;
  }
  return false;
}

}  // namespace

bool is_npy_path(const std::filesystem::path& path) {
  static constexpr std::string_view magics[] = {{npy_magic.data(), npy_magic.size()}};
  return has_suffix_or_magic(path, ".npy", magics);
}

bool is_npz_path(const std::filesystem::path& path) {
  // A ZIP archive starts with a member's local header, or with the end record if it is empty.
  static constexpr std::string_view magics[] = {"PK\x03\x04", "PK\x05\x06"};
  return has_suffix_or_magic(path, ".npz", magics);
}

opened_array open_input(const std::filesystem::path& path, const raw_layout& raw, bool writable) {
  return about_file(path, [&] {
    if (is_npy_path(path)) {
      if (raw.type || raw.shape) {
        throw user_error(path.string() +
                         ": is a .npy file, which gives its own dtype and shape; drop --dtype "
                         "and --shape");
      }
      if (raw.offset != 0 || raw.layout != order::c) {
        throw user_error(path.string() +
                         ": is a .npy file, which gives its own offset and order; drop --offset "
                         "and --order");
      }
      opened_array result;
      const npy::header head = npy::read_header(path);
      result.array = open_npy(path, {.mode = writable ? mode::read_write : mode::read});
      result.is_npy = true;
      result.npy_version =
          std::to_string(head.major_version) + "." + std::to_string(head.minor_version);
      result.data_offset = head.data_offset;
      return result;
    }
    if (!raw.type) {
      throw user_error(path.string() +
                       ": is a raw file; say how to read it with --dtype (and --shape if it "
                       "is not 1-d)");
    }
    opened_array result;
    result.array = map_file(path, *raw.type, raw.shape ? shape_spec(*raw.shape) : shape_spec{-1},
                            {.mode = writable ? mode::read_write : mode::read,
                             .offset = raw.offset,
                             .order = raw.layout,
                             // Cooperating writers (resize_file) then cannot shrink it meanwhile.
                             .lock = file_lock::shared});
    result.data_offset = raw.offset;
    return result;
  });
}

}  // namespace maparray::cli
