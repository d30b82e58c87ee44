# Compiles SOURCE with CXX_COMPILER and succeeds only if compilation fails with a diagnostic
# containing EXPECTED: proves that a header refuses, clearly, where it cannot work.
execute_process(COMMAND ${CXX_COMPILER} -std=c++20 -fsyntax-only -I${INCLUDE_DIR} ${SOURCE}
                RESULT_VARIABLE result ERROR_VARIABLE diagnostics OUTPUT_VARIABLE diagnostics)
if(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but was expected to fail with: ${EXPECTED}")
endif()
string(FIND "${diagnostics}" "${EXPECTED}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${SOURCE} failed without saying '${EXPECTED}':\n${diagnostics}")
endif()
message(STATUS "refused as expected: ${EXPECTED}")
