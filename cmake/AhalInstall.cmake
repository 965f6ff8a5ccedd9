# CMake package (find_package(ahal): ahal::ahal, ahal::plugin_sdk) and ahal.pc.
include(CMakePackageConfigHelpers)
install(EXPORT ahalTargets NAMESPACE ahal:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ahal)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ahalConfig.cmake.in
  ${CMAKE_BINARY_DIR}/ahalConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ahal)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/ahalConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/ahalConfig.cmake ${CMAKE_BINARY_DIR}/ahalConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ahal)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/AhalKernelBundle.cmake DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ahal)
configure_file(${CMAKE_CURRENT_LIST_DIR}/ahal.pc.in ${CMAKE_BINARY_DIR}/ahal.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/ahal.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
