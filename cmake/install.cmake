# Installs the library, its headers and a package config, so that an installed tree works with
# find_package(maparray CONFIG REQUIRED) and target_link_libraries(app maparray::maparray), and,
# where it was built, find_package(maparray CONFIG REQUIRED COMPONENTS mpi) with maparray::mpi.
include(CMakePackageConfigHelpers)

set(MAPARRAY_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/maparray)

install(TARGETS maparray EXPORT maparrayTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(MAPARRAY_BUILD_MPI)
  install(DIRECTORY include/maparray DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(TARGETS maparray_mpi EXPORT maparrayMpiTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT maparrayMpiTargets NAMESPACE maparray:: DESTINATION ${MAPARRAY_CMAKE_DIR})
else()
  install(DIRECTORY include/maparray DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          PATTERN "mpi*.hpp" EXCLUDE)
endif()
install(EXPORT maparrayTargets NAMESPACE maparray:: DESTINATION ${MAPARRAY_CMAKE_DIR})

configure_package_config_file(cmake/maparrayConfig.cmake.in
  ${PROJECT_BINARY_DIR}/maparrayConfig.cmake INSTALL_DESTINATION ${MAPARRAY_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/maparrayConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/maparrayConfig.cmake
              ${PROJECT_BINARY_DIR}/maparrayConfigVersion.cmake
        DESTINATION ${MAPARRAY_CMAKE_DIR})

# maparray.pc for pkg-config users. Its prefix is found relative to the .pc file itself, so the
# installed tree may be moved or installed with `cmake --install --prefix` elsewhere.
file(RELATIVE_PATH MAPARRAY_PC_PREFIX_FROM_PCDIR "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig"
     "/prefix")
string(REGEX REPLACE "/$" "" MAPARRAY_PC_PREFIX_FROM_PCDIR "${MAPARRAY_PC_PREFIX_FROM_PCDIR}")
configure_file(cmake/maparray.pc.in ${PROJECT_BINARY_DIR}/maparray.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/maparray.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
