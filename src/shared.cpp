// Named and anonymous shared arrays: the header page, creating, opening and removing.
#include "maparray/shared.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "existing_file.hpp"
#include "maparray/error.hpp"
#include "sys.hpp"

namespace maparray {
namespace {

// The first bytes of every shared array, in native byte order (shared memory never leaves the
// machine). The magic is written last, so that an opener can tell a finished header.
struct header {
  static constexpr std::array<char, 8> expected_magic{'M', 'A', 'P', 'A', 'R', 'S', 'H', 'M'};
  static constexpr std::uint32_t current_version = 1;

  std::array<char, 8> magic{};
  std::uint32_t version = 0;
  std::uint32_t header_bytes = 0;  // sizeof(header), as a check on the layout
  std::uint64_t data_offset = 0;   // where the elements start: a page boundary
  std::uint64_t data_bytes = 0;    // element count x itemsize
  std::uint32_t ndim = 0;
  std::uint8_t fortran = 0;  // 1 for Fortran order
  std::array<std::uint8_t, 3> unused{};
  std::array<char, 64> descr{};  // dtype::str(), NUL-padded
  std::array<std::int64_t, max_rank> shape{};
};
static_assert(std::is_trivially_copyable_v<header>);

constexpr std::size_t max_name_length = 255;  // NAME_MAX of the file under /dev/shm

// Checks a shared-memory name and returns it as a string. Throws std::invalid_argument.
std::string checked_name(std::string_view name) {
  const std::string text(name);
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("invalid shared-memory name '" + text + "': " + why);
  };
  if (name.empty() || name.front() != '/') throw bad("it must start with '/'");
  const std::string_view rest = name.substr(1);
  if (rest.empty()) throw bad("it needs a name after the '/'");
  if (rest.size() > max_name_length) {
    throw bad("at most " + std::to_string(max_name_length) + " characters may follow the '/'");
  }
  if (rest.find('/') != std::string_view::npos) throw bad("only its first character may be '/'");
  if (rest.find('\0') != std::string_view::npos) throw bad("it must not contain NUL");
  if (rest == "." || rest == "..") throw bad("'.' and '..' are not names");
  return text;
}

// Checks that `type` can be recorded in a header and read back. Throws std::invalid_argument.
std::string checked_descr(const dtype& type) {
  if (type.kind() == dtype_kind::record) {
    throw std::invalid_argument("shared arrays of record dtype " + type.str() +
                                " are not supported; share the fields as separate arrays");
  }
  if (type.itemsize() <= 0) {
    throw std::invalid_argument("shared arrays need elements of at least one byte, not " +
                                type.str());
  }
  std::string descr = type.str();
  if (descr.size() >= header{}.descr.size()) {
    throw std::invalid_argument("dtype " + descr + " is too long to record");
  }
  return descr;
}

// The header of a new array; its magic is left empty until the rest is written.
header describe(const dtype& type, const shape_spec& shape, order layout, const std::string& what) {
  for (index_t d : shape.values()) {
    if (d < 0) {
      throw std::invalid_argument("cannot create " + what + " with shape " +
                                  to_string(shape.values()) + ": dimensions must be >= 0");
    }
  }
  const std::string descr = checked_descr(type);
  header h;
  h.version = header::current_version;
  h.header_bytes = sizeof(header);
  h.data_offset = std::max(sys::page_size(), sizeof(header));
  h.data_bytes = static_cast<std::uint64_t>(
      checked_mul(element_count(shape.values()), type.itemsize(), "array size"));
  checked_add(static_cast<index_t>(h.data_offset), static_cast<index_t>(h.data_bytes),
              "array size");
  h.ndim = static_cast<std::uint32_t>(shape.values().size());
  h.fortran = layout == order::fortran ? 1 : 0;
  std::ranges::copy(descr, h.descr.begin());
  std::ranges::copy(shape.values(), h.shape.begin());
  return h;
}

std::span<const std::byte> bytes_of(const header& h) {
  return std::as_bytes(std::span(&h, 1));
}

// Reserves the object's memory and writes its header, magic last.
void initialize(const file& f, const header& h) {
  sys::reserve(f, static_cast<std::int64_t>(h.data_offset + h.data_bytes));
  sys::write_at(f, bytes_of(h).subspan(sizeof h.magic), sizeof h.magic);
  sys::write_at(f, std::as_bytes(std::span(header::expected_magic)), 0);
}

// What an opener learns from a header.
struct description {
  dtype type;
  dims shape;
  order layout = order::c;
  std::int64_t data_offset = 0;
  std::int64_t data_bytes = 0;
};

// Reads and checks the header of `f`. Returns nothing if it is not complete yet (the object is
// empty or its magic is still zero). Throws maparray::format_error, std::system_error.
std::optional<description> read_header(const file& f) {
  const std::string where = "'" + f.path().string() + "'";
  auto bad = [&](const std::string& why) {
    return format_error(where + " is not a maparray shared array: " + why);
  };
  const std::int64_t size = f.size();
  header h;
  auto buffer = std::as_writable_bytes(std::span(&h, 1));
  const std::size_t got = sys::read_at(f, buffer, 0);
  if (got >= sizeof h.magic && h.magic == std::array<char, 8>{}) return std::nullopt;
  if (got == 0) return std::nullopt;
  if (got < sizeof h.magic || h.magic != header::expected_magic) throw bad("no header");
  if (got < sizeof h) throw bad("its header is truncated");
  if (h.version != header::current_version) {
    throw bad("unsupported header version " + std::to_string(h.version));
  }
  if (h.header_bytes != sizeof h) throw bad("header size " + std::to_string(h.header_bytes));
  if (h.ndim > max_rank) throw bad(std::to_string(h.ndim) + " dimensions");
  if (h.fortran > 1) throw bad("unknown order " + std::to_string(h.fortran));
  if (std::ranges::find(h.descr, '\0') == h.descr.end()) throw bad("unterminated dtype");
  description d;
  try {
    d.type = dtype::parse(h.descr.data());
    d.shape = dims(std::span<const index_t>(h.shape.data(), h.ndim));
    const index_t bytes = checked_mul(element_count(d.shape.span()), d.type.itemsize(), "size");
    if (d.type.itemsize() <= 0 || static_cast<std::uint64_t>(bytes) != h.data_bytes) {
      throw bad("its element count does not match its size");
    }
  } catch (const std::invalid_argument& e) {
    throw bad(e.what());
  } catch (const std::overflow_error& e) {
    throw bad(e.what());
  }
  const auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (h.data_offset < sizeof h || h.data_offset > limit || h.data_bytes > limit - h.data_offset ||
      static_cast<std::int64_t>(h.data_offset + h.data_bytes) > size) {
    throw bad("its elements reach past its end (" + std::to_string(size) + " bytes)");
  }
  d.layout = h.fortran ? order::fortran : order::c;
  d.data_offset = static_cast<std::int64_t>(h.data_offset);
  d.data_bytes = static_cast<std::int64_t>(h.data_bytes);
  return d;
}

// Reads the header, waiting a little for a creator that has made the object but not finished
// its header. Throws as read_header(), and format_error if it is never finished.
description await_header(const file& f) {
  using namespace std::chrono_literals;
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  for (auto pause = 50us;; pause = std::min(pause * 2, std::chrono::microseconds(20ms))) {
    if (auto d = read_header(f)) return *std::move(d);
    if (std::chrono::steady_clock::now() > deadline) {
      throw format_error("'" + f.path().string() +
                         "' is not a maparray shared array: its header was never completed "
                         "(did its creator die? remove it with remove_shared)");
    }
    std::this_thread::sleep_for(pause);
  }
}

// Checks an opened array against what the opener asked for. Throws type_error for another
// dtype, std::invalid_argument for another shape or order.
void check_expected(const description& d, const std::string& what, const dtype* type,
                    const shape_spec* shape, std::optional<order> layout) {
  if (type != nullptr && !(*type == d.type)) {
    throw type_error("shared array " + what + " holds elements of dtype " + d.type.str() + " (" +
                     d.type.name() + "), not " + type->str() + " (" + type->name() +
                     ") as requested");
  }
  if (shape != nullptr) {
    const dims wanted = resolve_shape(*shape, element_count(d.shape.span()));
    if (!(wanted == d.shape)) {
      throw std::invalid_argument("shared array " + what + " has shape " +
                                  to_string(d.shape.span()) + ", not " +
                                  to_string(shape->values()));
    }
  }
  if (layout && *layout != d.layout && d.shape.size() > 1) {
    throw std::invalid_argument("shared array " + what + " is in " +
                                (d.layout == order::c ? "C" : "Fortran") + " order, not " +
                                (*layout == order::c ? "C" : "Fortran"));
  }
}

// Maps the elements of an object whose header has been read, taking ownership of `f`.
detail::shared_view map_elements(file f, const description& d, maparray::mode how) {
  detail::shared_view v;
  v.view.storage =
      mapping::adopt(std::move(f), {.mode = how, .offset = d.data_offset, .length = d.data_bytes});
  v.view.layout = detail::layout_view(v.view.storage, 0, nullptr, d.type.itemsize(), 1,
                                      shape_spec(d.shape), d.layout);
  v.type = d.type;
  return v;
}

detail::shared_view open_file(file f, maparray::mode how, const dtype* type,
                              const shape_spec* shape, std::optional<order> layout = {}) {
  f.require_regular();  // a pipe or a socket passed as a descriptor cannot hold an array
  const description d = await_header(f);
  check_expected(d, "'" + f.path().string() + "'", type, shape, layout);
  return map_elements(std::move(f), d, how);
}

int open_flags(maparray::mode how) {
  return how == mode::read_write ? O_RDWR : O_RDONLY;
}

// Opens the existing named object `name` for `how` if `trust` allows it: a regular object (a
// FIFO planted under the name is refused at once, without waiting for a writer) owned by this
// process's effective user unless trust.other_owners, without group or other write permission
// beyond trust.permissions. Throws std::system_error (EACCES for an object not trusted, and
// the errors of shm_open), std::invalid_argument (not a regular object).
file open_trusted(const std::string& name, maparray::mode how, const shared_trust& trust) {
  file f = sys::shm_open(name, open_flags(how) | O_NONBLOCK, 0);
  f.require_regular();
  struct stat st {};
  if (::fstat(f.fd(), &st) != 0) sys::throw_errno("fstat", name);
  if (!trust.other_owners && st.st_uid != ::geteuid()) {
    sys::throw_error(EACCES,
                     ("shm_open (the object belongs to user " + std::to_string(st.st_uid) +
                      ", not to this process's user " + std::to_string(::geteuid()) + ")")
                         .c_str(),
                     name);
  }
  const mode_t writers = st.st_mode & 022 & ~trust.permissions;
  if (writers != 0) {
    char bits[8];
    std::snprintf(bits, sizeof bits, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    sys::throw_error(
        EACCES,
        ("shm_open (other users may write the object: its mode is " + std::string(bits) + ")")
            .c_str(),
        name);
  }
  return f;
}

// Removes a name this library created when a later step fails. Never throws.
class created_name_guard {
 public:
  explicit created_name_guard(std::string name) : name_(std::move(name)) {}
  created_name_guard(const created_name_guard&) = delete;
  created_name_guard& operator=(const created_name_guard&) = delete;
  ~created_name_guard() {
    if (!name_.empty()) ::shm_unlink(name_.c_str());
  }
  void keep() noexcept { name_.clear(); }

 private:
  std::string name_;
};

any_array untyped(const detail::shared_view& v) {
  dims strides = v.view.layout.strides;
  for (auto& s : strides) s *= v.type.itemsize();
  return any_array(v.view.layout.data, v.type, v.view.layout.shape, strides, v.view.storage.lease(),
                   v.view.storage.writable());
}

}  // namespace

namespace detail {

shared_view create_shared_raw(std::string_view name, const dtype& type, const shape_spec& shape,
                              const shared_options& opts) {
  const std::string checked = checked_name(name);
  detail::require_accepted(opts.existing, {if_exists::fail, if_exists::open}, "create_shared",
                           checked);
  const header h = describe(type, shape, opts.order, "shared array '" + checked + "'");
  // With if_exists::open, the name may vanish between a failed create and the open: try again.
  for (int attempt = 0;; ++attempt) {
    file f;
    try {
      f = sys::shm_open(checked, O_RDWR | O_CREAT | O_EXCL, opts.permissions);
    } catch (const std::system_error& e) {
      if (opts.existing != if_exists::open || e.code() != std::errc::file_exists) throw;
      try {
        return open_file(
            open_trusted(checked, mode::read_write,
                         {.permissions = opts.permissions, .other_owners = opts.other_owners}),
            mode::read_write, &type, &shape, opts.order);
      } catch (const std::system_error& again) {
        if (again.code() != std::errc::no_such_file_or_directory || attempt == 8) throw;
        continue;
      }
    }
    created_name_guard guard(checked);
    initialize(f, h);
    const description d{.type = type,
                        .shape = shape.values(),
                        .layout = opts.order,
                        .data_offset = static_cast<std::int64_t>(h.data_offset),
                        .data_bytes = static_cast<std::int64_t>(h.data_bytes)};
    shared_view v = map_elements(std::move(f), d, mode::read_write);
    guard.keep();
    return v;
  }
}

shared_view open_shared_raw(std::string_view name, maparray::mode how, const dtype* type,
                            const shape_spec* shape, const shared_trust& trust) {
  return open_file(open_trusted(checked_name(name), how, trust), how, type, shape);
}

shared_view create_anonymous_raw(const dtype& type, const shape_spec& shape, order layout) {
  const header h = describe(type, shape, layout, "an anonymous shared array");
  file f = sys::memfd("maparray");
  initialize(f, h);
  sys::seal_size(f);
  const description d{.type = type,
                      .shape = shape.values(),
                      .layout = layout,
                      .data_offset = static_cast<std::int64_t>(h.data_offset),
                      .data_bytes = static_cast<std::int64_t>(h.data_bytes)};
  return map_elements(std::move(f), d, mode::read_write);
}

shared_view create_anonymous_raw(const dtype& type, const shape_spec& shape,
                                 const shared_options& opts) {
  detail::require_accepted(opts.existing, {if_exists::fail}, "create_anonymous_shared",
                           "an anonymous shared array");
  return create_anonymous_raw(type, shape, opts.order);
}

shared_view open_fd_raw(int fd, maparray::mode how, const dtype* type, const shape_spec* shape) {
  return open_file(sys::duplicate(fd, "fd " + std::to_string(fd)), how, type, shape);
}

}  // namespace detail

bool remove_shared(std::string_view name) {
  return sys::shm_unlink(checked_name(name));
}

any_array create_shared(std::string_view name, const dtype& type, const shape_spec& shape,
                        const shared_options& opts) {
  return untyped(detail::create_shared_raw(name, type, shape, opts));
}

any_array open_shared(std::string_view name, maparray::mode how, const shared_trust& trust) {
  return untyped(detail::open_shared_raw(name, how, nullptr, nullptr, trust));
}

any_array open_shared(std::string_view name, maparray::mode how, const std::optional<dtype>& type,
                      const std::optional<shape_spec>& shape, const shared_trust& trust) {
  return untyped(detail::open_shared_raw(name, how, type ? &*type : nullptr,
                                         shape ? &*shape : nullptr, trust));
}

any_array create_anonymous_shared(const dtype& type, const shape_spec& shape,
                                  const shared_options& opts) {
  return untyped(detail::create_anonymous_raw(type, shape, opts));
}

any_array open_shared_fd(int fd, maparray::mode how) {
  return untyped(detail::open_fd_raw(fd, how, nullptr, nullptr));
}

}  // namespace maparray
