# The standard kernels as Vulkan compute shaders: one <kernel>.comp per
# kernel (entry point main), compiled with glslc, checked with spirv-val when
# it is installed, and packed as one spirv-vulkan image per kernel.
# Included from kernels/CMakeLists.txt while AHAL_PLUGIN_VULKAN is on.
if(NOT AHAL_GLSLC)
  message(WARNING "glslc not found: the bundle gets no spirv-vulkan images")
  return()
endif()
find_program(AHAL_SPIRV_VAL spirv-val)

set(_ahal_vk_dir ${CMAKE_CURRENT_LIST_DIR})
set(_ahal_vk_out ${CMAKE_CURRENT_BINARY_DIR}/vulkan)
file(MAKE_DIRECTORY ${_ahal_vk_out})
set(_ahal_vk_kernels empty vector_add saxpy stream_copy stream_scale stream_add stream_triad
    stream_dot write_index atomic_count reverse_shared reverse_dynamic fma_f32 fma_f64)
set(_ahal_vk_spv "")
foreach(kernel IN LISTS _ahal_vk_kernels)
  set(spv ${_ahal_vk_out}/${kernel}.spv)
  set(validate "")
  if(AHAL_SPIRV_VAL)
    set(validate COMMAND ${AHAL_SPIRV_VAL} --target-env vulkan1.1 ${spv})
  endif()
  add_custom_command(OUTPUT ${spv}
    COMMAND ${AHAL_GLSLC} --target-env=vulkan1.1 -O -I ${_ahal_vk_dir}
            ${_ahal_vk_dir}/${kernel}.comp -o ${spv}
    ${validate}
    DEPENDS ${_ahal_vk_dir}/${kernel}.comp ${_ahal_vk_dir}/ahal_kernel.glsl
    COMMENT "glslc ${kernel}.comp" VERBATIM)
  list(APPEND _ahal_vk_spv ${spv})
  list(APPEND AHAL_KERNEL_IMAGES "spirv-vulkan:${spv}:${kernel}=main")
endforeach()
# One target builds the shaders (the plugin's tests also load a .spv file
# directly), so that nothing else races to build them.
add_custom_target(ahal_vulkan_spirv ALL DEPENDS ${_ahal_vk_spv})
list(APPEND AHAL_KERNEL_FILES ${_ahal_vk_spv})
list(APPEND AHAL_KERNEL_DEPENDS ahal_vulkan_spirv)
