// The untyped parts of the collective compute layer (maparray/mpi_compute.hpp).
#include <algorithm>
#include <stdexcept>
#include <string>

#include "maparray/mpi.hpp"
#include "state.hpp"  // detail::check

namespace maparray::mpi::detail {

void check_conformable(const char* what, std::span<const any_global_array* const> arrays) {
  const any_global_array& first = *arrays.front();
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    const any_global_array& a = *arrays[i];
    if (!a.is_open()) {
      throw std::invalid_argument(std::string(what) + ": operand " + std::to_string(i) +
                                  " is closed or empty");
    }
    if (i == 0) continue;
    if (!std::ranges::equal(a.shape(), first.shape())) {
      throw std::invalid_argument(std::string(what) + ": operand " + std::to_string(i) +
                                  " has shape " + to_string(a.shape()) + ", operand 0 " +
                                  to_string(first.shape()));
    }
    if (!(a.blocks() == first.blocks())) {
      throw std::invalid_argument(
          std::string(what) + ": operand " + std::to_string(i) +
          " is distributed differently from operand 0 (rows per rank differ); open both with "
          "the same rows_per_rank");
    }
    int relation = MPI_UNEQUAL;
    check(MPI_Comm_compare(a.comm(), first.comm(), &relation), "MPI_Comm_compare");
    if (relation != MPI_IDENT && relation != MPI_CONGRUENT) {
      throw std::invalid_argument(std::string(what) + ": operand " + std::to_string(i) +
                                  " lives on other ranks than operand 0");
    }
  }
}

void begin_compute(std::span<const any_global_array* const> arrays) {
  for (const any_global_array* a : arrays) a->sync();
}

void end_compute(std::span<const any_global_array* const> arrays) {
  for (const any_global_array* a : arrays) a->sync();
}

void allgather_bytes(MPI_Comm comm, std::span<const std::byte> bytes, std::span<std::byte> all) {
  check(MPI_Allgather(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, all.data(),
                      static_cast<int>(bytes.size()), MPI_BYTE, comm),
        "MPI_Allgather");
}

}  // namespace maparray::mpi::detail
