# Target ahal_main_job: what scripts/run.sh builds and nothing more. The
# tools it runs (ahal-info, ahal-conform), libahal, every plugin and the
# standard kernels bundle; no tests, samples or benchmarks.

# Every ahal_plugin_* target under `dir`, recursively.
function(_ahal_plugin_targets dir out)
  set(found "")
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    if(t MATCHES "^ahal_plugin_" AND NOT t STREQUAL "ahal_plugin_sdk")
      get_target_property(type ${t} TYPE)
      if(type STREQUAL "MODULE_LIBRARY" OR type STREQUAL "SHARED_LIBRARY")
        list(APPEND found ${t})
      endif()
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _ahal_plugin_targets(${sub} more)
    list(APPEND found ${more})
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

# Called once at the end of the top-level CMakeLists.txt.
function(ahal_add_main_job_target)
  set(deps "")
  foreach(t ahal ahal-info ahal-conform ahal_kernels)
    if(TARGET ${t})
      list(APPEND deps ${t})
    endif()
  endforeach()
  if(EXISTS ${CMAKE_SOURCE_DIR}/plugins)
    _ahal_plugin_targets(${CMAKE_SOURCE_DIR}/plugins plugins)
    list(APPEND deps ${plugins})
  endif()
  add_custom_target(ahal_main_job)
  add_dependencies(ahal_main_job ${deps})
endfunction()
