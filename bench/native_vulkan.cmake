# Native Vulkan measurements for ahal-bench (included by bench/CMakeLists.txt
# when AHAL_PLUGIN_VULKAN is on). Only the Vulkan headers are needed:
# libvulkan.so.1 is opened with dlopen at run time, never linked. The entry
# point tables come from the plugin's header-only vk_functions.hpp.
find_package(Vulkan REQUIRED)
target_sources(ahal-bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/native_vulkan.cpp)
target_include_directories(ahal-bench PRIVATE ${CMAKE_SOURCE_DIR}/plugins/vulkan/src)
target_link_libraries(ahal-bench PRIVATE Vulkan::Headers ahal_bundle_io ahal_plugin_sdk ${CMAKE_DL_LIBS})

if(AHAL_BUILD_TESTS)
  # The whole benchmark, quickly, on vulkan:0: checks its JSON has every
  # metric for both sides; no timing thresholds. Skipped without a device.
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_FOUND)
    add_test(NAME bench.vulkan_json COMMAND ${Python3_EXECUTABLE}
      ${CMAKE_CURRENT_LIST_DIR}/native_vulkan.py ${CMAKE_CURRENT_LIST_DIR}/check_bench_json.py
      $<TARGET_FILE:ahal-bench>)
    set_tests_properties(bench.vulkan_json PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
    if(TARGET ahal_plugin_vulkan)
      add_dependencies(ahal-bench ahal_plugin_vulkan)
    endif()
  endif()
endif()
