// What the MPI tests share: the rank and size of the job, and a scratch directory that every
// rank sees (made by rank 0, removed after the test).
#pragma once

#include <gtest/gtest.h>
#include <mpi.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

namespace maparray::testing {

class MpiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    std::string dir;
    if (rank == 0) {
      dir = (std::filesystem::temp_directory_path() / "maparray-mpi-test-XXXXXX").string();
      if (::mkdtemp(dir.data()) == nullptr) dir.clear();
    }
    int size = static_cast<int>(dir.size());
    MPI_Bcast(&size, 1, MPI_INT, 0, MPI_COMM_WORLD);
    dir.resize(static_cast<std::size_t>(size));
    MPI_Bcast(dir.data(), size, MPI_CHAR, 0, MPI_COMM_WORLD);
    ASSERT_FALSE(dir.empty()) << "mkdtemp failed on rank 0";
    scratch = dir;
  }

  void TearDown() override {
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) {
      std::error_code ignored;
      std::filesystem::remove_all(scratch, ignored);
    }
  }

  std::filesystem::path operator/(const std::string& name) const { return scratch / name; }

  // The same value on every rank (a logical and over ranks), for checks that must agree.
  static bool all(bool mine) {
    int in = mine ? 1 : 0;
    int out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return out == 1;
  }

  int rank = 0;
  int ranks = 1;
  std::filesystem::path scratch;
};

}  // namespace maparray::testing
