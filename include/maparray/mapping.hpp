// maparray::mapping: one mapped region of a file, of shared memory or of anonymous memory.
//
// A mapping hides page alignment: it is opened for any byte offset and length, and data() points
// at the first byte asked for, while the pages actually mapped (mapped_length()) start at the page
// boundary below it.
//
// Lifetime. A mapping is a cheap handle to a shared region. The region stays mapped while any
// handle or any array over it exists. Arrays also take a *lease* on it, counted by views();
// close() unmaps the region at once, and is refused with busy_error while a lease is held, so no
// array can ever point into unmapped memory. The address of a region never changes while it is
// mapped.
//
// Thread safety: distinct handles may be used from different threads; leases may be taken and
// dropped from any thread. close() may race with taking a lease: exactly one of them wins.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "maparray/file.hpp"
#include "maparray/if_exists.hpp"

namespace maparray {

// How a file is mapped.
enum class mode {
  read,           // read-only; writes through the memory are impossible
  read_write,     // shared: writes reach the file and every other mapping of it
  copy_on_write,  // private: writes stay in this process, the file is never changed
};

// What a mapping's memory is.
enum class memory_source {
  none,       // an empty or closed handle
  file,       // a file or a named shared-memory object: pages belong to the page cache
  anonymous,  // private memory of this process (anonymous shared memory included)
  borrowed,   // memory the caller owns (array_from_buffer, numpy arrays)
};

// Whether flush() waits for the data to reach the disk.
enum class flush_mode { sync, async };

// Access-pattern hints for advise().
enum class advice { normal, sequential, random, willneed, dontneed, hugepage };

// What prefetch() prepares pages for. Prefetching for write also makes the pages writable, which
// marks shared file pages dirty: use it only for pages that will be written anyway.
enum class access { read, write };

class mapping;

namespace detail {

// The state behind every handle and array of one mapped region, and the library's own access
// to it: both are defined in the library's sources only, so that users reach a region through
// mapping and view_lease.
struct region;
struct region_access;

}  // namespace detail

// A counted reference that keeps a region mapped; held by every array. Copying takes another
// lease. Only acquire() throws.
class view_lease {
 public:
  view_lease() = default;
  // Takes another lease on `other`'s region.
  view_lease(const view_lease& other) noexcept;
  // Moves the lease; `other` holds none afterwards.
  view_lease(view_lease&& other) noexcept = default;
  // Releases this lease and takes over `other`'s.
  view_lease& operator=(view_lease other) noexcept {
    std::swap(region_, other.region_);
    return *this;
  }
  // Releases the lease.
  ~view_lease();

  // Whether a region is leased: false for an empty lease.
  explicit operator bool() const noexcept { return region_ != nullptr; }
  // A handle to the leased mapping, an empty handle for an empty lease.
  mapping storage() const noexcept;

 private:
  friend class mapping;
  friend struct detail::region_access;

  // Takes a lease on an open region. Throws std::logic_error if it was closed.
  static view_lease acquire(std::shared_ptr<detail::region> region);

  std::shared_ptr<detail::region> region_;
};

// A handle to one mapped region (see the file comment); copies share the region.
class mapping {
 public:
  // As a size: everything from the offset to the end of the mapping.
  static constexpr std::size_t whole = static_cast<std::size_t>(-1);

  // Options for open() and adopt().
  struct options {
    maparray::mode mode = maparray::mode::read;  // read, read_write or copy_on_write
    std::int64_t offset = 0;                     // any byte offset into the file
    std::optional<std::int64_t> length{};        // bytes; default: up to the end of the file
    file_lock lock = file_lock::none;            // advisory lock held while the region is mapped
    // For read_write: write back only the pages written, whatever the page cache held. On file
    // systems that cache files in large folios (ext4 on Linux 6.x), a write through a mapping
    // dirties its whole folio (up to 2 MiB), and flush() writes all of it. With this option
    // the file's clean cached pages in the range are dropped when it is mapped and every page
    // is faulted in alone (MADV_RANDOM), so each write dirties one page. The cost: reads
    // through the mapping get no readahead (docs/PERFORMANCE.md, "Write-back"). Pages another
    // process keeps mapped stay as they are.
    bool exact_writeback = false;
  };

  // Maps part or all of the existing file `path`. Throws std::system_error if the file cannot be
  // opened, locked (EWOULDBLOCK) or mapped, std::out_of_range if offset or length reach past the
  // end of the file, std::invalid_argument for a negative offset or length or for a path that
  // is not a regular file (a FIFO, a directory, a device).
  static mapping open(const std::filesystem::path& path, const options& opts);
  // Maps the whole existing file `path` read-only. Throws as above.
  static mapping open(const std::filesystem::path& path) { return open(path, options{}); }

  // Maps part of an already open file, taking ownership of it. Throws as open().
  static mapping adopt(maparray::file f, const options& opts);

  // Maps `length` bytes of zero-filled private memory. Throws std::system_error.
  static mapping anonymous(std::size_t length);

  // Wraps memory the caller owns; nothing is mapped or unmapped. `owner` (may be null) is kept
  // alive as long as the region. Flushing does nothing. Throws only std::bad_alloc.
  static mapping borrow(std::span<std::byte> bytes, bool writable,
                        std::shared_ptr<void> owner = nullptr);

  // An empty handle: is_open() is false.
  mapping() = default;

  // The first requested byte (nullptr when closed or empty).
  std::byte* data() const noexcept;
  // The requested length in bytes.
  std::size_t size() const noexcept;
  // The bytes actually mapped, from the page boundary at or below data().
  std::size_t mapped_length() const noexcept;
  // The file offset of data().
  std::int64_t offset() const noexcept;
  // How the region is mapped.
  maparray::mode mode() const noexcept;
  // Whether the memory may be written.
  bool writable() const noexcept { return mode() != maparray::mode::read; }
  // The file path or shared-memory name, empty for anonymous memory.
  const std::filesystem::path& path() const noexcept;
  // The descriptor of the backing file, or -1.
  int fd() const noexcept;
  // False for an empty handle and after close().
  bool is_open() const noexcept;
  // The number of live leases (arrays) on the region.
  std::int64_t views() const noexcept;
  // What the memory is.
  memory_source source() const noexcept;

  // Writes modified pages of [offset, offset + size) (relative to data()) back to the file with
  // msync; only pages actually modified are written. Does nothing for read-only, private and
  // borrowed memory. Throws std::system_error with the errno msync reported (EIO, ENOSPC...),
  // std::out_of_range for a range outside the mapping, std::logic_error once closed.
  void flush(flush_mode how = flush_mode::sync) const { flush(0, whole, how); }
  // As flush(), for the bytes [offset, offset + size) only. Throws as above.
  void flush(std::size_t offset, std::size_t size, flush_mode how = flush_mode::sync) const;

  // Gives the kernel an access-pattern hint for a range (madvise). hugepage asks for transparent
  // huge pages, which the kernel may only grant for anonymous and shared memory. dontneed drops
  // the pages from this process; it is refused where they may be private (copy_on_write,
  // anonymous and borrowed memory), since the kernel would discard what was written to them.
  // Throws std::system_error if the kernel refuses, std::invalid_argument for dontneed on
  // private pages, std::out_of_range, std::logic_error once closed.
  void advise(maparray::advice hint, std::size_t offset = 0, std::size_t size = whole) const;

  // Faults a range in now (MADV_POPULATE_READ/WRITE, or touching each page on kernels without
  // it), so that later accesses do not stall. Throws as advise(); std::system_error with EFAULT
  // or EIO if part of the range lies past the end of a shrunken file.
  void prefetch(access how = access::read, std::size_t offset = 0, std::size_t size = whole) const;

  // Drops a range of a file mapping from memory: from this process, as advise(dontneed), and the
  // file's clean pages under it from the page cache (posix_fadvise POSIX_FADV_DONTNEED), so that
  // a later read comes from the disk. Dirty pages and pages another process maps stay. Throws as
  // advise(dontneed); std::system_error naming the path if posix_fadvise fails.
  void evict(std::size_t offset = 0, std::size_t size = whole) const;

  // How many bytes of a range are resident in memory now (mincore), counted in whole pages.
  // Throws std::system_error, std::out_of_range, std::logic_error once closed.
  std::size_t resident_bytes(std::size_t offset = 0, std::size_t size = whole) const;

  // Unmaps the region and closes its file now. Throws busy_error while arrays still hold leases
  // on it; closing twice does nothing. Afterwards data() is null and no new array can be made
  // over it.
  void close();

  // Takes a lease for a new view. Throws std::logic_error if closed or empty.
  view_lease lease() const;

 private:
  friend class view_lease;
  friend struct detail::region_access;

  // A handle to an existing region.
  explicit mapping(std::shared_ptr<detail::region> region) noexcept : region_(std::move(region)) {}

  // Checks that the handle is open and [offset, offset + size) lies inside it; returns the
  // page-aligned span covering it. Throws std::logic_error or std::out_of_range.
  std::span<std::byte> page_span(std::size_t offset, std::size_t size, const char* what) const;

  std::shared_ptr<detail::region> region_;
};

}  // namespace maparray
