# Build options. Backend plugins are on by default when their headers exist.
option(AHAL_BUILD_TESTS "Build the Catch2 tests" ON)
option(AHAL_BUILD_SAMPLES "Build the samples" ON)
option(AHAL_BUILD_BENCH "Build the benchmarks" ON)
option(AHAL_WERROR "Treat warnings as errors" OFF)
set(AHAL_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined")
option(AHAL_FUZZ "Build the libFuzzer targets (fuzz/, clang) and instrument everything for them" OFF)

# Every in-tree plugin: plugins/<name>, switched by AHAL_PLUGIN_<NAME>. The
# folders that build per plugin (plugins, kernels, samples, conformance,
# bench) loop over the lists derived from this one at the end of this file.
set(AHAL_PLUGINS cpu opencl vulkan cuda hip level_zero asic_sim)
# Plugins whose devices take no modules, so run none of the standard kernels.
set(AHAL_PLUGINS_WITHOUT_MODULES asic_sim)

option(AHAL_PLUGIN_CPU "CPU reference plugin" ON)
option(AHAL_PLUGIN_ASIC_SIM "Simulated inference-ASIC plugin" ON)

find_path(AHAL_OPENCL_INCLUDE_DIR CL/cl.h)
find_library(AHAL_OPENCL_LIBRARY OpenCL)
if(AHAL_OPENCL_INCLUDE_DIR AND AHAL_OPENCL_LIBRARY)
  set(_ahal_opencl_default ON)
else()
  set(_ahal_opencl_default OFF)
endif()
option(AHAL_PLUGIN_OPENCL "OpenCL plugin (ICD loader)" ${_ahal_opencl_default})

find_package(Vulkan QUIET)
find_program(AHAL_GLSLC glslc)
if(Vulkan_FOUND)
  set(_ahal_vulkan_default ON)
else()
  set(_ahal_vulkan_default OFF)
endif()
option(AHAL_PLUGIN_VULKAN "Vulkan compute plugin" ${_ahal_vulkan_default})

find_path(AHAL_CUDA_INCLUDE_DIR cuda.h PATHS /usr/local/cuda/include NO_DEFAULT_PATH)
find_program(AHAL_NVCC nvcc PATHS /usr/local/cuda/bin)
if(AHAL_CUDA_INCLUDE_DIR)
  set(_ahal_cuda_default ON)
else()
  set(_ahal_cuda_default OFF)
endif()
option(AHAL_PLUGIN_CUDA "CUDA plugin (driver API, opened at run time)" ${_ahal_cuda_default})

find_path(AHAL_HIP_INCLUDE_DIR hip/hip_runtime_api.h PATHS /opt/rocm/include)
if(AHAL_HIP_INCLUDE_DIR)
  set(_ahal_hip_default ON)
else()
  set(_ahal_hip_default OFF)
endif()
option(AHAL_PLUGIN_HIP "HIP plugin (AMD, Hygon DCU)" ${_ahal_hip_default})

find_path(AHAL_ZE_INCLUDE_DIR level_zero/ze_api.h)
if(AHAL_ZE_INCLUDE_DIR)
  set(_ahal_ze_default ON)
else()
  set(_ahal_ze_default OFF)
endif()
option(AHAL_PLUGIN_LEVEL_ZERO "Level Zero plugin (Intel GPUs)" ${_ahal_ze_default})

# AHAL_PLUGINS_ENABLED: the plugins this build makes; AHAL_KERNEL_PLUGINS_ENABLED:
# those of them that run the standard kernels.
set(AHAL_PLUGINS_ENABLED "")
set(AHAL_KERNEL_PLUGINS_ENABLED "")
foreach(plugin IN LISTS AHAL_PLUGINS)
  string(TOUPPER ${plugin} option)
  if(AHAL_PLUGIN_${option})
    list(APPEND AHAL_PLUGINS_ENABLED ${plugin})
    if(NOT plugin IN_LIST AHAL_PLUGINS_WITHOUT_MODULES)
      list(APPEND AHAL_KERNEL_PLUGINS_ENABLED ${plugin})
    endif()
  endif()
endforeach()
