// Collective errors: a failure on one rank (a missing or unwritable file, a full disk, a wrong
// dtype, arguments that differ between ranks, a failing computation) makes the call throw the
// same exception with the same message on every rank, and no rank is left waiting (a hang
// would fail the test at ctest's timeout). Failures on one rank are made with the os layer's
// fault injection.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "maparray/mpi.hpp"
#include "maparray/npy.hpp"
#include "mpi_fixture.hpp"
#include "sys.hpp"

namespace ma = maparray;
namespace mm = maparray::mpi;
using ma::index_t;

namespace {

class CollectiveErrors : public ma::testing::MpiTest {
 protected:
  // Runs `call` on every rank; checks that every rank caught an E whose message names rank
  // `origin` and contains `text`, and that the message is the same on every rank. Returns it.
  template <class E, class F>
  std::string expect_everywhere(F&& call, int origin, const std::string& text) {
    std::string what;
    bool right_type = false;
    try {
      call();
      what = "nothing was thrown";
    } catch (const E& e) {
      right_type = true;
      what = e.what();
    } catch (const std::exception& e) {
      what = std::string("another exception type: ") + e.what();
    }
    EXPECT_TRUE(right_type) << what;
    EXPECT_NE(what.find("rank " + std::to_string(origin) + " of " + std::to_string(ranks)),
              std::string::npos)
        << what;
    EXPECT_NE(what.find(text), std::string::npos) << what;
    EXPECT_TRUE(all(same_on_every_rank(what))) << what;
    return what;
  }

  static bool same_on_every_rank(const std::string& text) {
    int size = static_cast<int>(text.size());
    MPI_Bcast(&size, 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::string root(static_cast<std::size_t>(size), '\0');
    if (size > 0) {
      std::string copy = text;
      copy.resize(static_cast<std::size_t>(size));
      MPI_Bcast(copy.data(), size, MPI_CHAR, 0, MPI_COMM_WORLD);
      root = copy;
    }
    return root == text;
  }

  int last() const { return ranks - 1; }

  std::filesystem::path make_npy(const std::string& name, index_t rows) {
    const auto path = *this / name;
    if (rank == 0) {
      auto a = ma::create_npy<double>(path, {rows, 2});
      for (index_t i = 0; i < rows; ++i) a(i, 0) = static_cast<double>(i);
      a.flush();
    }
    MPI_Barrier(MPI_COMM_WORLD);
    return path;
  }

  void TearDown() override {
    ma::sys::clear_injected_failures();
    MpiTest::TearDown();
  }
};

TEST_F(CollectiveErrors, MissingFile) {
  const auto path = *this / "missing.npy";
  const auto what = expect_everywhere<std::system_error>(
      [&] { mm::open_npy<double>(MPI_COMM_WORLD, path); }, 0, "No such file or directory");
  EXPECT_NE(what.find(path.string()), std::string::npos) << what;
}

TEST_F(CollectiveErrors, ErrnoSurvivesTheJourney) {
  try {
    mm::open_npy(MPI_COMM_WORLD, *this / "missing.npy");
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOENT);
  }
}

TEST_F(CollectiveErrors, MappingFailsOnTheLastRankOnly) {
  const auto path = make_npy("m.npy", 4 * ranks);
  if (rank == last()) ma::sys::inject_failure("mmap", ENOMEM);
  expect_everywhere<std::system_error>(
      [&] { mm::open_npy<double>(MPI_COMM_WORLD, path, {.page_aligned = false}); }, last(), "mmap");
}

TEST_F(CollectiveErrors, FullDiskOnCreateLeavesNothingBehind) {
  const auto path = *this / "full.npy";
  if (rank == 0) ma::sys::inject_failure("posix_fallocate", ENOSPC);
  expect_everywhere<std::system_error>(
      [&] {
        mm::create_npy<float>(MPI_COMM_WORLD, path, {1000, 10});
      },
      0, "No space left on device");
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(CollectiveErrors, UnwritableDirectory) {
  expect_everywhere<std::system_error>(
      [&] { mm::create_npy<float>(MPI_COMM_WORLD, *this / "no/such/dir/x.npy", {10}); }, 0,
      "No such file or directory");
}

TEST_F(CollectiveErrors, WrongDtype) {
  const auto path = make_npy("d.npy", 3);
  expect_everywhere<ma::type_error>([&] { mm::open_npy<float>(MPI_COMM_WORLD, path); }, 0, "<f8");
}

TEST_F(CollectiveErrors, FortranOrderFile) {
  const auto path = *this / "f.npy";
  if (rank == 0) ma::create_npy<double>(path, {3, 4}, {.order = ma::order::fortran});
  MPI_Barrier(MPI_COMM_WORLD);
  expect_everywhere<std::invalid_argument>([&] { mm::open_npy<double>(MPI_COMM_WORLD, path); }, 0,
                                           "Fortran order");
}

TEST_F(CollectiveErrors, ArgumentsThatDifferBetweenRanks) {
  if (ranks == 1) GTEST_SKIP() << "needs two ranks";
  const index_t rows = rank == last() ? 11 : 10;
  const auto what = expect_everywhere<std::invalid_argument>(
      [&] {
        mm::create_npy<float>(MPI_COMM_WORLD, *this / "x.npy", {rows, 2});
      },
      last(), "shape");
  EXPECT_NE(what.find("(11, 2)"), std::string::npos) << what;
  EXPECT_NE(what.find("(10, 2)"), std::string::npos) << what;
  const auto name = rank == 1 ? std::string("y.npy") : std::string("x.npy");
  expect_everywhere<std::invalid_argument>(
      [&] { mm::create_npy<float>(MPI_COMM_WORLD, *this / name, {10}); }, 1, "path");
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_FALSE(std::filesystem::exists(*this / "x.npy"));
}

TEST_F(CollectiveErrors, RowCountsThatDoNotFit) {
  const auto path = make_npy("r.npy", 5);
  std::vector<index_t> counts(static_cast<std::size_t>(ranks), 1);
  expect_everywhere<std::invalid_argument>(
      [&] { mm::open_npy<double>(MPI_COMM_WORLD, path, {.rows_per_rank = counts}); }, 0,
      "rows_per_rank");
  counts.push_back(5);
  expect_everywhere<std::invalid_argument>(
      [&] { mm::open_npy<double>(MPI_COMM_WORLD, path, {.rows_per_rank = counts}); }, 0, "entries");
}

TEST_F(CollectiveErrors, FailedOverwriteKeepsTheOldFile) {
  const auto path = make_npy("keep.npy", 6);
  if (rank == last()) ma::sys::inject_failure("mmap", ENOMEM);
  expect_everywhere<std::system_error>(
      [&] {
        mm::create_npy<float>(MPI_COMM_WORLD, path, {8 * ranks},
                              {.existing = ma::if_exists::replace, .page_aligned = false});
      },
      last(), "mmap");
  MPI_Barrier(MPI_COMM_WORLD);
  const auto old = ma::open_npy<const double>(path);
  EXPECT_EQ(old.extent(0), 6);
  EXPECT_EQ(old(5, 0), 5.0);
  // Only the old file is there: the new one, under a temporary name, was removed.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(CollectiveErrors, ComputationThatFailsOnOneRank) {
  auto a =
      mm::create_npy<double>(MPI_COMM_WORLD, *this / "c.npy", {4 * ranks}, {.page_aligned = false});
  const int failing = last();
  const int me = rank;
  expect_everywhere<std::range_error>(
      [&] {
        mm::transform(
            a,
            [&](double x) {
              if (me == failing) throw std::range_error("no good value here");
              return x + 1;
            },
            a);
      },
      failing, "no good value here");
  // The array is still usable afterwards.
  mm::add(a, 1.0, a);
  EXPECT_EQ(a.get({0}), ranks == 1 ? 1.0 : 2.0);
}

TEST_F(CollectiveErrors, OperandsThatDoNotMatch) {
  auto a = mm::create_npy<float>(MPI_COMM_WORLD, *this / "a.npy", {2 * ranks});
  auto b = mm::create_npy<float>(MPI_COMM_WORLD, *this / "b.npy", {2 * ranks + 1});
  expect_everywhere<std::invalid_argument>([&] { mm::add(a, a, b); }, 0, "shape");
  if (ranks > 1) {
    std::vector<index_t> counts(static_cast<std::size_t>(ranks), 0);
    counts[0] = 1;  // a's rows all lie on one rank: too few for a page boundary between ranks
    counts[1] = 2 * ranks - 1;
    auto c = mm::create_npy<float>(MPI_COMM_WORLD, *this / "c.npy", {2 * ranks},
                                   {.rows_per_rank = counts});
    expect_everywhere<std::invalid_argument>([&] { mm::add(a, c, a); }, 0, "distributed");
  }
}

TEST_F(CollectiveErrors, OneSidedErrorsStayLocal) {
  auto a = mm::create_npy<std::int32_t>(MPI_COMM_WORLD, *this / "o.npy", {3});
  // Only the last rank asks for an element that does not exist; nobody waits for it.
  if (rank == last()) {
    EXPECT_THROW(a.get({3}), std::out_of_range);
  }
  a.sync();
  EXPECT_EQ(a.get({2}), 0);
}

}  // namespace
