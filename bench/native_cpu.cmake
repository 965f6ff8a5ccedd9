# Native CPU reference for ahal-bench (included by bench/CMakeLists.txt when
# AHAL_PLUGIN_CPU is on): plain OpenMP loops in a shared object that
# ahal-bench opens at run time, so ahal-bench does not link libgomp.
find_package(OpenMP COMPONENTS CXX)
if(NOT OpenMP_CXX_FOUND)
  message(STATUS "ahal-bench: no OpenMP compiler support, so no native CPU reference")
  return()
endif()
add_library(ahal_bench_native_cpu MODULE ${CMAKE_CURRENT_LIST_DIR}/native_cpu_openmp.cpp)
target_link_libraries(ahal_bench_native_cpu PRIVATE OpenMP::OpenMP_CXX)
# Same optimisation as the cpu-so kernels it is compared with.
target_compile_options(ahal_bench_native_cpu PRIVATE -O3)
set_target_properties(ahal_bench_native_cpu PROPERTIES PREFIX "lib"
  OUTPUT_NAME ahal_bench_native_cpu)
ahal_target_warnings(ahal_bench_native_cpu)
install(TARGETS ahal_bench_native_cpu LIBRARY DESTINATION ${AHAL_INSTALL_PLUGINDIR})

target_sources(ahal-bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/native_cpu.cpp)
target_compile_definitions(ahal-bench PRIVATE
  AHAL_BENCH_NATIVE_CPU_FILE="$<TARGET_FILE_NAME:ahal_bench_native_cpu>"
  AHAL_BENCH_NATIVE_CPU_INSTALL_DIR="${CMAKE_INSTALL_FULL_LIBDIR}/ahal"
  AHAL_BENCH_NATIVE_CPU_RELATIVE_DIR="${AHAL_INSTALL_PLUGINDIR}")
target_link_libraries(ahal-bench PRIVATE ${CMAKE_DL_LIBS})
add_dependencies(ahal-bench ahal_bench_native_cpu)
