// Pinned host memory: host-visible, host-cached buffers that copies use
// directly, found by address through the device's registry.
#include "objects.hpp"

namespace ahal_vulkan {

ahal_status_t host_alloc(ahal_plugin_device_t* dp, uint64_t size, uint32_t /*flags*/,
                         void** out_ptr, ahal_plugin_host_alloc_t** out) {
  Device* d = object<Device>(dp);
  auto h = std::make_unique<HostAlloc>();
  // Host-cached system memory that copies use directly as source/target.
  ahal_status_t s =
      d->buffer_create(size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
                       VK_MEMORY_PROPERTY_HOST_CACHED_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                       VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, &h->mem);
  if (s != AHAL_SUCCESS) return s;
  d->register_host_alloc(h.get());
  *out_ptr = h->mem.mapped();
  *out = handle<ahal_plugin_host_alloc_t>(h.release());
  return AHAL_SUCCESS;
}

void host_free(ahal_plugin_device_t* d, ahal_plugin_host_alloc_t* h) {
  object<Device>(d)->unregister_host_alloc(object<HostAlloc>(h));
  object<Device>(d)->buffer_release(&object<HostAlloc>(h)->mem);
  delete object<HostAlloc>(h);
}

void Device::register_host_alloc(HostAlloc* alloc) {
  std::unique_lock<std::shared_mutex> lock(host_allocs_mutex_);
  host_allocs_[reinterpret_cast<uintptr_t>(alloc->mem.mapped())] = alloc;
}

void Device::unregister_host_alloc(HostAlloc* alloc) {
  std::unique_lock<std::shared_mutex> lock(host_allocs_mutex_);
  host_allocs_.erase(reinterpret_cast<uintptr_t>(alloc->mem.mapped()));
}

HostAlloc* Device::find_host_alloc(const void* p, uint64_t size) {
  uintptr_t a = reinterpret_cast<uintptr_t>(p);
  std::shared_lock<std::shared_mutex> lock(host_allocs_mutex_);
  auto it = host_allocs_.upper_bound(a);
  if (it == host_allocs_.begin()) return nullptr;
  --it;
  HostAlloc* h = it->second;
  if (a - it->first + size <= h->mem.size) return h;
  return nullptr;
}

}  // namespace ahal_vulkan
