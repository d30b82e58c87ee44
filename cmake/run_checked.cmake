# For the test scripts run with `cmake -P`: run(COMMAND...) runs a command and stops the script
# with the command line if it fails.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGN}")
  endif()
endfunction()
