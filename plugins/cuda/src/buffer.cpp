// Buffers: cuMemAlloc'd device memory, or for HOST_VISIBLE ones pinned host
// memory mapped into the device (coherent, mapped without a copy).
#include "objects.hpp"

#include <cinttypes>

namespace ahal_cuda {

ahal_status_t buffer_create(ahal_plugin_device_t* d, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out_buffer) {
  const Driver& drv = d->drv();
  const uint64_t size = args->size;
  const uint32_t flags = AHAL_PLUGIN_HAS_FIELD(args, ahal_buffer_args_t, flags) ? args->flags : 0u;
  std::unique_ptr<ahal_plugin_buffer_t> b(new ahal_plugin_buffer_t{d, 0, nullptr, size});
  AHAL_MAKE_CURRENT(d);
  if (flags & AHAL_MEMORY_HOST_VISIBLE) {
    if (!(d->props.features & AHAL_FEATURE_HOST_VISIBLE_MEMORY))
      return fail(AHAL_ERROR_UNSUPPORTED, std::string(d->props.name) +
                                              " cannot map host memory, so it has no "
                                              "HOST_VISIBLE buffers");
    CUresult result =
        drv.cuMemHostAlloc(&b->host, size, CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP);
    if (result == CUDA_ERROR_OUT_OF_MEMORY)
      return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY,
                  drv.message(ahal::plugin::format(
                                  "cuMemHostAlloc(%" PRIu64 " bytes, host-visible buffer)", size)
                                  .c_str(),
                              result));
    AHAL_CU_CHECK(d, result, "cuMemHostAlloc(%" PRIu64 " bytes, host-visible buffer)", size);
    result = drv.cuMemHostGetDevicePointer(&b->ptr, b->host, 0);
    if (result != CUDA_SUCCESS) {
      drv.cuMemFreeHost(b->host);
      return cu_fail(d, result, "cuMemHostGetDevicePointer");
    }
  } else {
    AHAL_CU_CHECK(d, drv.cuMemAlloc(&b->ptr, size), "cuMemAlloc(%" PRIu64 " bytes on %s)", size,
                  d->props.name);
  }
  *out_buffer = b.release();
  return AHAL_SUCCESS;
}

void buffer_destroy(ahal_plugin_device_t* d, ahal_plugin_buffer_t* b) {
  if (!b->imported && make_current(d) == CUDA_SUCCESS) {
    const CUresult result = b->host ? d->drv().cuMemFreeHost(b->host) : d->drv().cuMemFree(b->ptr);
    if (result != CUDA_SUCCESS) log_failure(d, b->host ? "cuMemFreeHost" : "cuMemFree", result);
  }
  delete b;
}

ahal_status_t buffer_map(ahal_plugin_device_t* d, ahal_plugin_buffer_t* b, uint64_t offset,
                         uint64_t size, void** out_pointer) {
  if (!b->host) return fail(AHAL_ERROR_INVALID_STATE, "the buffer was not created HOST_VISIBLE");
  // The memory is the mapped host allocation itself: coherent, no copy.
  *out_pointer = static_cast<char*>(b->host) + offset;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* d, ahal_plugin_buffer_t* b) {
  return AHAL_SUCCESS;
}

}  // namespace ahal_cuda
