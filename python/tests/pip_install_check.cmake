# `pip install .` of a copy of the source tree into a fresh virtual environment, offline (with
# Debian's setuptools, wheel, pybind11 and numpy, seen through --system-site-packages): the
# module imports and works, the `maparray` command runs, and both say the version CMake read
# from include/maparray/version.hpp.
file(REMOVE_RECURSE ${WORK_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/run_checked.cmake)

# The sources without build trees, version control or earlier packaging leftovers.
file(COPY ${SOURCE_DIR}/ DESTINATION ${WORK_DIR}/source
     PATTERN build EXCLUDE PATTERN .git EXCLUDE PATTERN *.egg-info EXCLUDE
     PATTERN __pycache__ EXCLUDE)
run(${PYTHON} -m venv --system-site-packages ${WORK_DIR}/venv)
set(venv_python ${WORK_DIR}/venv/bin/python)
run(${CMAKE_COMMAND} -E env CMAKE_BUILD_PARALLEL_LEVEL=2
    ${venv_python} -m pip install --no-build-isolation --no-index --no-deps ${WORK_DIR}/source)

execute_process(COMMAND ${WORK_DIR}/venv/bin/maparray --version OUTPUT_VARIABLE said
                RESULT_VARIABLE result)
if(NOT result EQUAL 0 OR NOT said STREQUAL "maparray ${EXPECTED_VERSION}\n")
  message(FATAL_ERROR "maparray --version said '${said}' (exit ${result}), expected "
                      "'maparray ${EXPECTED_VERSION}'")
endif()
run(${CMAKE_COMMAND} -E chdir ${WORK_DIR} ${venv_python}
    ${CMAKE_CURRENT_LIST_DIR}/pip_install_check.py ${EXPECTED_VERSION})
