# CMake helpers for the plugins' tests: libraries named like a vendor's
# (broken ones, test doubles), test programs that see the C++ helpers beside
# this file, and runs of them with the environment pointing the plugin at
# one library or another.

# Imported targets and variables are per folder: set them in each one that
# includes this; the functions below are defined once.
find_package(Catch2 REQUIRED)
set(AHAL_PLUGIN_TEST_SUPPORT_DIR ${CMAKE_CURRENT_LIST_DIR})
include_guard(GLOBAL)

# ahal_vendor_library_double(<target> FILE <folder>/lib<name>.so.<n> SOURCES <source>...)
# A shared library at FILE, named as the vendor's is (no soname, every
# symbol visible), for a test to point the plugin at.
function(ahal_vendor_library_double target)
  cmake_parse_arguments(ARG "" "FILE" "SOURCES" ${ARGN})
  get_filename_component(folder ${ARG_FILE} DIRECTORY)
  get_filename_component(file_name ${ARG_FILE} NAME)
  if(NOT file_name MATCHES "^lib(.+)(\\.so.*)$")
    message(FATAL_ERROR "ahal_vendor_library_double: ${ARG_FILE} is not lib<name>.so<...>")
  endif()
  add_library(${target} SHARED ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${CMAKE_MATCH_1} PREFIX lib SUFFIX ${CMAKE_MATCH_2} NO_SONAME ON
    C_VISIBILITY_PRESET default CXX_VISIBILITY_PRESET default
    LIBRARY_OUTPUT_DIRECTORY ${folder})
  target_include_directories(${target} PRIVATE ${AHAL_PLUGIN_TEST_SUPPORT_DIR})
endfunction()

# ahal_plugin_test(<target> TEST <test name> SOURCES <source>... [ARGS <arg>...]
#                  [LIBRARIES <lib>...] [DEFINITIONS <def>...] [DEPENDS <target>...])
# A Catch2 test program with the plugin ABI headers and the helpers beside
# this file, registered as TEST (run with ARGS, a Catch2 filter say).
function(ahal_plugin_test target)
  cmake_parse_arguments(ARG "" "TEST" "SOURCES;ARGS;LIBRARIES;DEFINITIONS;DEPENDS" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_include_directories(${target} PRIVATE ${AHAL_PLUGIN_TEST_SUPPORT_DIR})
  target_link_libraries(${target} PRIVATE ahal_plugin_sdk Catch2::Catch2 ${ARG_LIBRARIES})
  target_compile_definitions(${target} PRIVATE ${ARG_DEFINITIONS})
  if(ARG_DEPENDS)
    add_dependencies(${target} ${ARG_DEPENDS})
  endif()
  ahal_target_warnings(${target})
  add_test(NAME ${ARG_TEST} COMMAND ${target} ${ARG_ARGS})
endfunction()

# ahal_plugin_device_test(<target> TEST <test name> PLUGIN <plugin>)
# The plugin's test_device.cpp through libahal on its first device, with the
# standard kernels bundle; exit code 77 (skipped) where there is no device.
function(ahal_plugin_device_test target)
  cmake_parse_arguments(ARG "" "TEST;PLUGIN" "" ${ARGN})
  ahal_plugin_test(${target} TEST ${ARG_TEST}
    SOURCES test_device.cpp
    LIBRARIES ahal::ahal Threads::Threads
    DEFINITIONS
      AHAL_TEST_PLUGIN_DIR="$<TARGET_FILE_DIR:ahal_plugin_${ARG_PLUGIN}>"
      AHAL_TEST_BUNDLE_FILE="${AHAL_BUNDLE_DIR}/ahal_kernels.ahalb"
    DEPENDS ahal_plugin_${ARG_PLUGIN})
  set_tests_properties(${ARG_TEST} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
endfunction()

# ahal_plugin_native_handle_test(<target> TEST <test name> PLUGIN <plugin>
#     INCLUDE <vendor include dir> [DEFINITIONS <def>...] [DEPENDS <target>...])
# The plugin's test_native_handle.cpp (docs/interop.md) through libahal,
# seeing the vendor's headers (DEFINITIONS name the test double to load).
function(ahal_plugin_native_handle_test target)
  cmake_parse_arguments(ARG "" "TEST;PLUGIN;INCLUDE" "DEFINITIONS;DEPENDS" ${ARGN})
  ahal_plugin_test(${target} TEST ${ARG_TEST}
    SOURCES test_native_handle.cpp
    LIBRARIES ahal::ahal ${CMAKE_DL_LIBS}
    DEFINITIONS
      AHAL_TEST_PLUGIN_DIR="$<TARGET_FILE_DIR:ahal_plugin_${ARG_PLUGIN}>" ${ARG_DEFINITIONS}
    DEPENDS ahal_plugin_${ARG_PLUGIN} ${ARG_DEPENDS})
  target_include_directories(${target} SYSTEM PRIVATE ${ARG_INCLUDE})
endfunction()

# ahal_plugin_bundle_test(<target> TEST <test name> SOURCES <source>...)
# A test of the plugin's images in the standard kernels bundle, read with
# ahal_bundle_io (where that library is part of the build); exit code 77
# (skipped) where the bundle holds none.
function(ahal_plugin_bundle_test target)
  cmake_parse_arguments(ARG "" "TEST" "SOURCES" ${ARGN})
  if(TARGET ahal_bundle_io)
    ahal_plugin_test(${target} TEST ${ARG_TEST}
      SOURCES ${ARG_SOURCES}
      LIBRARIES ahal_bundle_io
      DEFINITIONS AHAL_TEST_BUNDLE_FILE="${AHAL_BUNDLE_DIR}/ahal_kernels.ahalb")
    set_tests_properties(${ARG_TEST} PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endfunction()

# ahal_plugin_test_run(<test name> COMMAND <program> [<arg>...]
#                      ENVIRONMENT <VAR=value>... [TIMEOUT <seconds>])
# One more run of a test program, with its environment set.
function(ahal_plugin_test_run name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "COMMAND;ENVIRONMENT" ${ARGN})
  add_test(NAME ${name} COMMAND ${ARG_COMMAND})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${ARG_ENVIRONMENT}")
  if(ARG_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  endif()
endfunction()

# ahal_plugin_conformance_run(<test name> DEVICE <selector> ENVIRONMENT <VAR=value>...)
# The whole conformance suite (ahal-conform, conformance/) on one device,
# where the suite is part of the build.
function(ahal_plugin_conformance_run name)
  cmake_parse_arguments(ARG "" "DEVICE" "ENVIRONMENT" ${ARGN})
  if(EXISTS ${PROJECT_SOURCE_DIR}/conformance/CMakeLists.txt)
    ahal_plugin_test_run(${name} COMMAND ahal-conform --device ${ARG_DEVICE} --profile full --quick
      ENVIRONMENT ${ARG_ENVIRONMENT} TIMEOUT 300)
  endif()
endfunction()
