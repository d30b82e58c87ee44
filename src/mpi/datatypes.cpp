#include "datatypes.hpp"

#include <stdexcept>
#include <string>

namespace maparray::mpi::detail {
namespace {

const char* name_of(accumulate_op op) {
  switch (op) {
    case accumulate_op::sum:
      return "sum";
    case accumulate_op::prod:
      return "prod";
    case accumulate_op::min:
      return "min";
    case accumulate_op::max:
      return "max";
    case accumulate_op::band:
      return "band";
    case accumulate_op::bor:
      return "bor";
    case accumulate_op::bxor:
      return "bxor";
    case accumulate_op::replace:
      return "replace";
  }
  return "?";
}

MPI_Datatype integer_datatype(bool is_signed, index_t size) {
  switch (size) {
    case 1:
      return is_signed ? MPI_INT8_T : MPI_UINT8_T;
    case 2:
      return is_signed ? MPI_INT16_T : MPI_UINT16_T;
    case 4:
      return is_signed ? MPI_INT32_T : MPI_UINT32_T;
    case 8:
      return is_signed ? MPI_INT64_T : MPI_UINT64_T;
    default:
      return MPI_DATATYPE_NULL;
  }
}

}  // namespace

MPI_Datatype numeric_datatype(const dtype& type, const char* what) {
  MPI_Datatype result = MPI_DATATYPE_NULL;
  if (type.is_native()) {
    const index_t size = type.itemsize();
    switch (type.kind()) {
      case dtype_kind::boolean:
        result = MPI_C_BOOL;
        break;
      case dtype_kind::signed_integer:
      case dtype_kind::unsigned_integer:
        result = integer_datatype(type.kind() == dtype_kind::signed_integer, size);
        break;
      case dtype_kind::floating:
        result = size == 4 ? MPI_FLOAT : size == 8 ? MPI_DOUBLE : MPI_DATATYPE_NULL;
        break;
      case dtype_kind::complex:
        result = size == 8    ? MPI_C_FLOAT_COMPLEX
                 : size == 16 ? MPI_C_DOUBLE_COMPLEX
                              : MPI_DATATYPE_NULL;
        break;
      default:
        break;
    }
  }
  if (result == MPI_DATATYPE_NULL) {
    throw std::invalid_argument(std::string(what) +
                                " needs native-order bool, integers, float32, float64, "
                                "complex64 or complex128, not " +
                                type.str());
  }
  return result;
}

MPI_Op operation(accumulate_op op, const dtype& type, const char* what) {
  numeric_datatype(type, what);
  const dtype_kind kind = type.kind();
  const bool integer = kind == dtype_kind::signed_integer || kind == dtype_kind::unsigned_integer;
  bool allowed = false;
  MPI_Op result = MPI_OP_NULL;
  switch (op) {
    case accumulate_op::sum:
      allowed = kind != dtype_kind::boolean;
      result = MPI_SUM;
      break;
    case accumulate_op::prod:
      allowed = kind != dtype_kind::boolean;
      result = MPI_PROD;
      break;
    case accumulate_op::min:
      allowed = integer || kind == dtype_kind::floating;
      result = MPI_MIN;
      break;
    case accumulate_op::max:
      allowed = integer || kind == dtype_kind::floating;
      result = MPI_MAX;
      break;
    case accumulate_op::band:
      allowed = integer;
      result = MPI_BAND;
      break;
    case accumulate_op::bor:
      allowed = integer;
      result = MPI_BOR;
      break;
    case accumulate_op::bxor:
      allowed = integer;
      result = MPI_BXOR;
      break;
    case accumulate_op::replace:
      allowed = true;
      result = MPI_REPLACE;
      break;
  }
  if (!allowed) {
    throw std::invalid_argument(std::string(what) + " with operation " + name_of(op) +
                                " is not defined for " + type.str());
  }
  return result;
}

MPI_Datatype swap_datatype(const dtype& type) {
  const char* what = "compare_exchange";
  const MPI_Datatype own = numeric_datatype(type, what);
  switch (type.kind()) {
    case dtype_kind::boolean:
    case dtype_kind::signed_integer:
    case dtype_kind::unsigned_integer:
      return own;
    case dtype_kind::floating:
      return integer_datatype(false, type.itemsize());
    default:
      throw std::invalid_argument(std::string(what) + " needs elements of at most 8 bytes, not " +
                                  type.str());
  }
}

}  // namespace maparray::mpi::detail
