// One number as numpy's str() prints a scalar (and a zero-dimensional array): Python's repr of
// a float ("0.1", "1e+16", "1.5e-05"), with the digits the element's own precision needs
// ("0.1" for a float32 0.1), and Python's repr of a complex number ("(1+2j)", "1j").
#pragma once

#include <complex>
#include <string>

#include "maparray/float16.hpp"

namespace maparray::cli {

// str(numpy.float16(v)), str(numpy.float32(v)), str(numpy.float64(v)). Never throws except
// std::bad_alloc.
std::string scalar_text(float16 v);
std::string scalar_text(float v);
std::string scalar_text(double v);
// str(numpy.complex64(v)), str(numpy.complex128(v)). Never throws except std::bad_alloc.
std::string scalar_text(std::complex<float> v);
std::string scalar_text(std::complex<double> v);

}  // namespace maparray::cli
