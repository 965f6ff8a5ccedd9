# Installing ahal: the tools, and the CMake package (find_package(ahal):
# ahal::ahal, ahal::plugin_sdk) and ahal.pc. The installed tree is
# relocatable: tools find libahal through $ORIGIN, ahal.pc through
# ${pcfiledir} and ahalConfig.cmake through its own folder.

set(AHAL_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR})

# Installs an executable into bin/ with a run path to ../lib relative to
# itself, so that it starts from the install tree wherever that was copied.
# Every installed program goes through here (cmake/install/check_install.sh
# starts each one).
function(ahal_install_tool target)
  file(RELATIVE_PATH _rel /${CMAKE_INSTALL_BINDIR} /${CMAKE_INSTALL_LIBDIR})
  set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN/${_rel}")
  install(TARGETS ${target} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()

# Called once at the end of the top-level CMakeLists.txt.
function(ahal_install_package)
  include(CMakePackageConfigHelpers)
  install(EXPORT ahalTargets NAMESPACE ahal:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ahal)
  configure_package_config_file(${AHAL_CMAKE_DIR}/ahalConfig.cmake.in
    ${CMAKE_BINARY_DIR}/ahalConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ahal)
  write_basic_package_version_file(${CMAKE_BINARY_DIR}/ahalConfigVersion.cmake
    COMPATIBILITY SameMajorVersion)
  install(FILES ${CMAKE_BINARY_DIR}/ahalConfig.cmake ${CMAKE_BINARY_DIR}/ahalConfigVersion.cmake
    ${AHAL_CMAKE_DIR}/AhalKernelBundle.cmake DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ahal)
  # The prefix as seen from <libdir>/pkgconfig ("../.." for lib), so that
  # `cmake --install build --prefix P` gives a .pc file that points into P.
  file(RELATIVE_PATH AHAL_PC_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
  string(REGEX REPLACE "/$" "" AHAL_PC_PREFIX "${AHAL_PC_PREFIX}")
  configure_file(${AHAL_CMAKE_DIR}/ahal.pc.in ${CMAKE_BINARY_DIR}/ahal.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/ahal.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

  if(AHAL_BUILD_TESTS AND NOT AHAL_SANITIZE)
    # Installs into a temporary prefix, builds the README's C example with
    # find_package(ahal) and with pkg-config, runs both, and starts every
    # installed program (--help, then one real run on cpu:0). Not in
    # sanitizer builds: a consumer built without the sanitizer cannot load
    # a sanitized libahal.
    add_test(NAME install.use_from_outside
      COMMAND bash ${AHAL_CMAKE_DIR}/install/check_install.sh ${CMAKE_BINARY_DIR}
              ${CMAKE_SOURCE_DIR}/README.md)
    set_tests_properties(install.use_from_outside PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
  endif()
endfunction()
