# cmake -DKERNELC=<ahal-kernelc> -DMANIFEST=<kernels.manifest> "-DSOURCES=<a.cl;b.cl>"
#       -P check_metadata.cmake
# The metadata ahal-kernelc reads from the standard kernels' sources must be
# kernels.manifest, the contract docs/kernel-abi.md states.
execute_process(COMMAND ${KERNELC} --print-metadata ${SOURCES}
  RESULT_VARIABLE rc OUTPUT_VARIABLE got ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ahal-kernelc --print-metadata failed (${rc}): ${err}")
endif()
file(STRINGS ${MANIFEST} want REGEX "^kernel ")
string(REGEX REPLACE "\n$" "" got "${got}")
string(REPLACE "\n" ";" got "${got}")
list(SORT want)
list(SORT got)
if(NOT got STREQUAL want)
  string(REPLACE ";" "\n  " got_text "${got}")
  string(REPLACE ";" "\n  " want_text "${want}")
  message(FATAL_ERROR "the sources' metadata differs from ${MANIFEST}\nsources:\n  ${got_text}\n"
    "manifest:\n  ${want_text}")
endif()
list(LENGTH got count)
message(STATUS "${count} kernels: the sources' metadata is the manifest")
