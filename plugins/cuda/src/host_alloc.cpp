// Pinned host memory: portable cuMemHostAlloc, so any CUDA device copies
// from it at full speed.
#include "objects.hpp"

#include <cinttypes>

namespace ahal_cuda {

ahal_status_t host_alloc(ahal_plugin_device_t* d, uint64_t size, uint32_t flags, void** out_pointer,
                         ahal_plugin_host_alloc_t** out_alloc) {
  const Driver& drv = d->drv();
  std::unique_ptr<ahal_plugin_host_alloc_t> a(new ahal_plugin_host_alloc_t{d, nullptr});
  AHAL_MAKE_CURRENT(d);
  // Portable: pinned for every context, so any CUDA device copies at full speed.
  const CUresult result = drv.cuMemHostAlloc(&a->ptr, size, CU_MEMHOSTALLOC_PORTABLE);
  if (result == CUDA_ERROR_OUT_OF_MEMORY)
    return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY,
                drv.message(ahal::plugin::format("cuMemHostAlloc(%" PRIu64 " bytes)", size).c_str(),
                            result));
  AHAL_CU_CHECK(d, result, "cuMemHostAlloc(%" PRIu64 " bytes)", size);
  *out_pointer = a->ptr;
  *out_alloc = a.release();
  return AHAL_SUCCESS;
}

void host_free(ahal_plugin_device_t* d, ahal_plugin_host_alloc_t* a) {
  if (make_current(d) == CUDA_SUCCESS) {
    const CUresult result = d->drv().cuMemFreeHost(a->ptr);
    if (result != CUDA_SUCCESS) log_failure(d, "cuMemFreeHost", result);
  }
  delete a;
}

}  // namespace ahal_cuda
