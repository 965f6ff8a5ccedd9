// Native-handle interop (docs/interop.md): a buffer as its CUdeviceptr in
// the device's primary context, and device memory of that context that the
// caller allocated wrapped as a buffer the plugin never frees.
#include <ahal/native_pointer.hpp>

#include "objects.hpp"

namespace ahal_cuda {
// The plugin works in the primary context: memory of another context is not
// addressable there without peer access.
static ahal::plugin::DevicePointerHome home_of(const ahal_plugin_device_t* d) {
  return {AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER, d->props.name,
          reinterpret_cast<uint64_t>(d->context), static_cast<uint32_t>(d->ordinal)};
}

ahal_status_t buffer_get_native(ahal_plugin_device_t* d, ahal_plugin_buffer_t* b,
                                ahal_native_buffer_t* out) {
  ahal::plugin::describe_device_pointer(home_of(d), static_cast<uint64_t>(b->ptr), out);
  return AHAL_SUCCESS;
}

ahal_status_t buffer_import_native(ahal_plugin_device_t* d, const ahal_native_buffer_t* native,
                                   ahal_plugin_buffer_t** out) {
  ahal_status_t status =
      ahal::plugin::import_device_pointer(home_of(d), native, &ahal_plugin_buffer_t::ptr, out);
  if (status == AHAL_SUCCESS) (*out)->device = d;
  return status;
}

}  // namespace ahal_cuda
