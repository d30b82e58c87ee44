// Blocks of an array in a file: map only the bytes one rectangular block of a large array spans.
//
// Many processes can each work on their own block of one file this way (Dask workers, MPI
// ranks): each maps from its block's first element to its last, so the address space and the
// page-cache pages it touches are its block's, whatever the size of the file. Blocks that share
// no element may be written at the same time through read_write mappings without a lock, even
// when they share pages: every process maps the same page-cache pages of the file, and each
// writes only its own bytes of them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "maparray/any_array.hpp"
#include "maparray/dtype.hpp"
#include "maparray/mapping.hpp"
#include "maparray/shape.hpp"

namespace maparray {

// Where a whole array lies in a file: its element type, shape and order, and the byte offset of
// its first element (a .npy file's npy::header::data_offset, or where a raw array starts).
struct file_layout {
  dtype type;                        // the element type
  dims shape;                        // the whole array's shape
  maparray::order order = order::c;  // C (row-major) or Fortran (column-major)
  std::int64_t offset = 0;           // byte offset of the first element in the file
};

// The bytes of a file that one block of an array spans.
struct byte_range {
  std::int64_t offset = 0;  // of the block's first element
  std::int64_t length = 0;  // up to the end of its last element; 0 for an empty block
};

// The bytes [offset, offset + length) of the file laid out by `layout` that hold the block of
// elements [start, start + extent) (one entry per dimension), from its first element to the end
// of its last. Throws std::invalid_argument (start or extent of another rank than the shape, a
// negative entry, a negative offset, elements of zero bytes), std::out_of_range (the block
// reaches past the array), std::overflow_error (the array's size overflows 63 bits).
byte_range block_bytes(const file_layout& layout, std::span<const index_t> start,
                       std::span<const index_t> extent);

// Maps the block [start, start + extent) of the array laid out by `layout` in the file at
// `path`: only its block_bytes(). The result has `extent` as its shape and the whole array's
// strides (in bytes), and keeps its own mapping alive; it is writable unless `how` is
// mode::read. An empty block maps nothing.
// Throws as block_bytes(), and std::system_error (the file cannot be opened or mapped; what()
// names the call and the path), std::out_of_range (the file is too short for the block),
// std::invalid_argument (not a regular file).
any_array map_block(const std::filesystem::path& path, const file_layout& layout,
                    std::span<const index_t> start, std::span<const index_t> extent,
                    mode how = mode::read);

// Copies the block [start, start + extent) of the array laid out by `layout` in the file at
// `path` into `out`, which receives it contiguously in layout.order (block shape `extent`).
// Nothing is mapped: the block is read with one pread(2) per contiguous run of the file, so it
// costs no resident memory beyond `out`, however it is spread over the file (a block of a few
// columns of a C-order file spans whole rows; mapped, each page touched brings its neighbours
// in too). Throws as map_block(), and std::invalid_argument if out.size() is not the block's
// size in bytes.
void read_block(const std::filesystem::path& path, const file_layout& layout,
                std::span<const index_t> start, std::span<const index_t> extent,
                std::span<std::byte> out);

// Copies `in`, the block's elements contiguous in layout.order, into the block
// [start, start + extent) of the file at `path`, with one pwrite(2) per contiguous run: only the
// block's own bytes are written, so writers of disjoint blocks need no lock, even where their
// blocks share pages. The file must already hold the block (it is not extended). The data
// reaches the file's pages, not necessarily the disk: sync the file (commit_staged() does) for
// that. Throws as read_block().
void write_block(const std::filesystem::path& path, const file_layout& layout,
                 std::span<const index_t> start, std::span<const index_t> extent,
                 std::span<const std::byte> in);

}  // namespace maparray
