// Native-handle interop (docs/interop.md): a buffer as its HIP device
// pointer, and device memory the caller allocated (hipMalloc) wrapped as a
// buffer the plugin never frees.
#include <ahal/native_pointer.hpp>

#include "objects.hpp"

namespace ahal_hip {
// HIP has no context to compare (0): the ordinal says whose memory it is.
static ahal::plugin::DevicePointerHome home_of(const ahal_plugin_device_t* dev) {
  return {AHAL_NATIVE_HANDLE_HIP_DEVICE_POINTER, dev->prop.name, 0,
          static_cast<uint32_t>(dev->ordinal)};
}

ahal_status_t buffer_get_native(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer,
                                ahal_native_buffer_t* out) {
  ahal::plugin::describe_device_pointer(home_of(dev),
                                        reinterpret_cast<uint64_t>(buffer->device_pointer), out);
  return AHAL_SUCCESS;
}

ahal_status_t buffer_import_native(ahal_plugin_device_t* dev, const ahal_native_buffer_t* native,
                                   ahal_plugin_buffer_t** out) {
  return ahal::plugin::import_device_pointer(home_of(dev), native,
                                             &ahal_plugin_buffer_t::device_pointer, out);
}

}  // namespace ahal_hip
