// Buffers: a VkBuffer each, bound to memory from the device's allocator
// (memory_allocator.cpp); host-visible ones stay mapped.
#include "objects.hpp"

namespace ahal_vulkan {

ahal_status_t buffer_create(ahal_plugin_device_t* dp, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out) {
  Device* d = object<Device>(dp);
  uint32_t flags = AHAL_PLUGIN_HAS_FIELD(args, ahal_buffer_args_t, flags) ? args->flags : 0;
  if (flags == 0) flags = AHAL_MEMORY_DEVICE_LOCAL;
  const bool visible = flags & AHAL_MEMORY_HOST_VISIBLE;
  VkMemoryPropertyFlags want = 0, prefer = 0, avoid = 0;
  if (visible) {
    want |= VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
    if (flags & AHAL_MEMORY_HOST_COHERENT) want |= VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    // Device-local when asked (e.g. a BAR window), else cached system
    // memory, which the host reads fast.
    prefer = (flags & AHAL_MEMORY_DEVICE_LOCAL)
                 ? VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
                 : VK_MEMORY_PROPERTY_HOST_CACHED_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  } else {
    prefer = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
    avoid = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;  // keep host-visible heaps for who needs them
  }
  auto b = std::make_unique<Buffer>();
  b->flags = flags;
  ahal_status_t s =
      d->buffer_create(args->size,
                       VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                           VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                       want, prefer, avoid, &b->mem);
  if (s != AHAL_SUCCESS) return s;
  *out = handle<ahal_plugin_buffer_t>(b.release());
  return AHAL_SUCCESS;
}

void buffer_destroy(ahal_plugin_device_t* d, ahal_plugin_buffer_t* b) {
  if (!object<Buffer>(b)->imported) object<Device>(d)->buffer_release(&object<Buffer>(b)->mem);
  delete object<Buffer>(b);
}

ahal_status_t buffer_map(ahal_plugin_device_t* d, ahal_plugin_buffer_t* bp, uint64_t offset,
                         uint64_t size, void** out) {
  Buffer* b = object<Buffer>(bp);
  if (!b->mem.mapped())
    return fail(AHAL_ERROR_INVALID_STATE, "the buffer is not in host-visible memory");
  object<Device>(d)->invalidate(b->mem, offset, size);
  b->map_offset = offset;
  b->map_size = size;
  *out = b->mem.mapped() + offset;
  return AHAL_SUCCESS;
}

// Only memory the host reads at memory speed with no flush: host-visible,
// coherent and cached (lavapipe, integrated GPUs), never a discrete GPU's
// BAR window, where host reads are uncached.
ahal_status_t buffer_host_address(ahal_plugin_device_t*, ahal_plugin_buffer_t* bp, void** out) {
  const DeviceBuffer& m = object<Buffer>(bp)->mem;  // an imported buffer is never host_visible
  if (!m.host_visible || !m.coherent || !m.cached || !m.mapped())
    return fail(AHAL_ERROR_UNSUPPORTED,
                "the buffer's memory is not host-visible, host-coherent, host-cached memory");
  *out = m.mapped();
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* d, ahal_plugin_buffer_t* bp) {
  Buffer* b = object<Buffer>(bp);
  object<Device>(d)->flush(b->mem, b->map_offset, b->map_size);  // blocks stay mapped
  b->map_size = 0;
  return AHAL_SUCCESS;
}

}  // namespace ahal_vulkan
