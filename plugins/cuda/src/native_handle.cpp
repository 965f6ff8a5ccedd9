// Native-handle interop (docs/interop.md): a buffer as its CUdeviceptr in
// the device's primary context, and device memory of that context that the
// caller allocated wrapped as a buffer the plugin never frees.
#include "objects.hpp"

namespace ahal_cuda {

ahal_status_t buffer_get_native(ahal_plugin_device_t* d, ahal_plugin_buffer_t* b,
                                ahal_native_buffer_t* out) {
  out->kind = AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER;
  out->handle = static_cast<uint64_t>(b->ptr);
  out->context = reinterpret_cast<uint64_t>(d->context);
  out->device_ordinal = static_cast<uint32_t>(d->ordinal);
  return AHAL_SUCCESS;
}

ahal_status_t buffer_import_native(ahal_plugin_device_t* d, const ahal_native_buffer_t* native,
                                   ahal_plugin_buffer_t** out) {
  if (native->kind != AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER)
    return fail(AHAL_ERROR_UNSUPPORTED,
                "%s imports only AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER, not kind %u",
                d->props.name, static_cast<unsigned>(native->kind));
  // The plugin works in the primary context: memory of another context is
  // not addressable there without peer access.
  if (native->context && native->context != reinterpret_cast<uint64_t>(d->context))
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                "native->context 0x%llx is not the primary CUcontext of %s (0x%llx)",
                static_cast<unsigned long long>(native->context), d->props.name,
                static_cast<unsigned long long>(reinterpret_cast<uint64_t>(d->context)));
  if (native->device_ordinal != static_cast<uint32_t>(d->ordinal))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "native->device_ordinal %u is not %s's ordinal %d",
                native->device_ordinal, d->props.name, d->ordinal);
  if (native->flags & AHAL_MEMORY_HOST_VISIBLE)
    return fail(AHAL_ERROR_UNSUPPORTED,
                "an imported CUDA device pointer cannot be HOST_VISIBLE: import it without "
                "AHAL_MEMORY_HOST_VISIBLE");
  auto b = std::make_unique<ahal_plugin_buffer_t>();
  b->device = d;
  b->ptr = static_cast<CUdeviceptr>(native->handle);
  b->host = nullptr;
  b->size = native->size;
  b->imported = true;
  *out = b.release();
  return AHAL_SUCCESS;
}

}  // namespace ahal_cuda
