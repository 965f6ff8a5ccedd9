# Hand-written PTX images of the standard kernels (nvcc, from
# ahal_kernels.cu), one per architecture, every kernel in each (entry =
# name). Included by kernels/CMakeLists.txt while AHAL_PLUGIN_CUDA is ON;
# needs nvcc (AHAL_NVCC). Built by default only with AHAL_KERNELS_HANDWRITTEN
# (the CUDA plugin's tests ask for them by target).
#
# nvcc stamps its own PTX ISA (9.0 for CUDA 13), which only drivers of that
# CUDA version or newer compile. These kernels use nothing newer than the
# oldest ISA each target allows, so by default the .version line is lowered
# to that ISA and ptxas proves the result still assembles
# (AHAL_CUDA_PTX_ISA=nvcc keeps nvcc's). docs/gpu/README.md has the table.
set(AHAL_CUDA_ARCHS "75;80;90" CACHE STRING "compute_XY targets of the CUDA PTX images")
set(AHAL_CUDA_PTX_ISA "lowest" CACHE STRING
  "PTX ISA of the CUDA images: 'lowest' the target allows, or 'nvcc' as generated")
set_property(CACHE AHAL_CUDA_PTX_ISA PROPERTY STRINGS lowest nvcc)
if(NOT AHAL_CUDA_PTX_ISA MATCHES "^(lowest|nvcc)$")
  message(FATAL_ERROR "AHAL_CUDA_PTX_ISA is '${AHAL_CUDA_PTX_ISA}'; use lowest or nvcc")
endif()

if(NOT AHAL_NVCC)
  message(STATUS "kernels/cuda: nvcc not found (set AHAL_NVCC); the bundle gets no PTX images")
  return()
endif()
get_filename_component(_ahal_cuda_bin ${AHAL_NVCC} DIRECTORY)
find_program(AHAL_PTXAS ptxas HINTS ${_ahal_cuda_bin} NO_DEFAULT_PATH)
find_program(AHAL_PTXAS ptxas)

set(_ahal_cuda_out ${CMAKE_BINARY_DIR}/kernels/cuda)
set(_ahal_cuda_source ${CMAKE_CURRENT_LIST_DIR}/ahal_kernels.cu)
set(_ahal_cuda_script ${CMAKE_CURRENT_LIST_DIR}/build_ptx.cmake)
set(_ahal_cuda_files "")
foreach(_ahal_cuda_arch IN LISTS AHAL_CUDA_ARCHS)
  set(_ahal_cuda_ptx ${_ahal_cuda_out}/ahal_kernels.sm_${_ahal_cuda_arch}.ptx)
  add_custom_command(OUTPUT ${_ahal_cuda_ptx}
    COMMAND ${CMAKE_COMMAND} -DNVCC=${AHAL_NVCC} -DPTXAS=${AHAL_PTXAS}
      -DSOURCE=${_ahal_cuda_source} -DOUTPUT=${_ahal_cuda_ptx} -DARCH=${_ahal_cuda_arch}
      -DISA=${AHAL_CUDA_PTX_ISA} -DMANIFEST=${CMAKE_CURRENT_SOURCE_DIR}/kernels.manifest
      -P ${_ahal_cuda_script}
    DEPENDS ${_ahal_cuda_source} ${_ahal_cuda_script} ${CMAKE_CURRENT_SOURCE_DIR}/kernels.manifest
    COMMENT "CUDA PTX of the standard kernels for compute_${_ahal_cuda_arch}" VERBATIM)
  list(APPEND AHAL_KERNEL_IMAGES "ptx@sm_${_ahal_cuda_arch}:${_ahal_cuda_ptx}")
  list(APPEND _ahal_cuda_files ${_ahal_cuda_ptx})
endforeach()
# One target owns the commands, so the bundle and the tests wait on it
# instead of running them twice.
add_custom_target(ahal_kernels_cuda ${AHAL_HANDWRITTEN_ALL} DEPENDS ${_ahal_cuda_files})
list(APPEND AHAL_KERNEL_FILES ${_ahal_cuda_files})
list(APPEND AHAL_KERNEL_DEPENDS ahal_kernels_cuda)
