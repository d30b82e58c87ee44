// What the handles of one distributed array share, and the helpers the sources of
// maparray::mpi have in common. Not installed.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "maparray/any_array.hpp"
#include "maparray/dtype.hpp"
#include "maparray/mpi.hpp"
#include "maparray/shape.hpp"

namespace maparray::mpi::detail {

// The state behind every handle of one distributed array.
struct global_state {
  global_state() = default;
  global_state(const global_state&) = delete;
  global_state& operator=(const global_state&) = delete;
  // Frees the window and the communicator if close() did not, unless MPI is finalized already
  // (then they are gone with it). Never throws.
  ~global_state();

  // Collective: unlocks and frees the window, frees the communicator. Throws mpi_error.
  void close();

  MPI_Comm comm = MPI_COMM_NULL;  // a duplicate of the caller's, errors returned
  MPI_Win window = MPI_WIN_NULL;  // over every rank's slab; locked (lock_all) while open
  int rank = 0;
  int ranks = 1;
  dtype type;
  dims shape;
  index_t row_elements = 1;  // elements per row
  row_blocks blocks;
  bool page_aligned = true;  // no file page holds elements of two ranks
  std::filesystem::path path;
  std::int64_t data_offset = 0;
  maparray::mode access = maparray::mode::read;
  any_array local;  // this rank's slab
};

// Throws mpi_error("<call>: <MPI's error string>") unless `code` is MPI_SUCCESS.
void check(int code, const char* call);

// Throws std::logic_error unless MPI is initialized and not finalized.
void require_mpi(const char* call);

}  // namespace maparray::mpi::detail
