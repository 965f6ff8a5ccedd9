// ahal/cached_kernel_get.hpp: a C-table plugin's whole kernel_get entry for
// modules laid out as ahal/kernel_cache.hpp describes (CUDA, HIP, Level Zero).
#pragma once

#include <ahal/kernel_cache.hpp>

// Defines kernel_get (in the enclosing namespace) as
// ahal::plugin::cached_kernel() with make(module, entry).
#define AHAL_PLUGIN_CACHED_KERNEL_GET(make)                                 \
  ahal_status_t kernel_get(ahal_plugin_module_t* module, const char* entry, \
                           ahal_plugin_kernel_t** out_kernel) {             \
    return ::ahal::plugin::cached_kernel(module, entry, out_kernel, make);  \
  }
