# ahal_add_kernel_bundle(): OpenCL C sources to one ahal bundle (.ahalb) with
# ahal-kernelc (docs/kernels.md). Installed with ahal's CMake package, so
# an application does
#
#   find_package(ahal REQUIRED)
#   ahal_add_kernel_bundle(my_kernels SOURCES a.cl b.cl)
#   add_dependencies(my_app my_kernels)   # the file: $<TARGET_PROPERTY:my_kernels,AHAL_BUNDLE_FILE>
#
# ahal_add_kernel_bundle(<name> SOURCES <file.cl>...
#   [FORMATS <format>...]          opencl-c spirv-opencl ptx hsaco cpu-so (default: all)
#   [OUTPUT <file>]                default ${CMAKE_CURRENT_BINARY_DIR}/<name>.ahalb
#   [INCLUDE_DIRECTORIES <dir>...] [DEFINITIONS <NAME[=VALUE]>...]
#   [PTX_ARCHS <sm_XX>...] [HSACO_ARCHS <gfxXXX>...] [CPU_VARIANTS <x86-64-vN>...]
#   [IMAGES <FORMAT[@TARGET]:FILE[:KERNEL=ENTRY,...]>...]   prebuilt images to add
#   [IMAGE_DIR <dir>]              also write each image there (<stem>[.<target>].<ext>)
#   [DEPENDS <file or target>...]  [EXCLUDE_FROM_ALL])
#
# Makes target <name>, whose properties AHAL_BUNDLE_FILE and AHAL_BUNDLE_FORMATS
# hold the bundle's path and the formats it holds. A format whose toolchain
# is missing is left out, and the first call that wants it prints one
# configure line saying why; ahal_kernel_format_status(<format> <var>) gives
# that reason ("" when the format can be built), e.g. for a test to skip.
include_guard(GLOBAL)

set(AHAL_KERNEL_FORMATS opencl-c spirv-opencl ptx hsaco cpu-so)

# Finds the toolchain once per configure; remembers why each format cannot
# be built in global properties.
function(_ahal_kernel_toolchain)
  get_property(done GLOBAL PROPERTY _AHAL_KERNEL_TOOLCHAIN_DONE)
  if(done)
    return()
  endif()
  set_property(GLOBAL PROPERTY _AHAL_KERNEL_TOOLCHAIN_DONE TRUE)
  find_program(AHAL_KC_CLANG clang-14)
  find_program(AHAL_KC_LLVM_LINK llvm-link-14)
  find_program(AHAL_KC_OPT opt-14)
  find_program(AHAL_KC_LLC llc-14)
  find_program(AHAL_KC_LD_LLD ld.lld-14)
  find_program(AHAL_KC_LLVM_READELF llvm-readelf-14)
  find_program(AHAL_KC_LLVM_NM llvm-nm-14)
  find_program(AHAL_KC_LLVM_SPIRV llvm-spirv-14)
  find_program(AHAL_KC_SPIRV_VAL spirv-val)
  find_program(AHAL_KC_PTXAS ptxas PATHS /usr/local/cuda/bin)
  set(AHAL_KC_LIBCLC_DIR /usr/lib/clc CACHE PATH "libclc's bitcode folder (Debian: libclc-14)")
  set(tools "")
  foreach(pair clang:CLANG llvm-link:LLVM_LINK opt:OPT llc:LLC ld.lld:LD_LLD
          llvm-readelf:LLVM_READELF llvm-nm:LLVM_NM llvm-spirv:LLVM_SPIRV spirv-val:SPIRV_VAL
          ptxas:PTXAS)
    string(REPLACE ":" ";" pair "${pair}")
    list(GET pair 0 role)
    list(GET pair 1 var)
    if(AHAL_KC_${var})
      list(APPEND tools --tool "${role}=${AHAL_KC_${var}}")
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY _AHAL_KERNEL_TOOL_ARGS "${tools}")

  # What each format needs: (cache variable, Debian package) pairs.
  set(need_opencl-c CLANG:clang-14)
  set(need_spirv-opencl CLANG:clang-14 LLVM_SPIRV:llvm-spirv-14 SPIRV_VAL:spirv-tools)
  set(need_ptx CLANG:clang-14 LLVM_LINK:llvm-14 OPT:llvm-14 LLC:llvm-14)
  set(need_hsaco CLANG:clang-14 LLVM_LINK:llvm-14 OPT:llvm-14 LLC:llvm-14 LD_LLD:lld-14
      LLVM_READELF:llvm-14)
  set(need_cpu-so CLANG:clang-14 LLVM_LINK:llvm-14 OPT:llvm-14 LLC:llvm-14 LLVM_NM:llvm-14)
  foreach(format IN LISTS AHAL_KERNEL_FORMATS)
    set(missing "")
    foreach(item IN LISTS need_${format})
      string(REPLACE ":" ";" item "${item}")
      list(GET item 0 var)
      list(GET item 1 package)
      if(NOT AHAL_KC_${var})
        string(TOLOWER "${var}" tool)
        string(REPLACE "_" "-" tool "${tool}")
        list(APPEND missing "${tool} (${package})")
      endif()
    endforeach()
    if(format STREQUAL "ptx" AND NOT EXISTS ${AHAL_KC_LIBCLC_DIR}/nvptx64--nvidiacl.bc)
      list(APPEND missing "${AHAL_KC_LIBCLC_DIR}/nvptx64--nvidiacl.bc (libclc-14)")
    endif()
    if(format STREQUAL "hsaco" AND NOT EXISTS ${AHAL_KC_LIBCLC_DIR}/amdgcn--amdhsa.bc)
      list(APPEND missing "${AHAL_KC_LIBCLC_DIR}/amdgcn--amdhsa.bc (libclc-14)")
    endif()
    if(format STREQUAL "cpu-so" AND NOT CMAKE_HOST_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|aarch64)$")
      list(APPEND missing "support for ${CMAKE_HOST_SYSTEM_PROCESSOR} hosts")
    endif()
    string(REPLACE ";" ", " missing "${missing}")
    set_property(GLOBAL PROPERTY _AHAL_KERNEL_MISSING_${format} "${missing}")
  endforeach()
endfunction()

# ahal_kernel_format_status(<format> <out_var>): "" when ahal_add_kernel_bundle
# can build <format>, else why not.
function(ahal_kernel_format_status format out_var)
  _ahal_kernel_toolchain()
  get_property(missing GLOBAL PROPERTY _AHAL_KERNEL_MISSING_${format})
  if(missing)
    set(${out_var} "no ${format} images: ${missing} not found" PARENT_SCOPE)
  else()
    set(${out_var} "" PARENT_SCOPE)
  endif()
endfunction()

function(ahal_add_kernel_bundle name)
  cmake_parse_arguments(ARG "EXCLUDE_FROM_ALL" "OUTPUT;IMAGE_DIR"
    "SOURCES;FORMATS;INCLUDE_DIRECTORIES;DEFINITIONS;PTX_ARCHS;HSACO_ARCHS;CPU_VARIANTS;IMAGES;DEPENDS"
    ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "ahal_add_kernel_bundle(${name}): no SOURCES")
  endif()
  if(TARGET ahal::ahal-kernelc)
    set(kernelc ahal::ahal-kernelc)
  elseif(TARGET ahal-kernelc)
    set(kernelc ahal-kernelc)
  else()
    message(FATAL_ERROR "ahal_add_kernel_bundle(${name}): ahal-kernelc not found "
      "(find_package(ahal) first)")
  endif()
  _ahal_kernel_toolchain()
  if(NOT ARG_FORMATS)
    set(ARG_FORMATS ${AHAL_KERNEL_FORMATS})
  endif()

  set(formats "")
  foreach(format IN LISTS ARG_FORMATS)
    if(NOT format IN_LIST AHAL_KERNEL_FORMATS)
      message(FATAL_ERROR "ahal_add_kernel_bundle(${name}): unknown format '${format}' "
        "(known: ${AHAL_KERNEL_FORMATS})")
    endif()
    get_property(missing GLOBAL PROPERTY _AHAL_KERNEL_MISSING_${format})
    if(missing)
      get_property(told GLOBAL PROPERTY _AHAL_KERNEL_TOLD_${format})
      if(NOT told)
        message(STATUS "ahal kernels: no ${format} images (${missing} not found)")
        set_property(GLOBAL PROPERTY _AHAL_KERNEL_TOLD_${format} TRUE)
      endif()
    else()
      list(APPEND formats ${format})
    endif()
  endforeach()

  if(NOT ARG_OUTPUT)
    set(ARG_OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${name}.ahalb)
  endif()
  set(sources "")
  foreach(source IN LISTS ARG_SOURCES)
    get_filename_component(source ${source} ABSOLUTE)
    list(APPEND sources ${source})
  endforeach()
  get_property(tools GLOBAL PROPERTY _AHAL_KERNEL_TOOL_ARGS)
  set(args -o ${ARG_OUTPUT} --libclc ${AHAL_KC_LIBCLC_DIR} ${tools})
  if(formats)
    string(REPLACE ";" "," list "${formats}")
    list(APPEND args --formats ${list})
  else()
    list(APPEND args --formats none)
  endif()
  foreach(dir IN LISTS ARG_INCLUDE_DIRECTORIES)
    get_filename_component(dir ${dir} ABSOLUTE)
    list(APPEND args -I ${dir})
  endforeach()
  foreach(def IN LISTS ARG_DEFINITIONS)
    list(APPEND args -D ${def})
  endforeach()
  foreach(opt PTX_ARCHS:--ptx-archs HSACO_ARCHS:--hsaco-archs CPU_VARIANTS:--cpu-variants)
    string(REPLACE ":" ";" opt "${opt}")
    list(GET opt 0 key)
    list(GET opt 1 flag)
    if(ARG_${key})
      string(REPLACE ";" "," list "${ARG_${key}}")
      list(APPEND args ${flag} ${list})
    endif()
  endforeach()
  foreach(spec IN LISTS ARG_IMAGES)
    list(APPEND args --image ${spec})
  endforeach()
  if(ARG_IMAGE_DIR)
    list(APPEND args --image-dir ${ARG_IMAGE_DIR})
  endif()
  set(depends ${sources} ${ARG_DEPENDS})
  if(TARGET ahal-kernelc)
    list(APPEND depends ahal-kernelc)
  endif()
  add_custom_command(OUTPUT ${ARG_OUTPUT}
    COMMAND ${kernelc} ${args} ${sources}
    DEPENDS ${depends}
    COMMENT "ahal-kernelc: ${name} (${formats})" VERBATIM)
  set(all ALL)
  if(ARG_EXCLUDE_FROM_ALL)
    set(all "")
  endif()
  add_custom_target(${name} ${all} DEPENDS ${ARG_OUTPUT})
  set_target_properties(${name} PROPERTIES AHAL_BUNDLE_FILE ${ARG_OUTPUT}
    AHAL_BUNDLE_FORMATS "${formats}")
endfunction()
