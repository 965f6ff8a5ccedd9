// Native-handle interop (docs/interop.md): a buffer as a VkBuffer bound to
// a VkDeviceMemory of the plugin's VkDevice, and external ones of that
// device wrapped as ahal buffers that the plugin never frees.
#include "objects.hpp"

namespace ahal_vulkan {

ahal_status_t buffer_get_native(ahal_plugin_device_t* dp, ahal_plugin_buffer_t* bp,
                                ahal_native_buffer_t* out) {
  Device* d = object<Device>(dp);
  const DeviceBuffer& mem = object<Buffer>(bp)->mem;
  out->kind = AHAL_NATIVE_HANDLE_VULKAN_BUFFER;
  out->handle = reinterpret_cast<uint64_t>(mem.buffer);
  out->memory = reinterpret_cast<uint64_t>(mem.alloc.block->memory);
  out->memory_offset = mem.alloc.offset;
  out->context = reinterpret_cast<uint64_t>(d->device);
  out->device_ordinal = d->index;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_import_native(ahal_plugin_device_t* dp, const ahal_native_buffer_t* native,
                                   ahal_plugin_buffer_t** out) {
  Device* d = object<Device>(dp);
  if (native->kind != AHAL_NATIVE_HANDLE_VULKAN_BUFFER)
    return fail(AHAL_ERROR_UNSUPPORTED,
                "%s imports only AHAL_NATIVE_HANDLE_VULKAN_BUFFER, not kind %u",
                d->props.deviceName, static_cast<unsigned>(native->kind));
  if (native->context != reinterpret_cast<uint64_t>(d->device))
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                "native->context 0x%llx is not the VkDevice of %s (0x%llx): a VkBuffer belongs "
                "to the device that created it",
                static_cast<unsigned long long>(native->context), d->props.deviceName,
                static_cast<unsigned long long>(reinterpret_cast<uint64_t>(d->device)));
  if (native->flags & AHAL_MEMORY_HOST_VISIBLE)
    return fail(AHAL_ERROR_UNSUPPORTED,
                "an imported Vulkan buffer cannot be HOST_VISIBLE (ahal would have to map memory "
                "its owner may map): import it without AHAL_MEMORY_HOST_VISIBLE");
  VkBuffer buffer = reinterpret_cast<VkBuffer>(native->handle);
  // What Vulkan can tell about the buffer: the bytes its memory must hold
  // and the alignment of its binding.
  VkMemoryRequirements req{};
  d->fn.vkGetBufferMemoryRequirements(d->device, buffer, &req);
  if (native->size > req.size)
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                "native->size %llu is larger than the VkBuffer (its memory requirement is %llu "
                "bytes)",
                static_cast<unsigned long long>(native->size),
                static_cast<unsigned long long>(req.size));
  if (req.alignment && native->memory_offset % req.alignment)
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                "native->memory_offset %llu is not a multiple of the VkBuffer's alignment %llu",
                static_cast<unsigned long long>(native->memory_offset),
                static_cast<unsigned long long>(req.alignment));
  auto b = std::make_unique<Buffer>();
  b->flags = native->flags ? native->flags : uint32_t(AHAL_MEMORY_DEVICE_LOCAL);
  // A block of its own that describes the memory; the allocator never sees
  // it, so buffer_destroy leaves buffer and memory to their owner.
  b->imported = std::make_unique<MemoryBlock>();
  b->imported->memory = reinterpret_cast<VkDeviceMemory>(native->memory);
  b->imported->size = native->memory_offset + req.size;
  b->imported->dedicated = true;
  b->mem.buffer = buffer;
  b->mem.alloc = Allocation{b->imported.get(), native->memory_offset, req.size};
  b->mem.size = native->size;
  b->mem.host_visible = false;
  *out = handle<ahal_plugin_buffer_t>(b.release());
  return AHAL_SUCCESS;
}

}  // namespace ahal_vulkan
