# ahal_add_plugin(<name> SOURCES ...): builds lib/libahal_plugin_<name>.so.
# The target is ahal_plugin_<name>; it sees the SDK headers and links no
# part of libahal. Installed into <libdir>/ahal unless TEST_ONLY.
function(ahal_add_plugin name)
  cmake_parse_arguments(ARG "TEST_ONLY" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  set(target ahal_plugin_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES PREFIX "lib" OUTPUT_NAME "ahal_plugin_${name}")
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  endif()
  target_link_libraries(${target} PRIVATE ahal_plugin_sdk)
  # A plugin must not leak symbols other than ahal_plugin_query.
  target_link_options(${target} PRIVATE ${AHAL_LINK_NO_UNDEFINED} -Wl,--exclude-libs,ALL)
  ahal_target_warnings(${target})
  if(NOT ARG_TEST_ONLY)
    install(TARGETS ${target} LIBRARY DESTINATION ${AHAL_INSTALL_PLUGINDIR})
  endif()
endfunction()
