# HIP images of the standard kernels: one hsaco code object per gfx target,
# compiled by hipcc (Debian's hipcc uses clang 15 and ROCm 5.2's device
# libraries, which know targets up to gfx1036 and gfx940; gfx11xx needs a
# newer ROCm). Included from kernels/CMakeLists.txt: no return() here.
find_program(AHAL_HIPCC hipcc PATHS /opt/rocm/bin)
set(AHAL_HIP_ARCHS "gfx900;gfx906;gfx908;gfx90a;gfx1030" CACHE STRING
  "gfx targets the HIP standard kernels are compiled for (one hsaco image each)")
set(AHAL_HIP_FLAGS "-O3" CACHE STRING "Extra hipcc flags for the HIP standard kernels")

if(NOT AHAL_HIPCC)
  message(STATUS "hipcc not found: the kernel bundle gets no HIP (hsaco) images")
else()
  set(_ahal_hip_source ${CMAKE_CURRENT_LIST_DIR}/standard.hip)
  set(_ahal_hip_dir ${CMAKE_CURRENT_BINARY_DIR}/hip)
  file(MAKE_DIRECTORY ${_ahal_hip_dir})
  separate_arguments(_ahal_hip_flags UNIX_COMMAND "${AHAL_HIP_FLAGS}")
  set(_ahal_hip_outputs "")
  foreach(_ahal_arch IN LISTS AHAL_HIP_ARCHS)
    set(_ahal_out ${_ahal_hip_dir}/standard_${_ahal_arch}.hsaco)
    # --no-gpu-bundle-output: a plain code object, not an offload bundle.
    add_custom_command(OUTPUT ${_ahal_out}
      COMMAND ${AHAL_HIPCC} --genco --offload-arch=${_ahal_arch} --no-gpu-bundle-output
              ${_ahal_hip_flags} ${_ahal_hip_source} -o ${_ahal_out}
      DEPENDS ${_ahal_hip_source}
      COMMENT "hipcc: standard kernels for ${_ahal_arch}" VERBATIM)
    list(APPEND _ahal_hip_outputs ${_ahal_out})
    list(APPEND AHAL_KERNEL_IMAGES "hsaco@${_ahal_arch}:${_ahal_out}")
    list(APPEND AHAL_KERNEL_FILES ${_ahal_out})
  endforeach()
  add_custom_target(ahal_kernels_hip DEPENDS ${_ahal_hip_outputs})
  list(APPEND AHAL_KERNEL_DEPENDS ahal_kernels_hip)
endif()
