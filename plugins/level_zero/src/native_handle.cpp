// Native-handle interop (docs/interop.md): a buffer as its USM pointer and
// ze_context_handle_t, and device USM of that context the caller allocated
// wrapped as a buffer the plugin never frees.
#include "objects.hpp"

#include <memory>

namespace ahal_ze {
namespace {

// The device's number among the instance's (level_zero:<n>).
uint32_t ordinal_of(const ahal_plugin_device_t* dev) {
  const auto& devices = dev->instance->devices;
  for (size_t i = 0; i < devices.size(); ++i)
    if (devices[i].device == dev->device) return static_cast<uint32_t>(i);
  return 0;
}

}  // namespace

ahal_status_t buffer_get_native(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer,
                                ahal_native_buffer_t* out) {
  out->kind = AHAL_NATIVE_HANDLE_LEVEL_ZERO_POINTER;
  out->handle = reinterpret_cast<uint64_t>(buffer->pointer);
  out->context = reinterpret_cast<uint64_t>(dev->context);
  out->device_ordinal = ordinal_of(dev);
  return AHAL_SUCCESS;
}

ahal_status_t buffer_import_native(ahal_plugin_device_t* dev, const ahal_native_buffer_t* native,
                                   ahal_plugin_buffer_t** out) {
  const char* name = dev->properties.name;
  if (native->kind != AHAL_NATIVE_HANDLE_LEVEL_ZERO_POINTER)
    return fail(AHAL_ERROR_UNSUPPORTED,
                "%s imports only AHAL_NATIVE_HANDLE_LEVEL_ZERO_POINTER, not kind %u", name,
                static_cast<unsigned>(native->kind));
  // USM belongs to a context: the plugin's command lists use its own.
  if (native->context && native->context != reinterpret_cast<uint64_t>(dev->context))
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                "native->context 0x%llx is not the ze_context_handle_t of %s (0x%llx)",
                static_cast<unsigned long long>(native->context), name,
                static_cast<unsigned long long>(reinterpret_cast<uint64_t>(dev->context)));
  if (native->device_ordinal != ordinal_of(dev))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "native->device_ordinal %u is not %s's ordinal %u",
                native->device_ordinal, name, ordinal_of(dev));
  if (native->flags & AHAL_MEMORY_HOST_VISIBLE)
    return fail(AHAL_ERROR_UNSUPPORTED,
                "an imported Level Zero pointer cannot be HOST_VISIBLE: import device USM "
                "without AHAL_MEMORY_HOST_VISIBLE");
  auto buffer = std::make_unique<ahal_plugin_buffer_t>();
  buffer->pointer = reinterpret_cast<void*>(static_cast<uintptr_t>(native->handle));
  buffer->size = native->size;
  buffer->imported = true;
  *out = buffer.release();
  return AHAL_SUCCESS;
}

}  // namespace ahal_ze
