// Must not compile: atomics on an element type that is not always lock-free would not work
// between processes, so array<T>::atomic() refuses it.
#include <complex>

#include "maparray/array.hpp"

void refused(const maparray::array<std::complex<double>>& a) {
  a.atomic(0).load();
}
