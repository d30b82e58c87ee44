// Collective errors: every rank learns whether any rank failed, and the lowest failing rank's
// exception is rebuilt on every rank with the same type and message.
#include "collective.hpp"

#include <cstdint>
#include <exception>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "maparray/compute.hpp"
#include "maparray/error.hpp"
#include "maparray/mpi.hpp"
#include "state.hpp"

namespace maparray::mpi::detail {
namespace {

// The exception types that keep their type when they travel between ranks.
enum class kind : int {
  runtime,  // std::runtime_error, and any type not listed here
  system_generic,
  system_system,
  format,
  busy,
  invalid_argument,
  out_of_range,
  domain,
  length,
  logic,
  overflow,
  underflow,
  range,
  cancelled,
  mpi,
  bad_alloc,
  type,  // maparray::type_error (numpy's TypeError)
  axis,  // maparray::axis_error
};

struct failure {
  kind type = kind::runtime;
  int code = 0;  // errno for system errors, the error class for mpi_error
  std::string message;
};

// `e`'s what() without the ": <strerror>" that std::system_error appends, so that the
// rebuilt exception does not repeat it.
std::string system_message(const std::system_error& e) {
  std::string text = e.what();
  const std::string reason = ": " + e.code().message();
  if (text.size() >= reason.size() && text.ends_with(reason))
    text.resize(text.size() - reason.size());
  return text;
}

failure describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const format_error& e) {
    return {kind::format, 0, e.what()};
  } catch (const cancelled_error& e) {
    return {kind::cancelled, 0, e.what()};
  } catch (const mpi_error& e) {
    return {kind::mpi, e.error_class(), e.what()};
  } catch (const std::system_error& e) {
    if (e.code().category() == std::generic_category()) {
      return {kind::system_generic, e.code().value(), system_message(e)};
    }
    if (e.code().category() == std::system_category()) {
      return {kind::system_system, e.code().value(), system_message(e)};
    }
    return {kind::runtime, 0, e.what()};
  } catch (const std::overflow_error& e) {
    return {kind::overflow, 0, e.what()};
  } catch (const std::underflow_error& e) {
    return {kind::underflow, 0, e.what()};
  } catch (const std::range_error& e) {
    return {kind::range, 0, e.what()};
  } catch (const busy_error& e) {
    return {kind::busy, 0, e.what()};
  } catch (const type_error& e) {
    return {kind::type, 0, e.what()};
  } catch (const axis_error& e) {
    return {kind::axis, 0, e.what()};
  } catch (const std::invalid_argument& e) {
    return {kind::invalid_argument, 0, e.what()};
  } catch (const std::out_of_range& e) {
    return {kind::out_of_range, 0, e.what()};
  } catch (const std::domain_error& e) {
    return {kind::domain, 0, e.what()};
  } catch (const std::length_error& e) {
    return {kind::length, 0, e.what()};
  } catch (const std::logic_error& e) {
    return {kind::logic, 0, e.what()};
  } catch (const std::bad_alloc& e) {
    return {kind::bad_alloc, 0, e.what()};
  } catch (const std::exception& e) {
    return {kind::runtime, 0, e.what()};
  } catch (...) {
    return {kind::runtime, 0, "an exception of a type other than std::exception"};
  }
}

std::string encode(const failure& f) {
  return std::to_string(static_cast<int>(f.type)) + ' ' + std::to_string(f.code) + ' ' + f.message;
}

failure decode(const std::string& text) {
  std::istringstream in(text);
  int type = 0;
  failure f;
  in >> type >> f.code;
  f.type = static_cast<kind>(type);
  in.get();  // the space before the message
  std::getline(in, f.message, '\0');
  return f;
}

[[noreturn]] void rethrow(const failure& f, const std::string& where) {
  const std::string m = where + f.message;
  switch (f.type) {
    case kind::system_generic:
      throw std::system_error(f.code, std::generic_category(), m);
    case kind::system_system:
      throw std::system_error(f.code, std::system_category(), m);
    case kind::format:
      throw format_error(m);
    case kind::busy:
      throw busy_error(m);
    case kind::type:
      throw type_error(m);
    case kind::axis:
      throw axis_error(m);
    case kind::invalid_argument:
      throw std::invalid_argument(m);
    case kind::out_of_range:
      throw std::out_of_range(m);
    case kind::domain:
      throw std::domain_error(m);
    case kind::length:
      throw std::length_error(m);
    case kind::logic:
      throw std::logic_error(m);
    case kind::overflow:
      throw std::overflow_error(m);
    case kind::underflow:
      throw std::underflow_error(m);
    case kind::range:
      throw std::range_error(m);
    case kind::cancelled:
      throw cancelled_error(m);
    case kind::mpi:
      throw mpi_error(m, f.code);
    case kind::bad_alloc:  // its message cannot be set; a runtime_error keeps the rank
    case kind::runtime:
      break;
  }
  throw std::runtime_error(m);
}

// "rank 2 of 4: ", or "rank 2 of 4 (and 1 other rank): " when more ranks failed.
std::string origin(int rank, int ranks, int others) {
  std::string where = "rank " + std::to_string(rank) + " of " + std::to_string(ranks);
  if (others > 0) {
    where += " (and " + std::to_string(others) + " other rank" + (others > 1 ? "s" : "") + ")";
  }
  return where + ": ";
}

std::vector<std::string> split_fields(const std::string& text) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\0', start);
    fields.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return fields;
}

}  // namespace

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  int error_class = code;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  MPI_Error_class(code, &error_class);
  throw mpi_error(std::string(call) + ": " + std::string(text, static_cast<std::size_t>(length)),
                  error_class);
}

void require_mpi(const char* call) {
  int initialized = 0;
  int finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (!initialized || finalized) {
    throw std::logic_error(std::string(call) + " needs MPI, which is " +
                           (finalized ? "finalized already" : "not initialized: call MPI_Init"));
  }
}

std::string broadcast(MPI_Comm comm, int root, const std::string& text) {
  std::uint64_t size = text.size();
  check(MPI_Bcast(&size, 1, MPI_UINT64_T, root, comm), "MPI_Bcast");
  std::string result = text;
  result.resize(size);
  if (size > 0) {
    if (size > static_cast<std::uint64_t>(INT32_MAX)) {
      throw std::length_error("a broadcast message of " + std::to_string(size) + " bytes");
    }
    check(MPI_Bcast(result.data(), static_cast<int>(size), MPI_CHAR, root, comm), "MPI_Bcast");
  }
  return result;
}

void agree_on_arguments(MPI_Comm comm, const char* call, const argument_list& arguments) {
  std::string mine;
  for (const auto& [name, value] : arguments) {
    mine += name;
    mine += '\0';
    mine += value;
    mine += '\0';
  }
  int rank = 0;
  check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  const std::string theirs = broadcast(comm, 0, mine);
  collective(comm, [&] {
    if (theirs == mine) return;
    const auto fields = split_fields(theirs);
    for (std::size_t i = 0; i < arguments.size(); ++i) {
      const std::string& name = arguments[i].first;
      const std::string& value = arguments[i].second;
      const bool same =
          2 * i + 1 < fields.size() && fields[2 * i] == name && fields[2 * i + 1] == value;
      if (!same) {
        const std::string other = 2 * i + 1 < fields.size() ? fields[2 * i + 1] : "nothing";
        throw std::invalid_argument(std::string(call) + ": the " + name + " is " + value +
                                    " here but " + other +
                                    " on rank 0; every rank must pass the same arguments");
      }
    }
    throw std::invalid_argument(std::string(call) +
                                ": the arguments differ from rank 0's; every rank must pass the "
                                "same arguments");
  });
}

void agree(MPI_Comm comm, std::exception_ptr local_error) {
  int rank = 0;
  int ranks = 1;
  check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  check(MPI_Comm_size(comm, &ranks), "MPI_Comm_size");
  const int failed = local_error ? 1 : 0;
  std::vector<int> flags(static_cast<std::size_t>(ranks));
  check(MPI_Allgather(&failed, 1, MPI_INT, flags.data(), 1, MPI_INT, comm), "MPI_Allgather");
  int first = -1;
  int count = 0;
  for (int r = 0; r < ranks; ++r) {
    if (flags[static_cast<std::size_t>(r)] == 0) continue;
    if (first < 0) first = r;
    ++count;
  }
  if (first < 0) return;
  const std::string encoded = rank == first ? encode(describe(local_error)) : std::string();
  rethrow(decode(broadcast(comm, first, encoded)), origin(first, ranks, count - 1));
}

}  // namespace maparray::mpi::detail
