// Files that appear at their path only when complete.
//
// stage_file() (stage_npy() for a .npy file) creates the file under a temporary name beside its
// path, its space reserved and its header written, without mapping it. Any number of threads and
// processes then write its elements, each mapping its own part (map_block() in block.hpp).
// commit_staged() makes the data durable and renames the file into place in one step;
// discard_staged() removes it after a failure. A reader of the path finds no file or the whole
// file, never a half-written one, whatever happens to the writers.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <cstdint>
#include <filesystem>

#include "maparray/dtype.hpp"
#include "maparray/raw_file.hpp"
#include "maparray/shape.hpp"

namespace maparray {

// A file being written under a temporary name. Plain data: it may be copied to, or rebuilt in,
// another process that writes or commits the file.
struct staged_file {
  std::filesystem::path path;       // where the file appears on commit
  std::filesystem::path temporary;  // where it is written meanwhile, in the same directory
  std::int64_t data_offset = 0;     // where the elements start in it (after a header)
  if_exists existing = if_exists::fail;  // replace: commit may replace a file at `path`
};

// Implementation, not API: in this public header because the templates here use it.
namespace detail {

// Stages a file of `shape` elements of `itemsize` bytes after `prefix`. Throws as stage_file().
staged_file stage(const std::filesystem::path& path, const shape_spec& shape,
                  const create_options& opts, index_t itemsize, std::span<const std::byte> prefix);

}  // namespace detail

// Stages a raw file holding a zero-filled array of `type` and `shape` (no -1) for `path`: creates
// it as "<path>.tmp-<digits>" with its space reserved (posix_fallocate, unless opts.sparse), so
// that a full disk is an error now rather than SIGBUS in a writer. opts.existing may be fail (an
// existing `path` is refused now, and again, atomically, by commit) or replace. opts.order plays
// no part: the writers choose the layout. Throws std::system_error (EEXIST, ENOSPC, EACCES...;
// nothing is left behind), std::invalid_argument (a negative dimension, elements of zero bytes,
// opts.existing open), std::overflow_error.
staged_file stage_file(const std::filesystem::path& path, const dtype& type,
                       const shape_spec& shape, const create_options& opts = {});

// Publishes a staged file: waits until its data is on the disk (fdatasync), renames it to its
// path (refusing to replace an existing file unless f.existing is replace) and syncs the
// directory. Call it once every writer has finished (their changes through shared mappings are
// in the file then, synced or not). Throws std::system_error (EEXIST if a file appeared at the
// path meanwhile, ENOENT if the temporary file is gone, EIO...; the temporary file is then left
// for discard_staged()), std::invalid_argument (f.existing open).
void commit_staged(const staged_file& f);

// Removes a staged file that will not be committed; does nothing if it is gone.
void discard_staged(const staged_file& f) noexcept;

}  // namespace maparray
