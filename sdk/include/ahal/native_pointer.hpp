// ahal/native_pointer.hpp: native-handle interop (docs/interop.md) for
// plugins whose buffers are device pointers (CUDA, HIP, Level Zero USM):
// describing one, and checking and wrapping one a caller hands in.
#pragma once

#include <ahal/plugin.h>
#include <ahal/plugin_guard.hpp>

#include <cstdint>
#include <memory>
#include <type_traits>

namespace ahal::plugin {

// Where a device's pointers belong.
struct DevicePointerHome {
  ahal_native_handle_kind_t kind;  // CUDA_DEVICE_POINTER, HIP_DEVICE_POINTER or LEVEL_ZERO_POINTER
  const char* device_name;         // the device's name, for messages
  uint64_t context;                // the native context; 0 where the runtime has none (HIP)
  uint32_t ordinal;                // the native runtime's number of the device
};

namespace detail {
inline const char* device_pointer_kind_name(ahal_native_handle_kind_t kind) {
  switch (kind) {
    case AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER:
      return "AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER";
    case AHAL_NATIVE_HANDLE_HIP_DEVICE_POINTER:
      return "AHAL_NATIVE_HANDLE_HIP_DEVICE_POINTER";
    case AHAL_NATIVE_HANDLE_LEVEL_ZERO_POINTER:
      return "AHAL_NATIVE_HANDLE_LEVEL_ZERO_POINTER";
    default:
      return "a device pointer";
  }
}
}  // namespace detail

// out describes the pointer `handle` of a buffer of that device.
inline void describe_device_pointer(const DevicePointerHome& home, uint64_t handle,
                                    ahal_native_buffer_t* out) {
  out->kind = home.kind;
  out->handle = handle;
  out->context = home.context;
  out->device_ordinal = home.ordinal;
}

// AHAL_SUCCESS where `native` is a pointer of that device a buffer can wrap;
// otherwise fail() with what is wrong.
inline ahal_status_t check_device_pointer_import(const DevicePointerHome& home,
                                                 const ahal_native_buffer_t* native) {
  if (native->kind != home.kind)
    return fail(AHAL_ERROR_UNSUPPORTED, "%s imports only %s, not kind %u", home.device_name,
                detail::device_pointer_kind_name(home.kind), static_cast<unsigned>(native->kind));
  // Memory of another context is not addressable in the plugin's own.
  if (home.context == 0 && native->context != 0)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "native->context must be 0 for a %s",
                detail::device_pointer_kind_name(home.kind));
  if (native->context && native->context != home.context)
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                "native->context 0x%llx is not the context of %s (0x%llx)",
                static_cast<unsigned long long>(native->context), home.device_name,
                static_cast<unsigned long long>(home.context));
  if (native->device_ordinal != home.ordinal)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "native->device_ordinal %u is not %s's ordinal %u",
                native->device_ordinal, home.device_name, home.ordinal);
  if (native->flags & AHAL_MEMORY_HOST_VISIBLE)
    return fail(AHAL_ERROR_UNSUPPORTED,
                "an imported %s cannot be HOST_VISIBLE: import it without "
                "AHAL_MEMORY_HOST_VISIBLE",
                detail::device_pointer_kind_name(home.kind));
  return AHAL_SUCCESS;
}

// Checks `native` and wraps it as a new Buffer whose `pointer` member holds
// it, marked imported (its destroy must not free the memory).
template <class Buffer, class Pointer>
ahal_status_t import_device_pointer(const DevicePointerHome& home,
                                    const ahal_native_buffer_t* native, Pointer Buffer::*pointer,
                                    Buffer** out) {
  if (ahal_status_t status = check_device_pointer_import(home, native); status != AHAL_SUCCESS)
    return status;
  auto buffer = std::make_unique<Buffer>();
  if constexpr (std::is_pointer_v<Pointer>)
    buffer.get()->*pointer = reinterpret_cast<Pointer>(static_cast<uintptr_t>(native->handle));
  else
    buffer.get()->*pointer = static_cast<Pointer>(native->handle);
  buffer->size = native->size;
  buffer->imported = true;
  *out = buffer.release();
  return AHAL_SUCCESS;
}

}  // namespace ahal::plugin
