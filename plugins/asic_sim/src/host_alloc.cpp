// Pinned host memory: plain page-aligned host memory, since the simulated
// DMA engine reaches all of host memory.
#include "objects.hpp"

#include <memory>
#include <new>
#include <string>

namespace asic_sim {
namespace {

constexpr std::align_val_t kHostAllocAlignment{4096};

}  // namespace

ahal_status_t host_alloc(ahal_plugin_device_t* device, uint64_t size, uint32_t flags,
                         void** out_pointer, ahal_plugin_host_alloc_t** out_alloc) {
  auto alloc = std::make_unique<ahal_plugin_host_alloc_s>();
  alloc->pointer = ::operator new(size, kHostAllocAlignment, std::nothrow);
  if (!alloc->pointer) {
    throw Failure(AHAL_ERROR_OUT_OF_HOST_MEMORY,
                  "cannot allocate " + std::to_string(size) + " bytes of host memory");
  }
  *out_pointer = alloc->pointer;
  *out_alloc = alloc.release();
  return AHAL_SUCCESS;
}

void host_free(ahal_plugin_device_t* device, ahal_plugin_host_alloc_t* alloc) {
  ::operator delete(alloc->pointer, kHostAllocAlignment);
  delete alloc;
}

}  // namespace asic_sim
