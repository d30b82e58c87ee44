// The check every creator makes of its if_exists option.
#pragma once

#include <initializer_list>
#include <string_view>

#include "maparray/if_exists.hpp"

namespace maparray::detail {

// Throws std::invalid_argument, naming `function` and `name`, unless `existing` is one of
// `accepted`: each creator takes only the values it can honour.
void require_accepted(if_exists existing, std::initializer_list<if_exists> accepted,
                      std::string_view function, std::string_view name);

}  // namespace maparray::detail
