# How the MPI tests and examples are launched: maparray_add_mpi_test(NAME RANKS COMMAND...
# [LABELS...] [ENVIRONMENT...] [TIMEOUT]) runs COMMAND under mpiexec with RANKS processes,
# labelled `mpi` and LABELS.
#
# Open MPI 4 needs a few settings for one-sided communication over file mappings on one machine
# (and in containers): its pt2pt one-sided component (the default one fails to create windows
# over memory that it cannot register), no single-copy shared-memory transfers (they need
# ptrace permission that containers usually deny), permission to run more processes than
# cores, and, in a container running as root, permission to run as root. They are passed as
# environment variables, which other MPI implementations ignore.
if(NOT DEFINED MAPARRAY_MPIEXEC_ENVIRONMENT)
  set(maparray_mpi_environment "")
  execute_process(COMMAND ${MPIEXEC_EXECUTABLE} --version OUTPUT_VARIABLE maparray_mpiexec_version
                  ERROR_QUIET)
  if(maparray_mpiexec_version MATCHES "Open MPI|OpenRTE")
    set(maparray_mpi_environment
        OMPI_MCA_osc=pt2pt OMPI_MCA_btl_vader_single_copy_mechanism=none
        OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_ALLOW_RUN_AS_ROOT=1
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1)
  endif()
  set(MAPARRAY_MPIEXEC_ENVIRONMENT "${maparray_mpi_environment}" CACHE STRING
      "Environment (VAR=value list) of the MPI tests' mpiexec")
endif()

function(maparray_add_mpi_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;RANKS;TIMEOUT" "COMMAND;ENVIRONMENT;LABELS")
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 180)
  endif()
  add_test(NAME ${arg_NAME}
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${arg_RANKS} ${MPIEXEC_PREFLAGS}
                   ${arg_COMMAND} ${MPIEXEC_POSTFLAGS})
  # A hang (a rank left waiting) fails the test at the timeout instead of blocking the suite.
  set_tests_properties(${arg_NAME} PROPERTIES LABELS "mpi;${arg_LABELS}" TIMEOUT ${arg_TIMEOUT}
                       ENVIRONMENT "${MAPARRAY_MPIEXEC_ENVIRONMENT};${arg_ENVIRONMENT}")
endfunction()
