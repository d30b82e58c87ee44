#!/usr/bin/env bash
# Installs the Debian packages maparray needs to build and test, if any is missing; with the
# argument `demo`, only those scripts/demo.sh needs (a compiler, cmake and make).
# Run as root to install; otherwise it lists what is missing and fails.
set -euo pipefail

demo_packages=(g++ cmake make)
packages=(
  g++ cmake make                      # the compiler and the build
  libgtest-dev googletest             # unit tests
  libbenchmark-dev                    # benchmarks
  python3 python3-dev python3-numpy   # the Python module and the numpy interop tests
  python3-pytest python3-hypothesis   # the Python test suite
  python3-dask python3-distributed   # maparray.dask and its tests on a local cluster
  python3-tqdm                        # progress=True's bar in the Python module, and its test
  python3-numexpr                     # the expression benchmarks' numexpr runs
  pybind11-dev                        # the Python bindings
  python3-setuptools python3-wheel python3-pip  # pyproject.toml wheel builds, offline
  python3-venv                        # the pip install test's virtual environment
  libcli11-dev                        # the command-line tool's argument parser
  nlohmann-json3-dev                  # the command-line tool's --json output
  clang libclang-rt-14-dev            # libFuzzer targets
  clang-format                        # the code style
  pkg-config                          # the maparray.pc packaging test
  libeigen3-dev xtensor-dev           # the optional Eigen and xtensor interop headers
  clang-19 libc++-19-dev libc++abi-19-dev libclang-rt-19-dev  # std::mdspan, for maparray/mdspan.hpp
  doxygen                             # the API reference (the docs target)
  libopenmpi-dev openmpi-bin python3-mpi4py  # the optional MPI component and maparray.mpi
  e2fsprogs                           # mkfs.ext4: tests and a benchmark on a loop-mounted ext4 image
)

case "${1:-all}" in
  all) ;;
  demo) packages=("${demo_packages[@]}") ;;
  *) echo "install-deps: unknown set '$1' (all or demo)" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
