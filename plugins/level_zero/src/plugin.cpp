// ahal plugin for Intel GPUs through Level Zero (libze_loader.so.1, opened
// at run time). Devices are "level_zero:<n>": the GPU devices of every
// driver in the loader's order, or their sub-devices with
// AHAL_ZE_SUBDEVICES=1. Launches follow the OpenCL column of
// docs/kernel-abi.md. README.md has the details.
#include "objects.hpp"

#include <ahal/plugin.hpp>

namespace ahal_ze {
namespace {

ahal_plugin_api_t make_api() {
  ahal_plugin_api_t api{};
  api.struct_size = sizeof(api);
  api.abi_version = AHAL_PLUGIN_ABI_VERSION;
  api.name = "level_zero";
  api.description = "Intel GPUs through Level Zero (libze_loader, opened at run time)";
  AHAL_PLUGIN_SET_ENTRIES(api);
  AHAL_PLUGIN_SET_MODULE_ENTRIES(api);
  api.image_score = image_score;
  return api;
}

}  // namespace
}  // namespace ahal_ze

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  static const ahal_plugin_api_t api = ahal_ze::make_api();
  return ahal::plugin::query(loader_abi_version, api, out);
}
