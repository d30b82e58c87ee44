// The state behind every mapping handle and array, private to the library: maparray/mapping.hpp
// only declares it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "maparray/file.hpp"
#include "maparray/mapping.hpp"

namespace maparray {
namespace detail {

// The state behind every handle and array of one mapped region.
struct region {
  enum class kind { empty, file, anonymous, borrowed };

  region() = default;
  region(const region&) = delete;
  region& operator=(const region&) = delete;
  ~region();

  // Unmaps and closes now, and removes the temporary name of a file never published. Never
  // throws; used by close() and the destructor.
  void release() noexcept;

  // Where a file created unpublished (create_options::publish_later) is to appear, until
  // publish() gives it that name.
  struct pending_name {
    std::filesystem::path target;     // the name it is to have
    std::filesystem::path temporary;  // its name meanwhile, or empty for an unnamed file
    if_exists existing = if_exists::fail;  // replace: it may replace a file at `target`
  };

  std::byte* base = nullptr;      // page-aligned start of the mapped pages
  std::size_t mapped_length = 0;  // bytes mapped from base (whole pages)
  std::size_t lead = 0;           // bytes between base and the first requested byte
  std::size_t length = 0;         // requested bytes
  std::int64_t file_offset = 0;   // file offset of the first requested byte
  maparray::mode access_mode = maparray::mode::read;
  kind source = kind::empty;
  maparray::file backing;       // kept open for flushes, fadvise and resizing
  std::filesystem::path name;   // path or shared-memory name, for messages
  std::shared_ptr<void> owner;  // keeps borrowed memory alive, if the caller gave an owner
  std::unique_ptr<pending_name> pending;  // set until a file created unpublished is published
  std::atomic<std::int64_t> views{0};     // live leases; -1 once closed
};

// The library's access to the region behind a handle or a lease, and to handles over a region.
struct region_access {
  // The region behind `m`, null for an empty handle. Never throws.
  static const std::shared_ptr<region>& of(const mapping& m) noexcept { return m.region_; }
  // The region leased by `lease`, null for an empty lease. Never throws.
  static const std::shared_ptr<region>& of(const view_lease& lease) noexcept {
    return lease.region_;
  }
  // A handle to `r`. Never throws.
  static mapping handle(std::shared_ptr<region> r) noexcept { return mapping(std::move(r)); }
};

}  // namespace detail

}  // namespace maparray
