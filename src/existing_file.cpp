#include "existing_file.hpp"

#include <stdexcept>
#include <string>

namespace maparray::detail {
namespace {

const char* name_of(if_exists e) {
  switch (e) {
    case if_exists::fail:
      return "fail";
    case if_exists::replace:
      return "replace";
    case if_exists::open:
      return "open";
  }
  return "an unknown value";
}

}  // namespace

void require_accepted(if_exists existing, std::initializer_list<if_exists> accepted,
                      std::string_view function, std::string_view name) {
  for (const if_exists e : accepted) {
    if (e == existing) return;
  }
  std::string message = std::string(function) + " '" + std::string(name) +
                        "': if_exists::" + name_of(existing) + " is not accepted (only";
  for (const if_exists e : accepted) message += std::string(" if_exists::") + name_of(e);
  throw std::invalid_argument(message + ")");
}

}  // namespace maparray::detail
