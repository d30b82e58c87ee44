# Finds what the Python module needs (an interpreter with its headers and numpy, and pybind11)
# and sets MAPARRAY_BUILD_PYTHON's default from it. Debian's /usr/bin/python3 is preferred over
# whatever python3 comes first on PATH, which may lack numpy.
#
# As a subproject, maparray leaves Python alone: the module is off by default, and nothing is
# looked for (nor Python3_EXECUTABLE set in the parent's cache) unless the parent turns
# MAPARRAY_BUILD_PYTHON on.
set(maparray_python_default OFF)
if(MAPARRAY_TOP_LEVEL OR MAPARRAY_BUILD_PYTHON)
  if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "The Python the module is built for")
  endif()
  find_package(Python3 COMPONENTS Interpreter Development.Module NumPy QUIET)
  if(Python3_FOUND AND Python3_NumPy_FOUND)
    find_package(pybind11 CONFIG QUIET)
  endif()
  if(MAPARRAY_TOP_LEVEL AND Python3_FOUND AND Python3_NumPy_FOUND AND pybind11_FOUND)
    set(maparray_python_default ON)
  endif()
endif()
option(MAPARRAY_BUILD_PYTHON "Build the Python module (needs pybind11 and numpy)"
       ${maparray_python_default})
