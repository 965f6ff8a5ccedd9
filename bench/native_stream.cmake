# Plainly written native STREAM programs (bench/native_stream_*.cpp), the
# yardstick bench/stream_compare.py holds ahal-stream to: OpenCL and Vulkan
# where their plugins are built; on the CPU the native side is OpenMP.
# Bench tools: built with the benchmarks, never installed.
if(AHAL_PLUGIN_OPENCL)
  add_executable(native-stream-opencl ${CMAKE_CURRENT_LIST_DIR}/native_stream_opencl.cpp)
  target_include_directories(native-stream-opencl SYSTEM PRIVATE ${AHAL_OPENCL_INCLUDE_DIR})
  target_link_libraries(native-stream-opencl PRIVATE ${AHAL_OPENCL_LIBRARY})
  ahal_target_warnings(native-stream-opencl)
endif()
if(AHAL_PLUGIN_VULKAN AND AHAL_GLSLC)
  find_package(Vulkan REQUIRED)
  set(_triad_inc ${CMAKE_CURRENT_BINARY_DIR}/generated/native_stream_triad.inc)
  add_custom_command(OUTPUT ${_triad_inc}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/generated
    COMMAND ${AHAL_GLSLC} --target-env=vulkan1.1 -O -mfmt=num
      ${CMAKE_CURRENT_LIST_DIR}/native_stream_triad.comp -o ${_triad_inc}
    DEPENDS ${CMAKE_CURRENT_LIST_DIR}/native_stream_triad.comp
    COMMENT "glslc native_stream_triad.comp" VERBATIM)
  add_executable(native-stream-vulkan ${CMAKE_CURRENT_LIST_DIR}/native_stream_vulkan.cpp
    ${_triad_inc})
  target_include_directories(native-stream-vulkan PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
  target_link_libraries(native-stream-vulkan PRIVATE Vulkan::Vulkan)
  ahal_target_warnings(native-stream-vulkan)
endif()
if(AHAL_PLUGIN_CPU)
  find_package(OpenMP COMPONENTS CXX)
  if(OpenMP_CXX_FOUND)
    add_executable(native-stream-openmp ${CMAKE_CURRENT_LIST_DIR}/native_stream_openmp.cpp)
    target_link_libraries(native-stream-openmp PRIVATE OpenMP::OpenMP_CXX)
    target_compile_options(native-stream-openmp PRIVATE -O3)
    ahal_target_warnings(native-stream-openmp)
  endif()
endif()

# make stream_compare: the table of docs/performance.md, on this machine.
set(_stream_compare_deps ahal-stream ahal_kernels)
foreach(t ahal_kernels_handwritten native-stream-opencl native-stream-vulkan native-stream-openmp ahal_plugin_cpu
          ahal_plugin_opencl ahal_plugin_vulkan)
  if(TARGET ${t})
    list(APPEND _stream_compare_deps ${t})
  endif()
endforeach()
set(_stream_compare_handwritten "")
if(NOT AHAL_KERNELS_HANDWRITTEN)
  set(_stream_compare_handwritten --handwritten ${AHAL_BUNDLE_DIR}/handwritten/ahal_kernels.ahalb)
endif()
add_custom_target(stream_compare
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/stream_compare.py --bin ${CMAKE_BINARY_DIR}/bin
    ${_stream_compare_handwritten}
  DEPENDS ${_stream_compare_deps}
  COMMENT "ahal-stream Triad against native STREAM (bench/stream_compare.py)" USES_TERMINAL VERBATIM)
