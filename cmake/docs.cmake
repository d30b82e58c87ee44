# The API reference: `cmake --build <dir> --target docs` runs Doxygen over the public headers
# into <dir>/docs/html, failing on any warning (an undocumented public name, a broken comment).
# It is a test too, so that the header comments stay complete.
find_package(Doxygen QUIET)
if(NOT DOXYGEN_FOUND)
  message(STATUS "Doxygen not found: no docs target")
  return()
endif()
set(MAPARRAY_DOCS_OUTPUT ${PROJECT_BINARY_DIR}/docs)
configure_file(docs/Doxyfile.in ${PROJECT_BINARY_DIR}/Doxyfile @ONLY)
add_custom_target(docs COMMAND Doxygen::doxygen ${PROJECT_BINARY_DIR}/Doxyfile
                  WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
                  COMMENT "Writing the API reference to ${MAPARRAY_DOCS_OUTPUT}/html" VERBATIM)
if(MAPARRAY_BUILD_TESTS)
  add_test(NAME docs.api_reference COMMAND Doxygen::doxygen ${PROJECT_BINARY_DIR}/Doxyfile
           WORKING_DIRECTORY ${PROJECT_BINARY_DIR})
  set_tests_properties(docs.api_reference PROPERTIES LABELS docs)
endif()
