// Exception types of maparray.
//
// The library reports problems with exceptions only:
//   - std::system_error    an operating-system call failed; what() names the call and the path;
//   - maparray::format_error  a file's contents are malformed (bad .npy header, file too short);
//                             a well-formed file of another dtype than asked for is a type_error;
//   - maparray::busy_error    an operation was refused because arrays still use a mapping;
//   - maparray::cancelled_error  a computation stopped because its stop token was triggered;
//   - maparray::axis_error    an axis number outside an array (a std::out_of_range);
//   - maparray::type_error    an element type other than the one a file or array has (open_npy<T>,
//                             any_array::as<T>, open_shared<T>, append_npy...), or an operation
//                             on types it does not support (a std::invalid_argument);
//   - std::overflow_error     a number too large for the type it must take;
//   - maparray::expression_error  expression text that does not parse (a std::invalid_argument);
//   - maparray::mpi::mpi_error  an MPI call failed (a std::runtime_error; declared in mpi.hpp, as
//                             it needs MPI); the collective calls rethrow another rank's error
//                             on every rank with its type (std::runtime_error for other types);
//   - std::invalid_argument / std::out_of_range  the caller asked for something impossible;
//   - std::logic_error        a call out of order: on a closed mapping or an empty handle,
//                             publish() of a published file, npy_appender use after commit();
//   - std::bad_alloc          out of memory.
//
// Functions and members marked noexcept never throw; the others name what they throw.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace maparray {

// A file's contents do not describe a valid array. what() names the file and the problem.
class format_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An operation needs exclusive use of a mapping (close, resize) while arrays still view it.
class busy_error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Expression text that does not parse: what() names the position (counted from 0) and what was
// expected there.
class expression_error : public std::invalid_argument {
 public:
  // An error at `position` of the text. Throws only std::bad_alloc.
  expression_error(const std::string& message, std::size_t position)
      : std::invalid_argument(message), position_(position) {}
  // Where in the text the problem is.
  std::size_t position() const noexcept { return position_; }

 private:
  std::size_t position_;
};

// An element type other than the one a file or array has: what() names the file or object and
// both dtypes ("'/data/x.npy' holds elements of dtype <f8 (float64), not <f4 (float32) as
// requested"). Or an operation on element types it has no loop for, or a result that may not be
// cast to the output's type (NumPy's UFuncTypeError): "ufunc 'floor_divide' not supported for
// the input types (complex128, complex128)".
class type_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// An axis number outside an array's dimensions, as NumPy's AxisError: what() is NumPy's
// message ("axis 2 is out of bounds for array of dimension 2").
class axis_error : public std::out_of_range {
 public:
  using std::out_of_range::out_of_range;
};

// A computation stopped before it finished because exec_options::stop was requested. The output
// then holds a mix of new and old elements.
class cancelled_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace maparray
