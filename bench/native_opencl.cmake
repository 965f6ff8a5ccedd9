# Native OpenCL measurements for ahal-bench (included by bench/CMakeLists.txt
# when AHAL_PLUGIN_OPENCL is on). Only the OpenCL headers are needed:
# libOpenCL.so.1 is opened with dlopen at run time, never linked.
target_sources(ahal-bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/native_opencl.cpp)
target_include_directories(ahal-bench PRIVATE ${AHAL_OPENCL_INCLUDE_DIR})
target_link_libraries(ahal-bench PRIVATE ahal_bundle_io ${CMAKE_DL_LIBS})

# Runs ahal-bench --quick on opencl:0 and checks that its JSON is complete and
# that the native OpenCL side ran (skipped where there is no OpenCL device).
if(AHAL_BUILD_TESTS)
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_FOUND)
    add_test(NAME bench.opencl_json COMMAND ${Python3_EXECUTABLE}
      ${CMAKE_CURRENT_LIST_DIR}/check_bench_json.py $<TARGET_FILE:ahal-bench> opencl:0)
    set_tests_properties(bench.opencl_json PROPERTIES TIMEOUT 300
      PASS_REGULAR_EXPRESSION "\"native\": \"opencl\""
      FAIL_REGULAR_EXPRESSION "bad ahal-bench JSON|ahal-bench failed"
      SKIP_REGULAR_EXPRESSION "ahal_device_find: AHAL_ERROR_NOT_FOUND")
  endif()
endif()
