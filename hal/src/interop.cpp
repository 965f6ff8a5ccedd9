// Native-handle interop (docs/interop.md): a buffer's handle in its native
// runtime.
#include <cstring>

#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"

namespace ahal {
namespace {

constexpr uint32_t kLastKind = AHAL_NATIVE_HANDLE_VULKAN_BUFFER;

}  // namespace

namespace base {

ahal_status_t buffer_get_native(const char* fn, Buffer* b, ahal_native_buffer_t* out_native) {
  if (!out_native) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_native is NULL");
  const size_t size = out_native->struct_size;
  if (ahal_status_t s = check_struct_size(fn, "ahal_native_buffer_t", size,
                                          AHAL_END_OF(ahal_native_buffer_t, device_ordinal)))
    return s;
  // The caller sees kind NONE whatever happens below, unless it succeeds.
  ahal_native_buffer_t n = {};
  n.struct_size = sizeof(n);
  std::memcpy(out_native, &n, size < sizeof(n) ? size : sizeof(n));
  out_native->struct_size = size;
  Device* d = b->device;
  if (ahal_status_t s = entry::buffer_get_native(fn, *d->plugin, d->object, b->object, &n))
    return s;
  const uint32_t kind = static_cast<uint32_t>(n.kind);
  if (kind == AHAL_NATIVE_HANDLE_NONE || kind > kLastKind || n.handle == 0 ||
      (kind == AHAL_NATIVE_HANDLE_VULKAN_BUFFER) != (n.memory != 0))
    return fail(AHAL_ERROR_PLUGIN, fn,
                "%s returned an invalid native handle (kind %u, handle 0x%llx, memory 0x%llx)",
                d->plugin->name.c_str(), kind, (unsigned long long)n.handle,
                (unsigned long long)n.memory);
  n.struct_size = sizeof(n);
  n.flags = b->flags;
  n.size = b->size;
  std::memcpy(out_native, &n, size < sizeof(n) ? size : sizeof(n));
  out_native->struct_size = size;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_host_address(const char* fn, Buffer* b, void** out_pointer) {
  if (!out_pointer) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_pointer is NULL");
  *out_pointer = nullptr;
  Device* d = b->device;
  const Plugin& plugin = *d->plugin;
  void* p = nullptr;
  if (ahal_status_t s = entry::buffer_host_address(fn, plugin, d->object, b->object, &p)) return s;
  if (!p)
    return fail(AHAL_ERROR_PLUGIN, fn, "%s returned a NULL host address", plugin.name.c_str());
  *out_pointer = p;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_import_native(const char* fn, Device* d, const ahal_native_buffer_t* native,
                                   ahal_buffer_t* out_buffer) {
  if (!native) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "native is NULL");
  if (!out_buffer) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_buffer is NULL");
  if (ahal_status_t s = check_struct_size(fn, "ahal_native_buffer_t", native->struct_size,
                                          AHAL_END_OF(ahal_native_buffer_t, device_ordinal)))
    return s;
  ahal_native_buffer_t n = {};
  std::memcpy(&n, native, sizeof(n));
  n.struct_size = sizeof(n);
  const uint32_t kind = static_cast<uint32_t>(n.kind);
  if (kind == AHAL_NATIVE_HANDLE_NONE || kind > kLastKind)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "native->kind %u is not a native handle kind",
                kind);
  if (n.handle == 0) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "native->handle is 0");
  if ((kind == AHAL_NATIVE_HANDLE_VULKAN_BUFFER) != (n.memory != 0))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                kind == AHAL_NATIVE_HANDLE_VULKAN_BUFFER
                    ? "native->memory is 0 for a Vulkan buffer"
                    : "native->memory is set, but only a Vulkan buffer has one");
  if (ahal_status_t s = check_buffer_shape(fn, d, n.size, n.flags)) return s;
  auto* b = new (std::nothrow) Buffer;
  if (!b) return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
  b->device = d;
  b->size = n.size;
  b->flags = n.flags;
  return finish_buffer(
      fn, b, entry::buffer_import_native(fn, *d->plugin, d->object, &n, &b->object), out_buffer);
}

}  // namespace base
}  // namespace ahal

#include "generated/interop_entries.inc"
