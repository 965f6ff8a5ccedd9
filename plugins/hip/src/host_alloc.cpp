// Pinned host memory: portable hipHostMalloc.
#include "objects.hpp"

#include <memory>

namespace ahal_hip {

ahal_status_t host_alloc(ahal_plugin_device_t* dev, uint64_t size, uint32_t flags,
                         void** out_pointer, ahal_plugin_host_alloc_t** out_alloc) {
  if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
  auto alloc = std::make_unique<ahal_plugin_host_alloc_t>();
  hipError_t err = dev->rt->hipHostMalloc(&alloc->pointer, size, hipHostMallocPortable);
  if (err != hipSuccess) {
    // Pinned memory is host memory: report it as such.
    std::string msg = "hipHostMalloc failed: " + error_text(*dev->rt, err) + " (" +
                      std::to_string(size) + " bytes)";
    return fail(err == hipErrorOutOfMemory ? AHAL_ERROR_OUT_OF_HOST_MEMORY : status_of(err), msg);
  }
  *out_pointer = alloc->pointer;
  *out_alloc = alloc.release();
  return AHAL_SUCCESS;
}

void host_free(ahal_plugin_device_t* dev, ahal_plugin_host_alloc_t* alloc) {
  log_failure(dev, dev->rt->hipHostFree(alloc->pointer), "hipHostFree");
  delete alloc;
}

}  // namespace ahal_hip
