# ahal_target_warnings(<target>): the project's warning set; errors with AHAL_WERROR.
function(ahal_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wno-unused-parameter
    $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>)
  if(AHAL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(AHAL_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC's flow analysis gives false positives inside libstdc++ (<regex>)
    # once sanitizer instrumentation is inlined.
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
endfunction()

# Shared objects link with every symbol resolved, except in clang sanitizer
# builds: clang puts the sanitizer runtimes in the executables only.
if((AHAL_SANITIZE OR AHAL_FUZZ) AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(AHAL_LINK_NO_UNDEFINED "")
else()
  set(AHAL_LINK_NO_UNDEFINED -Wl,--no-undefined)
endif()

if(AHAL_SANITIZE)
  add_compile_options(-fsanitize=${AHAL_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${AHAL_SANITIZE})
endif()

if(AHAL_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "AHAL_FUZZ=ON needs clang (CC=clang CXX=clang++)")
endif()
