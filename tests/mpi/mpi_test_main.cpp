// main() of the MPI test programs: GoogleTest inside an MPI job. Every rank runs every test;
// rank 0 prints the usual report, the other ranks only their failures, and the job fails if
// any rank failed.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace {

// Prints a failed assertion of a rank other than 0, prefixed with the rank.
class rank_failure_printer : public ::testing::EmptyTestEventListener {
 public:
  explicit rank_failure_printer(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: %s\n", rank_,
                 result.file_name() ? result.file_name() : "?", result.line_number(),
                 result.summary());
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  // MPI_THREAD_SERIALIZED: the level the one-sided component of Open MPI 4 works with.
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  ::testing::InitGoogleTest(&argc, argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new rank_failure_printer(rank));
  }
  const int mine = RUN_ALL_TESTS();
  int any = 0;
  MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
#if defined(__SANITIZE_ADDRESS__)
  // The leak check runs now, while Open MPI's state is still reachable: after MPI_Finalize its
  // plugins are unloaded and what they keep until exit cannot be told from a leak of ours.
  // This replaces the check at exit.
  __lsan_do_leak_check();
#endif
  MPI_Finalize();
  return any;
}
