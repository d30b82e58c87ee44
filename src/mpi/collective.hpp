// Helpers for collective calls: agreeing on arguments and passing small values from one rank
// to all. Not installed; detail::agree() and collective() are in maparray/mpi.hpp.
#pragma once

#include <mpi.h>

#include <string>
#include <utility>
#include <vector>

namespace maparray::mpi::detail {

// A call's arguments as (name, value) texts, for comparing them between ranks.
using argument_list = std::vector<std::pair<std::string, std::string>>;

// Collective. Checks that every rank passed the arguments rank 0 passed; throws (on every
// rank, through agree()) std::invalid_argument naming `call`, the first argument that differs,
// the lowest rank where it differs and both values. Throws mpi_error.
void agree_on_arguments(MPI_Comm comm, const char* call, const argument_list& arguments);

// Collective. Returns `text` as rank `root` has it, on every rank. Throws mpi_error.
std::string broadcast(MPI_Comm comm, int root, const std::string& text);

}  // namespace maparray::mpi::detail
