# Configures, builds and runs tests/interop/mdspan_libcxx with CXX_COMPILER and libc++.
# libc++ 19 still counts std::jthread and std::stop_token (used by compute) as experimental.
file(REMOVE_RECURSE ${WORK_DIR})

include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/run_checked.cmake)

run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/interop/mdspan_libcxx -B ${WORK_DIR}
    -DMAPARRAY_SOURCE_DIR=${SOURCE_DIR} -DGTEST_SOURCE_DIR=${GTEST_SOURCE_DIR}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} "-DCMAKE_CXX_FLAGS=-stdlib=libc++ -fexperimental-library ${CXX_FLAGS}"
    -DCMAKE_BUILD_TYPE=Debug)
run(${CMAKE_COMMAND} --build ${WORK_DIR} -j2 --target test_mdspan)
run(${WORK_DIR}/test_mdspan)
