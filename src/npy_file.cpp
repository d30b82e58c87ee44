// .npy files: mapping, creating and appending.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "maparray/npy.hpp"
#include "npy_header.hpp"
#include "npy_literal.hpp"
#include "sys.hpp"

namespace maparray {
namespace {

std::string quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

// Reads and validates the header of an open file, and checks that the data it announces is all
// there. Throws std::system_error, format_error naming the file.
npy::header read_header_of(const file& f, const npy::limits& lim) {
  try {
    std::array<std::byte, npy::prefix_length + 4> start{};
    const std::size_t got = sys::read_at(f, start, 0);
    const std::int64_t extent = npy::header_extent(std::span(start.data(), got), lim);
    // Never allocate more than the file holds, whatever limit the caller set.
    const std::int64_t size = f.size();
    std::vector<std::byte> bytes(static_cast<std::size_t>(std::min(extent, size)));
    bytes.resize(sys::read_at(f, bytes, 0));
    npy::header h = npy::parse_header(bytes, lim);
    if (size - h.data_offset < h.data_length) {
      throw format_error("file is truncated: the header says " + std::to_string(h.data_length) +
                         " bytes of data follow it at offset " + std::to_string(h.data_offset) +
                         ", but the file has " + std::to_string(size) + " bytes");
    }
    return h;
  } catch (const format_error& e) {
    throw format_error(quoted(f.path()) + ": " + e.what());
  }
}

// The header lock: an open-file-description record lock (F_OFD_SETLK) on the file's first
// byte, F_RDLCK to read the header and F_WRLCK to append. It is independent of the flock
// locks that mappings may hold ({.lock = file_lock::shared}), so an append never waits for a
// reader that keeps the file mapped, only for one that is reading the header.
//
// Waits up to `timeout` for another process to let go, polling (a blocking F_OFD_SETLKW
// could wait forever): std::system_error with ETIMEDOUT after that. Returns false where the
// file system has no record locks. Throws std::system_error.
bool header_lock(const file& f, short type, std::chrono::milliseconds timeout) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = 0;
  l.l_len = 1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto pause = std::chrono::microseconds(100);;
       pause = std::min(pause * 2, std::chrono::microseconds(20'000))) {
    if (::fcntl(f.fd(), F_OFD_SETLK, &l) == 0) return true;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EACCES) return false;  // no record locks here
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
      throw std::system_error(ETIMEDOUT, std::generic_category(),
                              "waiting " + std::to_string(waited) +
                                  " ms for another process to release the header lock of " +
                                  quoted(f.path()));
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
  }
}

void header_unlock(const file& f) noexcept {
  struct flock l {};
  l.l_type = F_UNLCK;
  l.l_whence = SEEK_SET;
  l.l_start = 0;
  l.l_len = 1;
  ::fcntl(f.fd(), F_OFD_SETLK, &l);
}

// Reads the header under the shared header lock, so that an append's header rewrite is never
// seen half done. Where the file system has no record locks, the header is read without one.
npy::header read_header_shared(const file& f, const npy_options& opts) {
  const bool locked = header_lock(f, F_RDLCK, opts.lock_timeout);
  npy::header h;
  try {
    h = read_header_of(f, opts.limits);
  } catch (...) {
    if (locked) header_unlock(f);
    throw;
  }
  if (locked) header_unlock(f);
  return h;
}

[[noreturn]] void mismatch(const std::filesystem::path& path, const dtype& actual,
                           const std::string& wanted, bool byte_order_differs) {
  std::string message = quoted(path) + " holds elements of dtype " + actual.str() + " (" +
                        actual.name() + "), not " + wanted;
  if (byte_order_differs) {
    message +=
        ": the byte order differs; convert the file to native byte order (in numpy: "
        "np.save(path, np.load(path).astype(dtype.newbyteorder('='))), or maparray "
        "convert --byteorder native), or open it with maparray::open_npy() and swap bytes "
        "when reading";
  }
  throw type_error(message);
}

// The bytes of one row along the growing axis of a file with header `h`. Throws
// std::invalid_argument for a 0-d file, std::overflow_error.
index_t row_bytes_of(const std::filesystem::path& path, const npy::header& h) {
  if (h.shape.empty()) {
    throw std::invalid_argument("cannot append to " + quoted(path) +
                                ": a zero-dimensional array has no axis to grow");
  }
  const std::size_t axis = h.fortran_order ? h.shape.size() - 1 : 0;
  index_t row = h.type.itemsize();
  for (std::size_t k = 0; k < h.shape.size(); ++k) {
    if (k != axis) row = checked_mul(row, h.shape[k], "row size");
  }
  return row;
}

// The number of whole rows of a file with header `h` that `count` bytes hold. Throws
// std::invalid_argument for a partial row or a 0-d file, std::overflow_error.
index_t whole_rows(const std::filesystem::path& path, const npy::header& h, index_t count) {
  const index_t row = row_bytes_of(path, h);
  if ((row == 0 && count != 0) || (row != 0 && count % row != 0)) {
    throw std::invalid_argument("cannot append " + std::to_string(count) + " bytes to " +
                                quoted(path) + ": not a whole number of rows of " +
                                std::to_string(row) + " bytes");
  }
  return row == 0 ? index_t{0} : count / row;
}

}  // namespace

namespace npy {

header read_header(const std::filesystem::path& path, const limits& lim) {
  return read_header_shared(file::open_regular(path, O_RDONLY), {.limits = lim});
}

}  // namespace npy

namespace detail {

npy_view map_npy(const std::filesystem::path& path, const npy_options& opts, bool writable_view,
                 index_t alignment) {
  const maparray::mode mode = opts.mode.value_or(writable_view ? mode::read_write : mode::read);
  return map_npy(file::open(path, (mode == mode::read_write ? O_RDWR : O_RDONLY) | O_NONBLOCK),
                 opts, writable_view, alignment);
}

npy_view map_npy(file f, const npy_options& opts, bool writable_view, index_t alignment) {
  const std::filesystem::path path = f.path();
  const maparray::mode mode = opts.mode.value_or(writable_view ? mode::read_write : mode::read);
  if (writable_view && mode == mode::read) {
    throw std::invalid_argument("cannot map " + quoted(path) +
                                " read-only as a writable array; use a const element type");
  }
  f.require_regular();
  npy_view v;
  v.head = read_header_shared(f, opts);
  if (v.head.type.itemsize() == 0) {
    throw format_error(quoted(path) + ": elements of zero bytes (dtype " + v.head.type.str() +
                       ") are not supported");
  }
  v.storage = mapping::adopt(std::move(f), {.mode = mode,
                                            .offset = v.head.data_offset,
                                            .length = v.head.data_length,
                                            .lock = opts.lock,
                                            .exact_writeback = opts.exact_writeback});
  const index_t count = element_count(v.head.shape.span());
  v.layout = layout_view(v.storage, 0, &count, v.head.type.itemsize(), alignment, v.head.shape,
                         v.head.fortran_order ? order::fortran : order::c);
  return v;
}

void check_npy_type(const std::filesystem::path& path, const dtype& actual,
                    const std::optional<dtype>& wanted, const npy_options& opts, index_t size) {
  if (opts.expect) {
    if (!(*opts.expect == actual)) {
      mismatch(path, actual, opts.expect->str() + " as expected",
               *opts.expect == actual.with_order(opts.expect->order()));
    }
    if (opts.expect->itemsize() != size) {
      throw std::invalid_argument("the expected dtype " + opts.expect->str() + " has " +
                                  std::to_string(opts.expect->itemsize()) +
                                  "-byte elements, but the element type has " +
                                  std::to_string(size));
    }
  }
  if (wanted) {
    if (!(*wanted == actual)) {
      mismatch(path, actual, wanted->str() + " (" + wanted->name() + ") as requested",
               *wanted == actual.with_order(wanted->order()));
    }
  } else if (!opts.expect) {
    if (!opts.itemsize_only) {
      throw std::invalid_argument(
          "opening " + quoted(path) +
          " as a non-numeric element type needs npy_options::expect (the exact dtype) or "
          "npy_options::itemsize_only");
    }
    if (actual.itemsize() != size) {
      mismatch(path, actual, std::to_string(size) + "-byte elements as requested", false);
    }
  }
}

raw_view create_npy_raw(const std::filesystem::path& path, const dtype& type,
                        const shape_spec& shape, const create_options& opts, index_t alignment) {
  if (type.itemsize() == 0) {
    throw std::invalid_argument("cannot create " + quoted(path) + " with elements of zero bytes");
  }
  for (index_t d : shape.values()) {
    if (d < 0) {
      throw std::invalid_argument("cannot create " + quoted(path) + " with shape " +
                                  to_string(shape.values()) + ": dimensions must be >= 0");
    }
  }
  const auto head = npy::format_header(type, shape.values().span(), opts.order == order::fortran);
  return create_raw(path, shape, opts, type.itemsize(), alignment, head);
}

void append_npy_bytes(const std::filesystem::path& path, std::span<const std::byte> bytes,
                      std::optional<index_t> rows, const std::optional<dtype>& wanted,
                      const npy_options& opts, index_t size) {
  const auto count = static_cast<index_t>(bytes.size());
  npy_appender appender(path, opts, [&](const npy::header& h) {
    check_npy_type(path, h.type, wanted, opts, size);
    if (rows) {
      row_bytes_of(path, h);  // refuses a 0-d file
      return *rows;
    }
    return whole_rows(path, h, count);
  });
  if (appender.remaining() != count) {
    throw std::invalid_argument("cannot append " + std::to_string(count) + " bytes to " +
                                quoted(path) + " as " + std::to_string(*rows) + " rows of " +
                                std::to_string(appender.row_bytes()) + " bytes");
  }
  appender.write(bytes);
  appender.commit();
}

}  // namespace detail

npy_appender::npy_appender(const std::filesystem::path& path, index_t rows,
                           const npy_options& opts)
    : npy_appender(path, opts, [&](const npy::header& h) {
        if (opts.expect) {
          detail::check_npy_type(path, h.type, std::nullopt, opts, opts.expect->itemsize());
        }
        return rows;
      }) {}

npy_appender::npy_appender(const std::filesystem::path& path, const npy_options& opts,
                           const std::function<index_t(const npy::header&)>& rows_of)
    : file_(file::open_regular(path, O_RDWR)) {
  // Appenders take turns; readers, which read the header under the shared header lock, never
  // see it half rewritten. Closing the descriptor releases the lock.
  header_lock(file_, F_WRLCK, opts.lock_timeout);
  head_ = read_header_of(file_, opts.limits);
  const index_t rows = rows_of(head_);
  if (rows < 0) {
    throw std::invalid_argument("cannot append " + std::to_string(rows) + " rows to " +
                                quoted(path));
  }
  row_bytes_ = row_bytes_of(path, head_);
  const std::size_t axis = head_.fortran_order ? head_.shape.size() - 1 : 0;
  dims shape = head_.shape;
  shape[axis] = checked_add(shape[axis], rows, "new length");
  require_addressable(shape.span(), head_.type.itemsize());
  const index_t new_length =
      checked_mul(element_count(shape.span()), head_.type.itemsize(), "array size");
  next_ = head_.data_offset + head_.data_length;
  end_ = checked_add(head_.data_offset, new_length, "file size");

  // The header must keep its length, so that the data does not move.
  const std::string dict = npy::detail::header_dict(head_.type, shape.span(), head_.fortran_order);
  std::string encoded;
  if (head_.major_version == 3) {
    encoded = dict;
  } else {
    std::size_t pos = 0;
    char32_t c;
    while (pos < dict.size() && npy::detail::next_code_point(dict, pos, c)) {
      encoded += static_cast<char>(c);
    }
  }
  const std::size_t field = head_.major_version == 1 ? 2 : 4;
  const auto room = static_cast<std::size_t>(head_.data_offset) - npy::prefix_length - field;
  if (encoded.size() + 1 > room) {
    throw std::invalid_argument("cannot append to " + quoted(path) + ": its header has room for " +
                                std::to_string(room) + " bytes, the new shape " +
                                to_string(shape.span()) + " needs " +
                                std::to_string(encoded.size() + 1) +
                                "; rewrite the file with create_npy to grow it further");
  }
  new_header_ = npy::detail::wrap_header(encoded, head_.major_version,
                                         static_cast<std::size_t>(head_.data_offset));
  // Every row's space at once: a full disk fails here, and the file keeps its length.
  old_size_ = file_.size();
  sys::reserve(file_, end_, next_);
}

npy_appender::~npy_appender() {
  if (committed_) return;
  // The header still describes the old data; give back the space of the rows never committed.
  while (::ftruncate(file_.fd(), static_cast<off_t>(old_size_)) != 0 && errno == EINTR) {
  }
}

void npy_appender::write(std::span<const std::byte> bytes) {
  if (committed_) throw std::logic_error("npy_appender::write after commit()");
  const auto count = static_cast<std::int64_t>(bytes.size());
  if (count > remaining()) {
    throw std::invalid_argument("cannot write " + std::to_string(count) + " more bytes to " +
                                quoted(file_.path()) + ": only " + std::to_string(remaining()) +
                                " of the announced rows are left");
  }
  sys::write_at(file_, bytes, next_);
  next_ += count;
}

void npy_appender::commit() {
  if (committed_) throw std::logic_error("npy_appender::commit called twice");
  if (remaining() != 0) {
    throw std::logic_error("npy_appender::commit: " + std::to_string(remaining()) +
                           " bytes of the announced rows of " + quoted(file_.path()) +
                           " were never written");
  }
  // Data first, synced, then the shape: a crash in between leaves the old, loadable array.
  sys::sync_data(file_);
  sys::write_at(file_, new_header_, 0);
  committed_ = true;
  sys::sync_data(file_);
}

namespace {

any_array untyped_npy(detail::npy_view v, const npy_options& opts) {
  const bool writable = opts.mode.value_or(mode::read) != mode::read;
  if (opts.expect) {
    detail::check_npy_type(v.storage.path(), v.head.type, std::nullopt, opts,
                           v.head.type.itemsize());
  }
  dims strides = v.layout.strides;
  for (auto& s : strides) s *= v.head.type.itemsize();
  return any_array(v.layout.data, v.head.type, v.layout.shape, strides, v.storage.lease(),
                   writable);
}

npy_options with_read_default(const npy_options& opts) {
  npy_options o = opts;
  o.mode = opts.mode.value_or(mode::read);
  return o;
}

}  // namespace

any_array open_npy(const std::filesystem::path& path, const npy_options& opts) {
  const npy_options o = with_read_default(opts);
  return untyped_npy(detail::map_npy(path, o, false, 1), o);
}

any_array open_npy(file f, const npy_options& opts) {
  const npy_options o = with_read_default(opts);
  return untyped_npy(detail::map_npy(std::move(f), o, false, 1), o);
}

void append_npy(const std::filesystem::path& path, const any_array& rows, const npy_options& opts) {
  const dtype& type = rows.type();
  const std::size_t rank = rows.ndim();
  const std::span<const index_t> shape = rows.shape();
  npy_appender appender(path, opts, [&](const npy::header& h) {
    detail::check_npy_type(path, h.type, type, opts, type.itemsize());
    if (rank <= 1) return whole_rows(path, h, static_cast<index_t>(rows.size_bytes()));
    const std::size_t growing = h.fortran_order ? rank - 1 : 0;
    bool fits = rank == h.shape.size();
    for (std::size_t k = 0; fits && k < rank; ++k) fits = k == growing || shape[k] == h.shape[k];
    if (!fits) {
      throw std::invalid_argument("cannot append an array of shape " + to_string(shape) + " to " +
                                  quoted(path) + " of shape " + to_string(h.shape.span()));
    }
    return shape[growing];
  });
  // The elements in the file's memory order: at once where they lie so, else gathered a
  // chunk at a time.
  const bool fortran = appender.header().fortran_order && rank > 1;
  if (fortran ? rows.is_f_contiguous() : rows.is_c_contiguous()) {
    appender.write({rows.data(), rows.size_bytes()});
  } else {
    const auto itemsize = static_cast<std::size_t>(type.itemsize());
    const std::span<const index_t> strides = rows.byte_strides();
    constexpr std::size_t chunk = std::size_t{1} << 20;
    std::vector<std::byte> buffer;
    buffer.reserve(std::min(rows.size_bytes(), chunk) + itemsize);
    std::vector<index_t> index(rank, 0);
    for (std::size_t n = rows.size(); n > 0; --n) {
      index_t offset = 0;
      for (std::size_t k = 0; k < rank; ++k) offset += index[k] * strides[k];
      const std::byte* element = rows.data() + offset;
      buffer.insert(buffer.end(), element, element + itemsize);
      if (buffer.size() >= chunk) {
        appender.write(buffer);
        buffer.clear();
      }
      for (std::size_t j = 0; j < rank; ++j) {
        const std::size_t k = fortran ? j : rank - 1 - j;
        if (++index[k] < shape[k]) break;
        index[k] = 0;
      }
    }
    appender.write(buffer);
  }
  appender.commit();
}

any_array create_npy(const std::filesystem::path& path, const dtype& type, const shape_spec& shape,
                     const create_options& opts) {
  const auto v = detail::create_npy_raw(path, type, shape, opts, 1);
  dims strides = v.layout.strides;
  for (auto& s : strides) s *= type.itemsize();
  return any_array(v.layout.data, type, v.layout.shape, strides, v.storage.lease(), true);
}

staged_file stage_npy(const std::filesystem::path& path, const dtype& type, const shape_spec& shape,
                      const create_options& opts) {
  if (type.itemsize() == 0) {
    throw std::invalid_argument("cannot stage " + quoted(path) + " with elements of zero bytes");
  }
  for (index_t d : shape.values()) {
    if (d < 0) {
      throw std::invalid_argument("cannot stage " + quoted(path) + " with shape " +
                                  to_string(shape.values()) + ": dimensions must be >= 0");
    }
  }
  const auto head = npy::format_header(type, shape.values().span(), opts.order == order::fortran);
  return detail::stage(path, shape, opts, type.itemsize(), head);
}

}  // namespace maparray
