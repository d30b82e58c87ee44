#include "input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "cli_error.hpp"
#include "maparray/npy.hpp"
#include "maparray/os.hpp"
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
  std::vector<index_t> values;
  std::string_view rest = text;
  // Accept numpy's spelling too: "(3, 4)".
  while (!rest.empty() && (rest.front() == '(' || rest.front() == ' ')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ')' || rest.back() == ' ' || rest.back() == ','))
    rest.remove_suffix(1);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
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
  std::string_view t = text;
  std::size_t digits = 0;
  while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits]))) ++digits;
  const std::int64_t number = parse_integer(t.substr(0, digits), "size");
  std::string unit(t.substr(digits));
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.ends_with("IB"))
    unit.resize(unit.size() - 2);
  else if (unit.size() > 1 && unit.ends_with("B"))
    unit.resize(unit.size() - 1);
  static const std::array<std::pair<const char*, int>, 6> units{
      {{"", 0}, {"B", 0}, {"K", 10}, {"M", 20}, {"G", 30}, {"T", 40}}};
  for (const auto& [name, shift] : units) {
    if (unit == name) {
      if (number > (std::int64_t{1} << (62 - shift)))
        throw std::invalid_argument("size '" + text + "' is too large");
      return number << shift;
    }
  }
  throw std::invalid_argument("bad size '" + text + "' (use a number with K, M, G or T)");
}

dtype parse_dtype(const std::string& text) {
  const dtype t = dtype::parse(text);
  if (!t.is_numeric()) throw std::invalid_argument("dtype '" + text + "' is not numeric");
  return t;
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

void add_raw_layout_options(CLI::App& cmd, raw_layout& into) {
  cmd.add_option_function<std::string>(
         "--dtype", [&into](const std::string& s) { into.type = parse_dtype(s); },
         "element type of a raw file: numpy descr or name (f4, <f4, float32)")
      ->check(dtype_validator());
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

bool is_npy_path(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".npy") return true;
  // O_NONBLOCK: a FIFO must not keep the tool waiting for a writer; opening the file for real
  // then says what it is.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st {};
  std::array<char, 6> head{};
  const auto n = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
                     ? ::read(fd, head.data(), head.size())
                     : ssize_t{0};
  ::close(fd);
  return n == static_cast<ssize_t>(head.size()) && head == npy_magic;
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
      result.array = open(path, {.mode = writable ? mode::read_write : mode::read});
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
