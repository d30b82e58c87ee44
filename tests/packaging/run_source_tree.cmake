# Configures, builds and runs a consumer project (tests/packaging/${CONSUMER}) that takes
# maparray straight from the source tree SOURCE_DIR, by add_subdirectory or FetchContent.
# No build type is given: maparray must not pick one for its parent.
file(REMOVE_RECURSE ${WORK_DIR})

include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/run_checked.cmake)

run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/packaging/${CONSUMER} -B ${WORK_DIR}
    -DMAPARRAY_SOURCE_DIR=${SOURCE_DIR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}")
run(${CMAKE_COMMAND} --build ${WORK_DIR} -j2)
run(${WORK_DIR}/consumer ${WORK_DIR}/data.f64)
