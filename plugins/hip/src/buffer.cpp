// Buffers: hipMalloc'd device memory, or for HOST_VISIBLE ones pinned host
// memory mapped into the device (kernels reach it over the bus, the host
// maps it without copies).
#include "objects.hpp"

#include <memory>

namespace ahal_hip {

ahal_status_t buffer_create(ahal_plugin_device_t* dev, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out_buffer) {
  if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
  auto buffer = std::make_unique<ahal_plugin_buffer_t>();
  buffer->size = args->size;
  const Runtime& rt = *dev->rt;
  uint32_t flags = AHAL_PLUGIN_HAS_FIELD(args, ahal_buffer_args_t, flags) ? args->flags : 0;
  if (flags & AHAL_MEMORY_HOST_VISIBLE) {
    // Pinned host memory mapped into the device: kernels reach it over
    // the bus, the host maps it without copies.
    unsigned host_flags = hipHostMallocMapped | hipHostMallocPortable;
    if (flags & AHAL_MEMORY_HOST_COHERENT) host_flags |= hipHostMallocCoherent;
    AHAL_HIP_CALL(dev, rt.hipHostMalloc(&buffer->host_pointer, args->size, host_flags));
    hipError_t err = rt.hipHostGetDevicePointer(&buffer->device_pointer, buffer->host_pointer, 0);
    if (err != hipSuccess) {
      (void)rt.hipHostFree(buffer->host_pointer);  // the error reported is the first one
      return hip_fail(dev, err, "hipHostGetDevicePointer");
    }
  } else {
    hipError_t err = rt.hipMalloc(&buffer->device_pointer, args->size);
    if (err != hipSuccess)
      return hip_fail(dev, err, "hipMalloc", std::to_string(args->size) + " bytes");
  }
  *out_buffer = buffer.release();
  return AHAL_SUCCESS;
}

void buffer_destroy(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer) {
  if (buffer->imported) {
    delete buffer;
    return;
  }
  log_failure(dev, dev->rt->hipSetDevice(dev->ordinal), "hipSetDevice");
  if (buffer->host_pointer)
    log_failure(dev, dev->rt->hipHostFree(buffer->host_pointer), "hipHostFree");
  else
    log_failure(dev, dev->rt->hipFree(buffer->device_pointer), "hipFree");
  delete buffer;
}

ahal_status_t buffer_map(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer, uint64_t offset,
                         uint64_t size, void** out_pointer) {
  if (!buffer->host_pointer)
    return fail(AHAL_ERROR_INVALID_STATE, "buffer was not created HOST_VISIBLE");
  *out_pointer = static_cast<uint8_t*>(buffer->host_pointer) + offset;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer) {
  return AHAL_SUCCESS;  // the mapping is the allocation itself
}

}  // namespace ahal_hip
