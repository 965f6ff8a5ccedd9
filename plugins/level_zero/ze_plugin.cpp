// ahal plugin for Intel GPUs through Level Zero (libze_loader.so.1, opened
// at run time). Devices are "level_zero:<n>": the GPU devices of every
// driver in the loader's order, or their sub-devices with
// AHAL_ZE_SUBDEVICES=1. Launches follow the OpenCL column of
// docs/kernel-abi.md. README.md has the details.
#include "ze_objects.hpp"

#include <algorithm>
#include <cstring>

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  if (AHAL_PLUGIN_ABI_VERSION_MAJOR_OF(loader_abi_version) != AHAL_PLUGIN_ABI_MAJOR)
    return AHAL_ERROR_INCOMPATIBLE;
  using namespace ahal_ze;
  ahal_plugin_api_t api{};
  api.abi_version = AHAL_PLUGIN_ABI_VERSION;
  api.name = "level_zero";
  api.description = "Intel GPUs through Level Zero (libze_loader, opened at run time)";
  api.plugin_init = plugin_init;
  api.plugin_shutdown = plugin_shutdown;
  api.device_count = device_count;
  api.device_open = device_open;
  api.device_close = device_close;
  api.device_get_properties = device_get_properties;
  api.buffer_create = buffer_create;
  api.buffer_destroy = buffer_destroy;
  api.buffer_map = buffer_map;
  api.buffer_unmap = buffer_unmap;
  api.host_alloc = host_alloc;
  api.host_free = host_free;
  api.stream_create = stream_create;
  api.stream_destroy = stream_destroy;
  api.stream_copy_h2d = stream_copy_h2d;
  api.stream_copy_d2h = stream_copy_d2h;
  api.stream_copy_d2d = stream_copy_d2d;
  api.stream_fill = stream_fill;
  api.stream_launch = stream_launch;
  api.stream_host_callback = stream_host_callback;
  api.stream_record_event = stream_record_event;
  api.stream_wait_event = stream_wait_event;
  api.stream_synchronize = stream_synchronize;
  api.stream_query = stream_query;
  api.event_create = event_create;
  api.event_destroy = event_destroy;
  api.event_query = event_query;
  api.event_wait = event_wait;
  api.event_elapsed_ns = event_elapsed_ns;
  api.module_create = module_create;
  api.module_destroy = module_destroy;
  api.kernel_get = kernel_get;
  api.kernel_get_attributes = kernel_get_attributes;
  api.image_score = image_score;
  size_t n = std::min(out->struct_size, sizeof(api));
  api.struct_size = n;
  std::memcpy(out, &api, n);
  return AHAL_SUCCESS;
}
