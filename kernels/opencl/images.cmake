# OpenCL C images of the standard kernels (included by kernels/CMakeLists.txt).
# Two images, each listing its kernels, so a device without fp64 still loads
# standard.cl: the loader builds a listed image only when one of its kernels
# is asked for.
set(_ahal_cl_kernels empty vector_add saxpy write_index atomic_count reverse_shared
  reverse_dynamic fma_f32)
set(_ahal_cl_fp64_kernels stream_copy stream_scale stream_add stream_triad stream_dot fma_f64)
foreach(_ahal_cl_image standard standard_fp64)
  set(_ahal_cl_entries "")
  set(_ahal_cl_list _ahal_cl_kernels)
  if(_ahal_cl_image STREQUAL "standard_fp64")
    set(_ahal_cl_list _ahal_cl_fp64_kernels)
  endif()
  foreach(_ahal_cl_kernel IN LISTS ${_ahal_cl_list})
    list(APPEND _ahal_cl_entries "${_ahal_cl_kernel}=${_ahal_cl_kernel}")
  endforeach()
  list(JOIN _ahal_cl_entries "," _ahal_cl_entries)
  set(_ahal_cl_file ${CMAKE_CURRENT_LIST_DIR}/${_ahal_cl_image}.cl)
  list(APPEND AHAL_KERNEL_IMAGES "opencl-c:${_ahal_cl_file}:${_ahal_cl_entries}")
  list(APPEND AHAL_KERNEL_FILES ${_ahal_cl_file})
endforeach()
