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

if(AHAL_SANITIZE)
  add_compile_options(-fsanitize=${AHAL_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${AHAL_SANITIZE})
endif()
