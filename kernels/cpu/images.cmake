# The hand-written standard kernels as one cpu-so image for this machine's
# architecture (included by kernels/CMakeLists.txt while AHAL_PLUGIN_CPU is
# ON; built by default only with AHAL_KERNELS_HANDWRITTEN).
# Portable baseline code for the target (no -march=native): the bundle runs
# on any CPU of that architecture.
add_library(ahal_kernels_cpu MODULE ${AHAL_HANDWRITTEN_EXCLUDE}
  ${CMAKE_CURRENT_LIST_DIR}/standard_kernels.cpp)
target_include_directories(ahal_kernels_cpu PRIVATE ${PROJECT_SOURCE_DIR}/sdk/include)
# -O3 after the build type's flags wins; no debug info keeps the bundle small.
# Unrolled loops keep more loads in flight: stream_triad ran ~25% faster per
# core with -funroll-loops than without on the AMD EPYC it was tuned on.
target_compile_options(ahal_kernels_cpu PRIVATE -O3 -funroll-loops -g0)
target_link_options(ahal_kernels_cpu PRIVATE ${AHAL_LINK_NO_UNDEFINED})
ahal_target_warnings(ahal_kernels_cpu)
set(_ahal_cpu_kernels_dir ${CMAKE_BINARY_DIR}/kernels/cpu)
set_target_properties(ahal_kernels_cpu PROPERTIES
  PREFIX ""
  OUTPUT_NAME standard_kernels
  LIBRARY_OUTPUT_DIRECTORY ${_ahal_cpu_kernels_dir})
set(_ahal_cpu_kernels_file ${_ahal_cpu_kernels_dir}/standard_kernels${CMAKE_SHARED_MODULE_SUFFIX})

# The target matches the CPU plugin's device arch (uname machine).
list(APPEND AHAL_KERNEL_IMAGES "cpu-so@${CMAKE_SYSTEM_PROCESSOR}:${_ahal_cpu_kernels_file}")
list(APPEND AHAL_KERNEL_FILES ${_ahal_cpu_kernels_file})
list(APPEND AHAL_KERNEL_DEPENDS ahal_kernels_cpu)
