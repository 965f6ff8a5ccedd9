# cmake -DKERNELC=<ahal-kernelc> -DDIR=<tests/bad> -DOUT=<scratch> -P check_errors.cmake
# ahal-kernelc refuses each bad source with exit status 1 and a message
# that names the problem.
set(cases
  "two_values.cl|--print-metadata|second by-value argument"
  "buffer_after.cl|--print-metadata|is a buffer after the constants"
  "two_local.cl|--print-metadata|second __local pointer"
  "odd_size.cl|--print-metadata|multiple of 4"
  "image.cl|--print-metadata|image2d_t"
  "syntax.cl|--print-metadata|use of undeclared identifier 'nope'"
  "no_kernel.cl|--formats,opencl-c|defines no __kernel function"
  "missing_builtin.cl|--formats,cpu-so,--cpu-variants,x86-64|shuffle(")
set(failed "")
foreach(case IN LISTS cases)
  string(REPLACE "|" ";" case "${case}")
  list(GET case 0 file)
  list(GET case 1 options)
  list(GET case 2 expected)
  string(REPLACE "," ";" options "${options}")
  execute_process(COMMAND ${KERNELC} ${options} -o ${OUT}/bad.ahalb ${DIR}/${file}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(FIND "${err}" "${expected}" at)
  string(FIND "${err}" "${file}" names_file)
  if(NOT rc EQUAL 1 OR at LESS 0 OR names_file LESS 0)
    list(APPEND failed "${file}: exit ${rc}, expected a message with '${expected}' naming the file, got:\n${err}")
  else()
    message(STATUS "${file}: refused: ${expected}")
  endif()
endforeach()
if(failed)
  string(REPLACE ";" "\n" failed "${failed}")
  message(FATAL_ERROR "${failed}")
endif()
