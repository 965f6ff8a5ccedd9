// Buffers: device USM, or shared USM for HOST_VISIBLE ones (mapped in
// place).
#include "objects.hpp"

#include <memory>

namespace ahal_ze {

ahal_status_t buffer_create(ahal_plugin_device_t* dev, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out_buffer) {
  auto buffer = std::make_unique<ahal_plugin_buffer_t>();
  buffer->size = args->size;
  uint32_t flags = AHAL_PLUGIN_HAS_FIELD(args, ahal_buffer_args_t, flags) ? args->flags : 0;
  buffer->host_visible = (flags & AHAL_MEMORY_HOST_VISIBLE) != 0;
  ze_device_mem_alloc_desc_t device_desc{};
  device_desc.stype = ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC;
  const Loader& ze = *dev->ze;
  ze_result_t r;
  const char* call;
  if (buffer->host_visible) {
    // Shared USM: the driver migrates it between host and device.
    ze_host_mem_alloc_desc_t host_desc{};
    host_desc.stype = ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC;
    r = ze.zeMemAllocShared(dev->context, &device_desc, &host_desc, args->size, kBufferAlignment,
                            dev->device, &buffer->pointer);
    call = "zeMemAllocShared";
  } else {
    r = ze.zeMemAllocDevice(dev->context, &device_desc, args->size, kBufferAlignment, dev->device,
                            &buffer->pointer);
    call = "zeMemAllocDevice";
  }
  if (r != ZE_RESULT_SUCCESS) return ze_fail(dev, r, call, std::to_string(args->size) + " bytes");
  *out_buffer = buffer.release();
  return AHAL_SUCCESS;
}

void buffer_destroy(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer) {
  if (!buffer->imported)
    log_failure(dev, dev->ze->zeMemFree(dev->context, buffer->pointer), "zeMemFree");
  delete buffer;
}

ahal_status_t buffer_map(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer, uint64_t offset,
                         uint64_t size, void** out_pointer) {
  if (!buffer->host_visible)
    return fail(AHAL_ERROR_INVALID_STATE, "buffer was not created HOST_VISIBLE");
  *out_pointer = static_cast<uint8_t*>(buffer->pointer) + offset;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer) {
  return AHAL_SUCCESS;  // shared USM needs no unmap
}

}  // namespace ahal_ze
