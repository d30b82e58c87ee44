# Tests of maparray/mdspan.hpp. With a compiler whose standard library has std::mdspan the test
# is an ordinary one. Without (GCC 12), two tests instead: including the header fails with its
# own message, and, where clang with libc++ 18 or later is installed, the test is built and run
# with that in a separate build tree.
include(CheckCXXSourceCompiles)
check_cxx_source_compiles([[
#include <version>
#ifndef __cpp_lib_mdspan
#error no mdspan
#endif
int main() { return 0; }
]] MAPARRAY_HAVE_MDSPAN)

if(MAPARRAY_HAVE_MDSPAN)
  maparray_add_test(test_mdspan)
  set_target_properties(test_mdspan PROPERTIES CXX_STANDARD 23)
  return()
endif()

add_test(NAME interop.mdspan_refused_without_mdspan
         COMMAND ${CMAKE_COMMAND} -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
                 -DINCLUDE_DIR=${PROJECT_SOURCE_DIR}/include
                 -DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/interop/include_mdspan.cpp
                 "-DEXPECTED=maparray/mdspan.hpp needs std::mdspan"
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/interop/run_expect_error.cmake)
set_tests_properties(interop.mdspan_refused_without_mdspan PROPERTIES LABELS interop)

find_program(MAPARRAY_LIBCXX_CLANG NAMES clang++-21 clang++-20 clang++-19 clang++-18
             DOC "clang with libc++ that has std::mdspan, to test maparray/mdspan.hpp")
find_path(MAPARRAY_GTEST_SOURCE_DIR CMakeLists.txt PATHS /usr/src/googletest NO_DEFAULT_PATH
          DOC "GoogleTest's sources, to build it with libc++")
if(NOT MAPARRAY_LIBCXX_CLANG OR NOT MAPARRAY_GTEST_SOURCE_DIR)
  message(STATUS "no clang with libc++ found: maparray/mdspan.hpp is only tested for refusal")
  return()
endif()
# Probe that this clang's libc++ has std::mdspan with layout_stride (libc++ 18 or later).
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/probe_mdspan.cpp
     "#include <mdspan>\nstd::layout_stride::mapping<std::dextents<int, 1>> m;\n")
execute_process(COMMAND ${MAPARRAY_LIBCXX_CLANG} -std=c++23 -stdlib=libc++ -fsyntax-only
                        ${CMAKE_CURRENT_BINARY_DIR}/probe_mdspan.cpp
                RESULT_VARIABLE libcxx_result OUTPUT_QUIET ERROR_QUIET)
if(NOT libcxx_result EQUAL 0)
  message(STATUS "${MAPARRAY_LIBCXX_CLANG} has no libc++ with std::mdspan: not tested with it")
  return()
endif()
# The docs snippet of maparray/mdspan.hpp is built with the same compiler.
set(MAPARRAY_LIBCXX_FOR_DOCS ${MAPARRAY_LIBCXX_CLANG})
add_test(NAME interop.mdspan_libcxx
         COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                 -DGTEST_SOURCE_DIR=${MAPARRAY_GTEST_SOURCE_DIR}
                 -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/interop-mdspan_libcxx
                 -DCXX_COMPILER=${MAPARRAY_LIBCXX_CLANG} "-DCXX_FLAGS=${consumer_flags}"
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/interop/run_mdspan_libcxx.cmake)
set_tests_properties(interop.mdspan_libcxx PROPERTIES TIMEOUT 600 LABELS interop)
