// Native-handle interop (docs/interop.md): a buffer as its HIP device
// pointer, and device memory the caller allocated (hipMalloc) wrapped as a
// buffer the plugin never frees.
#include "objects.hpp"

#include <memory>

namespace ahal_hip {

ahal_status_t buffer_get_native(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer,
                                ahal_native_buffer_t* out) {
  out->kind = AHAL_NATIVE_HANDLE_HIP_DEVICE_POINTER;
  out->handle = reinterpret_cast<uint64_t>(buffer->device_pointer);
  out->device_ordinal = static_cast<uint32_t>(dev->ordinal);
  return AHAL_SUCCESS;
}

ahal_status_t buffer_import_native(ahal_plugin_device_t* dev, const ahal_native_buffer_t* native,
                                   ahal_plugin_buffer_t** out) {
  if (native->kind != AHAL_NATIVE_HANDLE_HIP_DEVICE_POINTER)
    return fail(AHAL_ERROR_UNSUPPORTED,
                "%s imports only AHAL_NATIVE_HANDLE_HIP_DEVICE_POINTER, not kind %u",
                dev->prop.name, static_cast<unsigned>(native->kind));
  // HIP has no context to compare: the ordinal says whose memory it is.
  if (native->device_ordinal != static_cast<uint32_t>(dev->ordinal))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "native->device_ordinal %u is not %s's ordinal %d",
                native->device_ordinal, dev->prop.name, dev->ordinal);
  if (native->context)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "native->context must be 0 for a HIP device pointer");
  if (native->flags & AHAL_MEMORY_HOST_VISIBLE)
    return fail(AHAL_ERROR_UNSUPPORTED,
                "an imported HIP device pointer cannot be HOST_VISIBLE: import it without "
                "AHAL_MEMORY_HOST_VISIBLE");
  auto buffer = std::make_unique<ahal_plugin_buffer_t>();
  buffer->device_pointer = reinterpret_cast<void*>(static_cast<uintptr_t>(native->handle));
  buffer->size = native->size;
  buffer->imported = true;
  *out = buffer.release();
  return AHAL_SUCCESS;
}

}  // namespace ahal_hip
