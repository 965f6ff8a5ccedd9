# SPIR-V (OpenCL execution model) images of the standard kernels, compiled
# from the OpenCL C sources in kernels/opencl/ with clang-14 and
# llvm-spirv-14, and checked with spirv-val (an invalid module fails the
# build). Level Zero loads them (spirv-opencl), and so does any OpenCL
# device that takes IL. Two images: standard.cl, and standard_fp64.cl apart
# so devices without fp64 still get the rest. SPIR-V 1.0, which every
# OpenCL 2.1+/3.0 driver and Level Zero take.
# Included from kernels/CMakeLists.txt: no return() here.
find_program(AHAL_CLANG_SPIRV clang-14)
find_program(AHAL_LLVM_SPIRV llvm-spirv-14)
find_program(AHAL_SPIRV_VAL spirv-val)

set(_ahal_ze_sources standard standard_fp64)
set(_ahal_ze_source_dir ${CMAKE_CURRENT_LIST_DIR}/../opencl)
set(_ahal_ze_missing "")
foreach(_ahal_tool AHAL_CLANG_SPIRV AHAL_LLVM_SPIRV AHAL_SPIRV_VAL)
  if(NOT ${_ahal_tool})
    list(APPEND _ahal_ze_missing ${_ahal_tool})
  endif()
endforeach()
foreach(_ahal_name IN LISTS _ahal_ze_sources)
  if(NOT EXISTS ${_ahal_ze_source_dir}/${_ahal_name}.cl)
    list(APPEND _ahal_ze_missing kernels/opencl/${_ahal_name}.cl)
  endif()
endforeach()

if(_ahal_ze_missing)
  message(STATUS "No spirv-opencl images in the kernel bundle (missing: ${_ahal_ze_missing})")
else()
  set(_ahal_ze_dir ${CMAKE_CURRENT_BINARY_DIR}/level_zero)
  file(MAKE_DIRECTORY ${_ahal_ze_dir})
  set(_ahal_ze_outputs "")
  foreach(_ahal_name IN LISTS _ahal_ze_sources)
    set(_ahal_cl ${_ahal_ze_source_dir}/${_ahal_name}.cl)
    set(_ahal_bc ${_ahal_ze_dir}/${_ahal_name}.bc)
    set(_ahal_spv ${_ahal_ze_dir}/${_ahal_name}.spv)
    set(_ahal_unchecked ${_ahal_ze_dir}/${_ahal_name}.unchecked.spv)
    # The image appears only once spirv-val accepted it.
    add_custom_command(OUTPUT ${_ahal_spv}
      COMMAND ${AHAL_CLANG_SPIRV} -cl-std=CL1.2 -target spir64 -emit-llvm -c -O2
              -Xclang -finclude-default-header ${_ahal_cl} -o ${_ahal_bc}
      COMMAND ${AHAL_LLVM_SPIRV} --spirv-max-version=1.0 ${_ahal_bc} -o ${_ahal_unchecked}
      COMMAND ${AHAL_SPIRV_VAL} --target-env opencl1.2 ${_ahal_unchecked}
      COMMAND ${CMAKE_COMMAND} -E rename ${_ahal_unchecked} ${_ahal_spv}
      DEPENDS ${_ahal_cl}
      BYPRODUCTS ${_ahal_bc}
      COMMENT "SPIR-V for OpenCL: ${_ahal_name}.cl" VERBATIM)
    # The image lists its kernels (those the source defines), as the
    # opencl-c images do, so the fp64 kernels come from their own image.
    file(STRINGS ${_ahal_cl} _ahal_kernel_lines REGEX "^__kernel void [A-Za-z0-9_]+\\(")
    set(_ahal_entries "")
    foreach(_ahal_line IN LISTS _ahal_kernel_lines)
      string(REGEX REPLACE "^__kernel void ([A-Za-z0-9_]+)\\(.*" "\\1" _ahal_kernel "${_ahal_line}")
      list(APPEND _ahal_entries "${_ahal_kernel}=${_ahal_kernel}")
    endforeach()
    string(REPLACE ";" "," _ahal_entries "${_ahal_entries}")
    list(APPEND AHAL_KERNEL_IMAGES "spirv-opencl:${_ahal_spv}:${_ahal_entries}")
    list(APPEND AHAL_KERNEL_FILES ${_ahal_spv})
    list(APPEND _ahal_ze_outputs ${_ahal_spv})
  endforeach()
  # Re-read the kernel lists when a source changes.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    ${_ahal_ze_source_dir}/standard.cl ${_ahal_ze_source_dir}/standard_fp64.cl)
  add_custom_target(ahal_kernels_level_zero DEPENDS ${_ahal_ze_outputs})
  list(APPEND AHAL_KERNEL_DEPENDS ahal_kernels_level_zero)
endif()
