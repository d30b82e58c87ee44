#include "maparray/mapping.hpp"

#include <fcntl.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <vector>

#include "maparray/error.hpp"
#include "region.hpp"
#include "sys.hpp"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace maparray {
namespace detail {

region::~region() {
  release();
}

void region::release() noexcept {
  if (source != kind::borrowed && base != nullptr) sys::unmap(base, mapped_length);
  base = nullptr;
  mapped_length = 0;
  backing = maparray::file();
  owner.reset();
  if (pending && !pending->temporary.empty()) sys::remove_quietly(pending->temporary);
  pending.reset();
}

}  // namespace detail

namespace {

std::string quoted(const std::filesystem::path& path) {
  return path.empty() ? std::string("memory") : "'" + path.string() + "'";
}

int protection(mode m) {
  return m == mode::read ? PROT_READ : PROT_READ | PROT_WRITE;
}

int open_flags(mode m) {
  return m == mode::read_write ? O_RDWR : O_RDONLY;
}

std::size_t align_down(std::size_t value) {
  return value - value % sys::page_size();
}

}  // namespace

view_lease::view_lease(const view_lease& other) noexcept : region_(other.region_) {
  // The other lease keeps the count above zero, so the region cannot be closed meanwhile.
  if (region_) region_->views.fetch_add(1, std::memory_order_relaxed);
}

view_lease::~view_lease() {
  if (region_) region_->views.fetch_sub(1, std::memory_order_release);
}

mapping view_lease::storage() const noexcept {
  return mapping(region_);
}

view_lease view_lease::acquire(std::shared_ptr<detail::region> region) {
  if (!region) throw std::logic_error("no mapping to view");
  std::int64_t count = region->views.load(std::memory_order_relaxed);
  do {
    if (count < 0) throw std::logic_error("mapping " + quoted(region->name) + " is closed");
  } while (!region->views.compare_exchange_weak(count, count + 1, std::memory_order_acquire));
  view_lease lease;
  lease.region_ = std::move(region);
  return lease;
}

mapping mapping::open(const std::filesystem::path& path, const options& opts) {
  return adopt(file::open_regular(path, open_flags(opts.mode)), opts);
}

mapping mapping::adopt(maparray::file f, const options& opts) {
  if (opts.offset < 0) {
    throw std::invalid_argument("negative offset " + std::to_string(opts.offset) + " into " +
                                quoted(f.path()));
  }
  if (opts.length && *opts.length < 0) {
    throw std::invalid_argument("negative length " + std::to_string(*opts.length) + " for " +
                                quoted(f.path()));
  }
  f.require_regular();
  f.lock(opts.lock);
  const std::int64_t file_size = f.size();
  if (opts.offset > file_size) {
    throw std::out_of_range("offset " + std::to_string(opts.offset) + " is past the end of " +
                            quoted(f.path()) + " (" + std::to_string(file_size) + " bytes)");
  }
  const std::int64_t length = opts.length.value_or(file_size - opts.offset);
  if (length > file_size - opts.offset) {
    throw std::out_of_range(std::to_string(length) + " bytes at offset " +
                            std::to_string(opts.offset) + " reach past the end of " +
                            quoted(f.path()) + " (" + std::to_string(file_size) + " bytes)");
  }

  auto r = std::make_shared<detail::region>();
  r->access_mode = opts.mode;
  r->file_offset = opts.offset;
  r->length = static_cast<std::size_t>(length);
  r->name = f.path();
  r->source = detail::region::kind::file;
  if (length > 0) {
    const auto aligned =
        static_cast<std::int64_t>(align_down(static_cast<std::size_t>(opts.offset)));
    r->lead = static_cast<std::size_t>(opts.offset - aligned);
    r->mapped_length = r->lead + r->length;
    const int flags = opts.mode == mode::copy_on_write ? MAP_PRIVATE : MAP_SHARED;
    r->base = static_cast<std::byte*>(
        sys::map(r->mapped_length, protection(opts.mode), flags, f.fd(), aligned, f.path()));
    if (opts.exact_writeback && opts.mode == mode::read_write) {
      // Pages cached in large folios (by read() or by another mapping's readahead) would be
      // written back whole: drop the clean ones, and fault every page in alone from now on.
      sys::drop_cached(f, aligned, static_cast<std::int64_t>(r->mapped_length));
      const int error = sys::try_advise(r->base, r->mapped_length, MADV_RANDOM);
      if (error != 0) {
        sys::unmap(r->base, r->mapped_length);
        sys::throw_error(error, "madvise", f.path());
      }
    }
  }
  r->backing = std::move(f);
  return mapping(std::move(r));
}

mapping mapping::anonymous(std::size_t length) {
  auto r = std::make_shared<detail::region>();
  r->access_mode = mode::read_write;
  r->length = length;
  r->mapped_length = length;
  r->source = detail::region::kind::anonymous;
  if (length > 0) {
    r->base = static_cast<std::byte*>(
        sys::map(length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, {}));
  }
  return mapping(std::move(r));
}

mapping mapping::borrow(std::span<std::byte> bytes, bool writable, std::shared_ptr<void> owner) {
  auto r = std::make_shared<detail::region>();
  r->access_mode = writable ? mode::read_write : mode::read;
  r->source = detail::region::kind::borrowed;
  r->length = bytes.size();
  if (!bytes.empty()) {
    // Page-aligned bounds let advise() and resident_bytes() work on borrowed memory too.
    const auto address = reinterpret_cast<std::uintptr_t>(bytes.data());
    r->lead = address % sys::page_size();
    r->base = bytes.data() - r->lead;
    r->mapped_length = r->lead + bytes.size();
  }
  r->owner = std::move(owner);
  return mapping(std::move(r));
}

std::byte* mapping::data() const noexcept {
  return region_ && region_->base ? region_->base + region_->lead : nullptr;
}
std::size_t mapping::size() const noexcept {
  return region_ ? region_->length : 0;
}
std::size_t mapping::mapped_length() const noexcept {
  return region_ ? region_->mapped_length : 0;
}
std::int64_t mapping::offset() const noexcept {
  return region_ ? region_->file_offset : 0;
}
mode mapping::mode() const noexcept {
  return region_ ? region_->access_mode : mode::read;
}
const std::filesystem::path& mapping::path() const noexcept {
  static const std::filesystem::path none;
  return region_ ? region_->name : none;
}
int mapping::fd() const noexcept {
  return region_ ? region_->backing.fd() : -1;
}
bool mapping::is_open() const noexcept {
  return region_ && region_->views.load(std::memory_order_acquire) >= 0;
}
std::int64_t mapping::views() const noexcept {
  return region_ ? std::max<std::int64_t>(region_->views.load(std::memory_order_acquire), 0) : 0;
}

memory_source mapping::source() const noexcept {
  if (!is_open()) return memory_source::none;
  switch (region_->source) {
    case detail::region::kind::file:
      return memory_source::file;
    case detail::region::kind::anonymous:
      return memory_source::anonymous;
    case detail::region::kind::borrowed:
      return memory_source::borrowed;
    case detail::region::kind::empty:
      break;
  }
  return memory_source::none;
}

std::span<std::byte> mapping::page_span(std::size_t offset, std::size_t size,
                                        const char* what) const {
  if (!is_open()) throw std::logic_error(std::string(what) + " on a closed mapping");
  const std::size_t length = region_->length;
  if (offset > length) {
    throw std::out_of_range(std::string(what) + ": offset " + std::to_string(offset) +
                            " is past the end of the mapping (" + std::to_string(length) +
                            " bytes)");
  }
  if (size == whole) size = length - offset;
  if (size > length - offset) {
    throw std::out_of_range(std::string(what) + ": " + std::to_string(size) + " bytes at " +
                            std::to_string(offset) + " reach past the end of the mapping (" +
                            std::to_string(length) + " bytes)");
  }
  if (size == 0) return {};
  const std::size_t begin = align_down(region_->lead + offset);
  return {region_->base + begin, region_->lead + offset + size - begin};
}

void mapping::flush(std::size_t offset, std::size_t size, flush_mode how) const {
  const auto pages = page_span(offset, size, "flush");
  if (pages.empty() || region_->source != detail::region::kind::file ||
      region_->access_mode != mode::read_write) {
    return;
  }
  sys::sync(pages.data(), pages.size(), how == flush_mode::sync ? MS_SYNC : MS_ASYNC,
            region_->name);
}

void mapping::advise(maparray::advice hint, std::size_t offset, std::size_t size) const {
  const auto pages = page_span(offset, size, "advise");
  if (pages.empty()) return;
  int flag = MADV_NORMAL;
  switch (hint) {
    case advice::normal:
      flag = MADV_NORMAL;
      break;
    case advice::sequential:
      flag = MADV_SEQUENTIAL;
      break;
    case advice::random:
      flag = MADV_RANDOM;
      break;
    case advice::willneed:
      flag = MADV_WILLNEED;
      break;
    case advice::dontneed:
      // On private pages the kernel discards the data itself: copy_on_write changes and
      // anonymous memory come back as the file's bytes or as zeros.
      if (region_->access_mode == mode::copy_on_write ||
          region_->source != detail::region::kind::file) {
        throw std::invalid_argument("advise dontneed on " + quoted(region_->name) +
                                    ": its pages may be private, and the kernel would discard "
                                    "what was written to them");
      }
      flag = MADV_DONTNEED;
      break;
    case advice::hugepage:
      flag = MADV_HUGEPAGE;
      break;
  }
  sys::advise(pages.data(), pages.size(), flag, region_->name);
}

void mapping::prefetch(access how, std::size_t offset, std::size_t size) const {
  const auto pages = page_span(offset, size, "prefetch");
  if (pages.empty()) return;
  if (how == access::write && region_->access_mode == mode::read) {
    throw std::logic_error("prefetch for write on read-only mapping " + quoted(region_->name));
  }
  const int flag = how == access::write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
  const int error = sys::try_advise(pages.data(), pages.size(), flag);
  if (error == 0) return;
  if (error != EINVAL) sys::throw_error(error, "madvise", region_->name);
  // Kernels before 5.14 lack MADV_POPULATE_*: start readahead, then touch every page.
  sys::try_advise(pages.data(), pages.size(), MADV_WILLNEED);
  const std::size_t step = sys::page_size();
  for (std::size_t at = 0; at < pages.size(); at += step) {
    auto* byte = reinterpret_cast<volatile unsigned char*>(pages.data() + at);
    if (how == access::write) {
      *byte = *byte;
    } else {
      static_cast<void>(*byte);
    }
  }
}

void mapping::evict(std::size_t offset, std::size_t size) const {
  advise(advice::dontneed, offset, size);  // checks the handle, the range and the pages
  const std::size_t length = size == whole ? region_->length - offset : size;
  if (length == 0) return;
  const int error =
      sys::injected_failure("posix_fadvise")
          ? errno
          : ::posix_fadvise(region_->backing.fd(),
                            static_cast<off_t>(region_->file_offset) + static_cast<off_t>(offset),
                            static_cast<off_t>(length), POSIX_FADV_DONTNEED);
  if (error != 0) sys::throw_error(error, "posix_fadvise", region_->name);
}

std::size_t mapping::resident_bytes(std::size_t offset, std::size_t size) const {
  const auto pages = page_span(offset, size, "resident_bytes");
  const std::size_t page = sys::page_size();
  const std::size_t page_count = (pages.size() + page - 1) / page;
  // A bounded vector: a terabyte mapping would otherwise need a quarter-gigabyte of flags.
  constexpr std::size_t batch = 1 << 16;
  std::vector<unsigned char> flags(std::min(page_count, batch));
  std::size_t resident = 0;
  for (std::size_t first = 0; first < page_count; first += batch) {
    const std::size_t count = std::min(batch, page_count - first);
    sys::residency(pages.data() + first * page, count * page, flags.data(), region_->name);
    resident += static_cast<std::size_t>(
        std::count_if(flags.begin(), flags.begin() + static_cast<std::ptrdiff_t>(count),
                      [](unsigned char f) { return (f & 1) != 0; }));
  }
  return std::min(resident * page, pages.size());
}

void mapping::close() {
  if (!region_) return;
  std::int64_t expected = 0;
  if (!region_->views.compare_exchange_strong(expected, -1, std::memory_order_acq_rel)) {
    if (expected < 0) return;  // already closed
    throw busy_error("cannot close " + quoted(region_->name) + ": " + std::to_string(expected) +
                     " array(s) still use it");
  }
  region_->release();
}

view_lease mapping::lease() const {
  return view_lease::acquire(region_);
}

}  // namespace maparray
