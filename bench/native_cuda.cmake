# Native CUDA measurements for ahal-bench (included by bench/CMakeLists.txt
# when AHAL_PLUGIN_CUDA is on). They use the CUDA plugin's own driver loader
# and image ranking, so libcuda.so.1 is opened at run time, never linked.
target_sources(ahal-bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/native_cuda.cpp
  ${PROJECT_SOURCE_DIR}/plugins/cuda/src/cuda_driver.cpp
  ${PROJECT_SOURCE_DIR}/plugins/cuda/src/cuda_arch.cpp)
target_include_directories(ahal-bench PRIVATE ${PROJECT_SOURCE_DIR}/plugins/cuda/src)
target_include_directories(ahal-bench SYSTEM PRIVATE ${AHAL_CUDA_INCLUDE_DIR})
target_link_libraries(ahal-bench PRIVATE ahal_bundle_io ahal_plugin_sdk ${CMAKE_DL_LIBS})

# The whole benchmark against the test-only fake driver (plugins/cuda/tests):
# checks the native side runs and reports every figure; the figures of a
# fake GPU mean nothing.
if(AHAL_BUILD_TESTS AND AHAL_NVCC AND AHAL_CUDA_FAKE_DRIVER)
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_FOUND)
    add_test(NAME bench.cuda_fake_driver COMMAND ${Python3_EXECUTABLE}
      ${CMAKE_CURRENT_LIST_DIR}/check_bench_json.py $<TARGET_FILE:ahal-bench> cuda:0
      --expect-native)
    set_tests_properties(bench.cuda_fake_driver PROPERTIES TIMEOUT 300
      ENVIRONMENT "AHAL_CUDA_DRIVER_PATH=${AHAL_CUDA_FAKE_DRIVER}")
  endif()
endif()
