// Native-handle interop (docs/interop.md): a buffer as its USM pointer and
// ze_context_handle_t, and device USM of that context the caller allocated
// wrapped as a buffer the plugin never frees.
#include <ahal/native_pointer.hpp>

#include "objects.hpp"

namespace ahal_ze {
namespace {

// The device's number among the instance's (level_zero:<n>).
uint32_t ordinal_of(const ahal_plugin_device_t* dev) {
  const auto& devices = dev->instance->devices;
  for (size_t i = 0; i < devices.size(); ++i)
    if (devices[i].device == dev->device) return static_cast<uint32_t>(i);
  return 0;
}

// USM belongs to a context: the plugin's command lists use its own.
ahal::plugin::DevicePointerHome home_of(const ahal_plugin_device_t* dev) {
  return {AHAL_NATIVE_HANDLE_LEVEL_ZERO_POINTER, dev->properties.name,
          reinterpret_cast<uint64_t>(dev->context), ordinal_of(dev)};
}

}  // namespace

ahal_status_t buffer_get_native(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer,
                                ahal_native_buffer_t* out) {
  ahal::plugin::describe_device_pointer(home_of(dev), reinterpret_cast<uint64_t>(buffer->pointer),
                                        out);
  return AHAL_SUCCESS;
}

ahal_status_t buffer_import_native(ahal_plugin_device_t* dev, const ahal_native_buffer_t* native,
                                   ahal_plugin_buffer_t** out) {
  return ahal::plugin::import_device_pointer(home_of(dev), native, &ahal_plugin_buffer_t::pointer,
                                             out);
}

}  // namespace ahal_ze
