# ahal-bundle pack + list, as a user runs them: -DTOOL=... -DWORK=... -DMANIFEST=...
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/kernels.so "not really an ELF file")
file(WRITE ${WORK}/vector_add.spv "spirv words")
file(WRITE ${WORK}/kernels.cl "__kernel void empty() {}")

function(run expect_ok)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(expect_ok AND NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARGN} failed (${rc}): ${err}")
  elseif(NOT expect_ok AND rc EQUAL 0)
    message(FATAL_ERROR "${ARGN} should have failed")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

run(TRUE ${TOOL} pack -o ${WORK}/out/test.ahalb --manifest ${MANIFEST}
  --image cpu-so@x86_64:${WORK}/kernels.so
  --image opencl-c:${WORK}/kernels.cl
  --image spirv-vulkan:${WORK}/vector_add.spv:vector_add=main)
run(TRUE ${TOOL} list ${WORK}/out/test.ahalb)
foreach(expect "14 kernels:" "reverse_dynamic      bindings=2 constants=0 dynamic_shared"
        "3 images:" "cpu-so@x86_64  22 bytes  all kernels" "spirv-vulkan  11 bytes  kernels: vector_add=main")
  string(FIND "${out}" "${expect}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "list output lacks \"${expect}\":\n${out}")
  endif()
endforeach()

# Mistakes are refused with a message.
run(FALSE ${TOOL} pack -o ${WORK}/bad.ahalb --manifest ${MANIFEST} --image vhdl:${WORK}/kernels.so)
string(FIND "${err}" "unknown format \"vhdl\"" at)
if(at EQUAL -1)
  message(FATAL_ERROR "unexpected error: ${err}")
endif()
run(FALSE ${TOOL} pack -o ${WORK}/bad.ahalb --manifest ${MANIFEST} --image ptx:${WORK}/kernels.so:nosuch=main)
string(FIND "${err}" "kernel \"nosuch\" is not in the manifest" at)
if(at EQUAL -1)
  message(FATAL_ERROR "unexpected error: ${err}")
endif()
run(FALSE ${TOOL} list ${WORK}/kernels.so)
string(FIND "${err}" "smaller than the 64-byte header" at)
if(at EQUAL -1)
  message(FATAL_ERROR "unexpected error: ${err}")
endif()
