# Installs the built library into a scratch prefix, then compiles and runs the consumer program
# with nothing but the flags `pkg-config --cflags --libs maparray` gives.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/run_checked.cmake)

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
file(GLOB_RECURSE pc_files ${prefix}/*/maparray.pc)
list(LENGTH pc_files found)
if(NOT found EQUAL 1)
  message(FATAL_ERROR "expected one installed maparray.pc, found: ${pc_files}")
endif()
get_filename_component(pc_dir ${pc_files} DIRECTORY)
set(ENV{PKG_CONFIG_PATH} ${pc_dir})
set(ENV{LD_LIBRARY_PATH} ${pc_dir}/..)  # in case the library was built shared

execute_process(COMMAND pkg-config --modversion maparray OUTPUT_VARIABLE version
                OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE result)
if(NOT result EQUAL 0 OR NOT version STREQUAL EXPECTED_VERSION)
  message(FATAL_ERROR "pkg-config --modversion gave '${version}', expected ${EXPECTED_VERSION}")
endif()
execute_process(COMMAND pkg-config --cflags --libs maparray OUTPUT_VARIABLE flags
                OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "pkg-config --cflags --libs maparray failed")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
separate_arguments(extra UNIX_COMMAND "${CXX_FLAGS}")
run(${CXX_COMPILER} -std=c++20 ${extra} ${SOURCE_DIR}/tests/packaging/consumer.cpp ${flags}
    -o ${WORK_DIR}/consumer)
run(${WORK_DIR}/consumer ${WORK_DIR}/data.f64)
