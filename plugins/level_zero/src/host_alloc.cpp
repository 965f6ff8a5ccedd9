// Pinned host memory: host USM.
#include "objects.hpp"

#include <memory>

namespace ahal_ze {

ahal_status_t host_alloc(ahal_plugin_device_t* dev, uint64_t size, uint32_t flags,
                         void** out_pointer, ahal_plugin_host_alloc_t** out_alloc) {
  auto alloc = std::make_unique<ahal_plugin_host_alloc_t>();
  ze_host_mem_alloc_desc_t desc{};
  desc.stype = ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC;
  ze_result_t r =
      dev->ze->zeMemAllocHost(dev->context, &desc, size, kBufferAlignment, &alloc->pointer);
  if (r != ZE_RESULT_SUCCESS)
    return ze_fail(dev, r, "zeMemAllocHost", std::to_string(size) + " bytes");
  *out_pointer = alloc->pointer;
  *out_alloc = alloc.release();
  return AHAL_SUCCESS;
}

void host_free(ahal_plugin_device_t* dev, ahal_plugin_host_alloc_t* alloc) {
  log_failure(dev, dev->ze->zeMemFree(dev->context, alloc->pointer), "zeMemFree");
  delete alloc;
}

}  // namespace ahal_ze
