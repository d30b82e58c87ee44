// Checks that an operation reports a system call failure injected through the os layer.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <system_error>

#include "sys.hpp"

namespace maparray::testing {

// Runs `operation` with the next `call` (after `skip` successful ones) failing with `error`,
// and checks that it throws a std::system_error with that errno naming the call.
template <class F>
void expect_injected_failure(const char* call, int error, F operation, int skip = 0) {
  sys::inject_failure(call, error, skip);
  try {
    operation();
    ADD_FAILURE() << call << " failure was not reported";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), error) << e.what();
    EXPECT_NE(std::string(e.what()).find(call), std::string::npos) << e.what();
  }
  sys::clear_injected_failures();
}

}  // namespace maparray::testing
