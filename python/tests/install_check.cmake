# Installs the Python component into a scratch prefix and imports the module from there alone;
# checks too that the directory is one where this Python looks for packages under that prefix
# (for Debian's python3 and the prefix /usr/local: /usr/local/lib/python3.X/dist-packages).
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
set(site ${prefix}/${INSTALL_DIR})

include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/run_checked.cmake)

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component python)
run(${CMAKE_COMMAND} -E env PYTHONPATH=${site} ${PYTHON} -c
    "import maparray, arrayfrombuffer, os; \
assert maparray.__file__.startswith('${site}'), maparray.__file__; \
assert arrayfrombuffer.arrayfrombuffer(bytearray(16), 'd').shape == (2,); \
import importlib.util; \
dask_face = importlib.util.find_spec('dask') and __import__('maparray.dask').dask; \
assert not dask_face or dask_face.__file__.startswith('${site}'), dask_face.__file__")
run(${PYTHON} -c
    "import site, os; \
dirs = [os.path.normpath(d) for d in site.getsitepackages(['${prefix}'])]; \
assert os.path.normpath('${site}') in dirs, dirs")
# Where the MPI component was built, maparray.mpi is installed beside the rest.
if(WITH_MPI)
  run(${PYTHON} -c
      "import glob, os; \
assert os.path.exists('${site}/maparray/mpi.py'); \
assert glob.glob('${site}/maparray/_maparray_mpi*.so')")
endif()
