// Collective opening and creation of distributed arrays: agree on the arguments, learn or write
// the layout on rank 0, map every rank's slab, create the window over the slabs.
#include <fcntl.h>

#include <algorithm>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../existing_file.hpp"
#include "../region.hpp"
#include "../sys.hpp"
#include "collective.hpp"
#include "maparray/mpi.hpp"
#include "maparray/npy.hpp"
#include "maparray/raw_file.hpp"
#include "state.hpp"

namespace maparray::mpi {
namespace detail {
namespace {

// numpy refuses .npy headers longer than this unless told otherwise (max_header_size), and so
// does maparray (npy::limits): a header padded to a page boundary must stay within it.
constexpr std::size_t max_padded_header = 10000;

// What rank 0 learns about the file and every rank needs.
struct layout {
  dtype type;
  dims shape;
  std::int64_t data_offset = 0;
};

std::string text_of(const std::vector<index_t>& values) {
  std::string s = "[";
  for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

const char* mode_text(const std::optional<maparray::mode>& m) {
  if (!m) return "default";
  switch (*m) {
    case mode::read:
      return "read";
    case mode::read_write:
      return "read_write";
    case mode::copy_on_write:
      return "copy_on_write";
  }
  return "?";
}

// The layout as text (for a broadcast) and back. The dtype travels as a .npy descr literal, so
// records and byte orders arrive intact.
std::string encode(const layout& l) {
  std::string s = std::to_string(l.data_offset) + ' ' + std::to_string(l.shape.size());
  for (index_t d : l.shape) s += ' ' + std::to_string(d);
  return s + '\n' + npy::format_descr(l.type);
}

layout decode(const std::string& text) {
  std::istringstream in(text);
  layout l;
  std::size_t ndim = 0;
  in >> l.data_offset >> ndim;
  std::vector<index_t> shape(ndim);
  for (auto& d : shape) in >> d;
  l.shape = dims(std::span<const index_t>(shape));
  in.get();
  std::string descr;
  std::getline(in, descr, '\0');
  l.type = npy::parse_descr(descr);
  return l;
}

// A new state with a duplicate of `comm` that returns MPI errors instead of aborting.
std::shared_ptr<global_state> new_state(MPI_Comm comm, const char* call) {
  require_mpi(call);
  auto s = std::make_shared<global_state>();
  check(MPI_Comm_dup(comm, &s->comm), "MPI_Comm_dup");
  check(MPI_Comm_set_errhandler(s->comm, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(s->comm, &s->rank), "MPI_Comm_rank");
  check(MPI_Comm_size(s->comm, &s->ranks), "MPI_Comm_size");
  return s;
}

// The largest page size of any rank, so that slabs are page-aligned on every node.
std::size_t agreed_page_size(MPI_Comm comm) {
  const auto mine = static_cast<unsigned long>(sys::page_size());
  unsigned long page = 0;
  check(MPI_Allreduce(&mine, &page, 1, MPI_UNSIGNED_LONG, MPI_MAX, comm), "MPI_Allreduce");
  return page;
}

// Lays out `l` over the ranks as the options ask. Throws std::invalid_argument.
template <class Options>
row_blocks distribute(const global_state& s, const layout& l, const Options& opts,
                      std::size_t page) {
  if (l.shape.empty()) {
    throw std::invalid_argument("'" + s.path.string() +
                                "' holds a zero-dimensional array, which has no rows to "
                                "distribute");
  }
  if (!opts.rows_per_rank.empty()) {
    if (opts.rows_per_rank.size() != static_cast<std::size_t>(s.ranks)) {
      throw std::invalid_argument("rows_per_rank has " + std::to_string(opts.rows_per_rank.size()) +
                                  " entries for " + std::to_string(s.ranks) + " ranks");
    }
    row_blocks b = row_blocks::from_counts(opts.rows_per_rank);
    if (b.rows() != l.shape[0]) {
      throw std::invalid_argument("rows_per_rank " + text_of(opts.rows_per_rank) + " sum to " +
                                  std::to_string(b.rows()) + " rows, but '" + s.path.string() +
                                  "' has " + std::to_string(l.shape[0]));
    }
    return b;
  }
  return opts.page_aligned ? row_blocks::aligned(l.shape[0], s.ranks, s.row_elements, page)
                           : row_blocks::even(l.shape[0], s.ranks);
}

// Whether every boundary between two ranks' slabs lies on a page boundary of the file.
bool boundaries_on_pages(const global_state& s, std::size_t page) {
  const index_t row_bytes = checked_mul(s.row_elements, s.type.itemsize(), "row size");
  for (int r = 1; r < s.ranks; ++r) {
    const index_t row = s.blocks.first(r);
    if (row == 0 || row == s.blocks.rows()) continue;
    if ((s.data_offset + row * row_bytes) % static_cast<index_t>(page) != 0) return false;
  }
  return true;
}

// Fills in the state from the agreed layout. Throws std::invalid_argument, std::overflow_error.
template <class Options>
void set_layout(global_state& s, const layout& l, const Options& opts, std::size_t page) {
  s.type = l.type;
  s.shape = l.shape;
  s.data_offset = l.data_offset;
  if (l.type.itemsize() <= 0) {
    throw std::invalid_argument("'" + s.path.string() + "': elements of zero bytes");
  }
  element_count(l.shape.span());  // checks the shape
  s.row_elements = 1;
  for (std::size_t k = 1; k < l.shape.size(); ++k) {
    s.row_elements = checked_mul(s.row_elements, l.shape[k], "row size");
  }
  s.blocks = distribute(s, l, opts, page);
  s.page_aligned = boundaries_on_pages(s, page);
}

// Collective: every rank maps its slab of `file` (the array's file, or the new file under its
// temporary name) and the window over the slabs is created and locked for passive access.
void map_slabs(global_state& s, const std::filesystem::path& source) {
  collective(s.comm, [&] {
    const index_t first = s.blocks.first(s.rank);
    const index_t rows = s.blocks.count(s.rank);
    const index_t row_bytes = checked_mul(s.row_elements, s.type.itemsize(), "row size");
    dims slab_shape = s.shape;
    slab_shape[0] = rows;
    const index_t count = checked_mul(rows, s.row_elements, "slab size");
    const std::int64_t offset =
        checked_add(s.data_offset, checked_mul(first, row_bytes, "slab offset"), "slab offset");
    s.local = maparray::map_file(source, s.type, slab_shape,
                                 {.mode = s.access, .offset = offset, .count = count});
  });
  collective(s.comm, [&] {
    const int created =
        MPI_Win_create(s.local.data(), static_cast<MPI_Aint>(s.local.size_bytes()),
                       static_cast<int>(s.type.itemsize()), MPI_INFO_NULL, s.comm, &s.window);
    if (created != MPI_SUCCESS) {
      s.window = MPI_WIN_NULL;
      int level = 0;
      MPI_Query_thread(&level);
      try {
        check(created, "MPI_Win_create");
      } catch (const mpi_error& e) {
        throw mpi_error(std::string(e.what()) +
                            " (Open MPI 4 creates windows over file mappings with its pt2pt "
                            "component: mpirun --mca osc pt2pt, which also needs a thread "
                            "level below MPI_THREAD_MULTIPLE" +
                            (level == MPI_THREAD_MULTIPLE ? ", and this process asked for "
                                                            "MPI_THREAD_MULTIPLE)"
                                                          : ")"),
                        e.error_class());
      }
    }
    check(MPI_Win_set_errhandler(s.window, MPI_ERRORS_RETURN), "MPI_Win_set_errhandler");
    check(MPI_Win_lock_all(MPI_MODE_NOCHECK, s.window), "MPI_Win_lock_all");
  });
}

// A new file's header: numpy's, padded with spaces so that the data starts on a page boundary
// when that keeps it within max_padded_header.
std::vector<std::byte> padded_header(const dtype& type, const dims& shape, std::size_t page) {
  std::vector<std::byte> head = npy::format_header(type, shape.span(), false);
  const std::size_t padded = (head.size() + page - 1) / page * page;
  if (padded > max_padded_header || padded == head.size() || head[6] != std::byte{1}) return head;
  // Version 1.0: two little-endian length bytes after the magic and version; the header text
  // ends in a newline, before which the padding goes.
  const std::size_t text = padded - 10;
  head.insert(head.end() - 1, padded - head.size(), std::byte{' '});
  head[8] = static_cast<std::byte>(text & 0xff);
  head[9] = static_cast<std::byte>(text >> 8);
  return head;
}

// A name beside `target` that no file has, for building a replacement before renaming it.
std::filesystem::path temporary_name(const std::filesystem::path& target) {
  std::random_device entropy;
  std::mt19937_64 random(entropy());
  for (int attempt = 0;; ++attempt) {
    auto name = target;
    name += ".tmp-" + std::to_string(random() % 1'000'000'000'000ULL);
    std::error_code ignored;
    if (!std::filesystem::exists(name, ignored) || attempt == 16) return name;
  }
}

// Removes the file a failed creation made (on rank 0), unless the creation was published.
class creation_guard {
 public:
  creation_guard() = default;
  creation_guard(const creation_guard&) = delete;
  creation_guard& operator=(const creation_guard&) = delete;
  ~creation_guard() {
    if (!path_.empty()) sys::remove_quietly(path_);
  }
  void watch(std::filesystem::path path) { path_ = std::move(path); }
  void keep() noexcept { path_.clear(); }

 private:
  std::filesystem::path path_;
};

argument_list create_arguments(const std::filesystem::path& path, const dtype& type,
                               const shape_spec& shape, const create_options& opts) {
  return {{"path", "'" + path.string() + "'"},
          {"dtype", type.str()},
          {"shape", to_string(shape.values().span())},
          {"existing", opts.existing == if_exists::fail      ? "fail"
                       : opts.existing == if_exists::replace ? "replace"
                                                             : "open"},
          {"sparse", opts.sparse ? "true" : "false"},
          {"permissions", std::to_string(opts.permissions)},
          {"rows_per_rank", text_of(opts.rows_per_rank)},
          {"page_aligned", opts.page_aligned ? "true" : "false"}};
}

argument_list open_arguments(const std::filesystem::path& path, const open_options& opts) {
  return {{"path", "'" + path.string() + "'"},
          {"mode", mode_text(opts.mode)},
          {"offset", std::to_string(opts.offset)},
          {"rows_per_rank", text_of(opts.rows_per_rank)},
          {"page_aligned", opts.page_aligned ? "true" : "false"}};
}

// The work of create_npy and create_file: `npy` says whether the file gets a .npy header.
any_global_array create(MPI_Comm comm, const std::filesystem::path& path, const dtype& type,
                        const shape_spec& shape, const create_options& opts, bool npy) {
  const char* call = npy ? "maparray::mpi::create_npy" : "maparray::mpi::create_file";
  auto s = new_state(comm, call);
  s->path = path;
  s->access = mode::read_write;
  agree_on_arguments(s->comm, call, create_arguments(path, type, shape, opts));
  const std::size_t page = agreed_page_size(s->comm);

  // Rank 0 creates the file (under a temporary name when it replaces one) with its header and
  // its space reserved, as maparray::create_file does; the others learn where its data starts.
  creation_guard guard;
  std::filesystem::path target = path;
  layout l;
  std::string encoded;
  collective(s->comm, [&] {
    for (index_t d : shape.values()) {
      if (d < 0) {
        throw std::invalid_argument("cannot create '" + path.string() + "' with shape " +
                                    to_string(shape.values().span()) + ": dimensions must be >= 0");
      }
    }
    maparray::detail::require_accepted(opts.existing, {if_exists::fail, if_exists::replace}, call,
                                       path.string());
    l.type = type;
    l.shape = shape.values();
    if (s->rank != 0) return;
    const auto header = npy ? padded_header(type, l.shape, page) : std::vector<std::byte>();
    l.data_offset = static_cast<std::int64_t>(header.size());
    if (opts.existing == if_exists::replace) target = temporary_name(path);
    maparray::create_options o{.sparse = opts.sparse, .permissions = opts.permissions};
    // The mapping of the whole file is dropped at once: every rank maps its own slab below.
    maparray::detail::create_raw(target, shape, o, type.itemsize(), 1, header);
    guard.watch(target);
    encoded = target.string() + '\0' + encode(l);
  });
  encoded = broadcast(s->comm, 0, encoded);
  const auto split = encoded.find('\0');
  target = encoded.substr(0, split);
  collective(s->comm, [&] {
    l = decode(encoded.substr(split + 1));
    set_layout(*s, l, opts, page);
  });
  map_slabs(*s, target);
  if (target != path) {
    collective(s->comm, [&] {
      if (s->rank == 0) sys::rename(target, path);
    });
  }
  guard.keep();
  // Messages name the file by its final name, as maparray::create_file's do.
  const mapping slab = s->local.storage();
  if (const auto& r = maparray::detail::region_access::of(slab)) r->name = path;
  return any_global_array(std::move(s));
}

// The work of open_npy: `expected` is the dtype a typed caller needs, if any.
any_global_array open_npy_impl(MPI_Comm comm, const std::filesystem::path& path,
                               const open_options& opts, const dtype* expected) {
  const char* call = "maparray::mpi::open_npy";
  auto s = new_state(comm, call);
  s->path = path;
  s->access = opts.mode.value_or(mode::read);
  argument_list arguments = open_arguments(path, opts);
  arguments.emplace_back("element type", expected ? expected->str() : "the file's");
  agree_on_arguments(s->comm, call, arguments);
  const std::size_t page = agreed_page_size(s->comm);

  std::string encoded;
  collective(s->comm, [&] {
    if (opts.offset != 0) {
      throw std::invalid_argument(
          "open_options::offset is for raw files; a .npy file says "
          "where its data starts");
    }
    if (s->rank != 0) return;
    // Maps the whole file read-only, as maparray::open does, for its checks: the header, and a
    // file long enough for the data it announces.
    const auto v = maparray::detail::map_npy(path, {.mode = mode::read}, false, 1);
    if (expected) {
      maparray::detail::check_npy_type(path, v.head.type, *expected, {}, expected->itemsize());
    }
    if (v.head.fortran_order) {
      throw std::invalid_argument("'" + path.string() +
                                  "' is in Fortran order; a distributed array is split along "
                                  "its first axis and needs C order");
    }
    encoded = encode({v.head.type, v.head.shape, v.head.data_offset});
  });
  encoded = broadcast(s->comm, 0, encoded);
  collective(s->comm, [&] { set_layout(*s, decode(encoded), opts, page); });
  map_slabs(*s, path);
  return any_global_array(std::move(s));
}

}  // namespace

any_global_array open_npy_checked(MPI_Comm comm, const std::filesystem::path& path,
                                  const open_options& opts, const dtype& expected) {
  return open_npy_impl(comm, path, opts, &expected);
}

}  // namespace detail

any_global_array open_npy(MPI_Comm comm, const std::filesystem::path& path,
                          const open_options& opts) {
  return detail::open_npy_impl(comm, path, opts, nullptr);
}

any_global_array create_npy(MPI_Comm comm, const std::filesystem::path& path, const dtype& type,
                            const shape_spec& shape, const create_options& opts) {
  return detail::create(comm, path, type, shape, opts, true);
}

any_global_array create_file(MPI_Comm comm, const std::filesystem::path& path, const dtype& type,
                             const shape_spec& shape, const create_options& opts) {
  return detail::create(comm, path, type, shape, opts, false);
}

any_global_array map_file(MPI_Comm comm, const std::filesystem::path& path, const dtype& type,
                          const shape_spec& shape, const open_options& opts) {
  const char* call = "maparray::mpi::map_file";
  auto s = detail::new_state(comm, call);
  s->path = path;
  s->access = opts.mode.value_or(mode::read);
  detail::argument_list arguments = detail::open_arguments(path, opts);
  arguments.emplace_back("dtype", type.str());
  arguments.emplace_back("shape", to_string(shape.values().span()));
  detail::agree_on_arguments(s->comm, call, arguments);
  const std::size_t page = detail::agreed_page_size(s->comm);

  // Rank 0 measures the file and resolves a -1 in the shape.
  std::string encoded;
  collective(s->comm, [&] {
    if (type.itemsize() <= 0) {
      throw std::invalid_argument("'" + path.string() + "': elements of " +
                                  std::to_string(type.itemsize()) + " bytes cannot form an array");
    }
    if (opts.offset < 0) {
      throw std::invalid_argument("negative offset " + std::to_string(opts.offset));
    }
    if (s->rank != 0) return;
    const file f = file::open(path, O_RDONLY | O_NONBLOCK);
    f.require_regular();
    const std::int64_t size = f.size();
    if (opts.offset > size) {
      throw std::out_of_range("offset " + std::to_string(opts.offset) + " is past the end of '" +
                              path.string() + "' (" + std::to_string(size) + " bytes)");
    }
    const std::int64_t bytes = size - opts.offset;
    const auto& wanted = shape.values();
    const bool infers = std::ranges::find(wanted, index_t{-1}) != wanted.end();
    if (infers && bytes % type.itemsize() != 0) {
      throw std::invalid_argument("'" + path.string() + "' has " + std::to_string(bytes) +
                                  " bytes after offset " + std::to_string(opts.offset) +
                                  ", not a whole number of " + std::to_string(type.itemsize()) +
                                  "-byte elements");
    }
    const dims resolved = resolve_shape(shape, bytes / type.itemsize());
    const index_t needed =
        checked_mul(element_count(resolved.span()), type.itemsize(), "array size");
    if (needed > bytes) {
      throw std::out_of_range("an array of shape " + to_string(resolved.span()) + " needs " +
                              std::to_string(needed) + " bytes, but '" + path.string() + "' has " +
                              std::to_string(bytes) + " after offset " +
                              std::to_string(opts.offset));
    }
    encoded = detail::encode({type, resolved, opts.offset});
  });
  encoded = detail::broadcast(s->comm, 0, encoded);
  collective(s->comm, [&] { detail::set_layout(*s, detail::decode(encoded), opts, page); });
  detail::map_slabs(*s, path);
  return any_global_array(std::move(s));
}

}  // namespace maparray::mpi
