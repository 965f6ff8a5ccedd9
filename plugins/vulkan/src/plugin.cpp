// The plugin's one export, ahal_plugin_query, the dispatch table and the
// instance (instance_create, device.cpp). Each object's entries live in a
// file of its own.
#include "objects.hpp"

// Every entry behind the SDK's guard (ahal::plugin::entry); the optional
// ones this plugin has:
#define AHAL_VULKAN_TABLE_OPTIONAL_ENTRIES(X, api) \
  AHAL_VULKAN_COMMAND_BUFFER_ENTRIES(X, api)       \
  AHAL_PLUGIN_MODULE_ENTRIES(X, api)               \
  X(api, image_score)                              \
  X(api, device_memory_usage)                      \
  X(api, buffer_get_native) X(api, buffer_import_native) X(api, buffer_host_address)
AHAL_PLUGIN_GUARDED_QUERY(
    ahal_vulkan, "vulkan",
    "Vulkan compute through the Vulkan loader (libvulkan.so.1, opened at run time)",
    AHAL_VULKAN_TABLE_OPTIONAL_ENTRIES)

namespace ahal_vulkan {

ahal_status_t vk_fail(VkResult result, const char* what) {
  ahal_status_t status = AHAL_ERROR_PLUGIN;
  switch (result) {
    case VK_ERROR_OUT_OF_HOST_MEMORY:
      status = AHAL_ERROR_OUT_OF_HOST_MEMORY;
      break;
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    case VK_ERROR_TOO_MANY_OBJECTS:
    case VK_ERROR_OUT_OF_POOL_MEMORY:
    case VK_ERROR_FRAGMENTED_POOL:
    case VK_ERROR_FRAGMENTATION:
      status = AHAL_ERROR_OUT_OF_DEVICE_MEMORY;
      break;
    case VK_ERROR_DEVICE_LOST:
      status = AHAL_ERROR_DEVICE_LOST;
      break;
    case VK_TIMEOUT:
      status = AHAL_ERROR_TIMEOUT;
      break;
    case VK_ERROR_FEATURE_NOT_PRESENT:
    case VK_ERROR_EXTENSION_NOT_PRESENT:
    case VK_ERROR_FORMAT_NOT_SUPPORTED:
      status = AHAL_ERROR_UNSUPPORTED;
      break;
    default:
      break;
  }
  return fail(status, "%s failed: %s", what, ahal_vk::result_name(result));
}

void plugin_shutdown(ahal_plugin_instance_t* in) { instance_destroy(object<Instance>(in)); }

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out) {
  Instance* in = nullptr;
  ahal_status_t s = instance_create(args, &in);
  if (s == AHAL_SUCCESS) *out = handle<ahal_plugin_instance_t>(in);
  return s;
}

}  // namespace ahal_vulkan
