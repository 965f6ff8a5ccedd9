# AHAL_BUILD_PYTHON: the Python module `ahal` (python/, docs/python.md), ON
# by default when pybind11 (Debian pybind11-dev) and the Python headers are
# found. Debian's /usr/bin/python3 is preferred: its numpy and torch are
# what the tests exchange memory with. Not in sanitizer/fuzz builds (a
# sanitized extension cannot load into a plain interpreter).
if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python for the ahal module")
endif()
set(_ahal_python_default OFF)
if(NOT AHAL_SANITIZE AND NOT AHAL_FUZZ)
  find_package(Python COMPONENTS Interpreter Development.Module QUIET)
  if(Python_FOUND)
    set(PYBIND11_FINDPYTHON ON)
    find_package(pybind11 CONFIG QUIET)
    if(pybind11_FOUND)
      set(_ahal_python_default ON)
    endif()
  endif()
endif()
option(AHAL_BUILD_PYTHON "Build the Python module ahal (needs pybind11)" ${_ahal_python_default})
if(AHAL_BUILD_PYTHON AND NOT pybind11_FOUND)
  message(FATAL_ERROR "AHAL_BUILD_PYTHON=ON needs pybind11 (apt-get install pybind11-dev python3-dev)")
endif()
