// Links against an installed maparray::mpi: the header, the library and MPI come with the
// package's mpi component. Built, not run (running needs an MPI launcher).
#include <mpi.h>

#include <maparray/mpi.hpp>

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  int status = 0;
  {
    auto a = maparray::mpi::create_npy<double>(MPI_COMM_WORLD, argv[1], {4, 2});
    status = maparray::mpi::sum(a) == 0.0 ? 0 : 1;
    a.close();
  }
  MPI_Finalize();
  return status;
}
