// Pinned memory: a CL_MEM_ALLOC_HOST_PTR buffer mapped once. Drivers place it
// in page-locked host memory and copy from its mapped pointer by DMA.
#include "objects.hpp"

namespace ahal_opencl {

ahal_status_t host_alloc(ahal_plugin_device_t* device, uint64_t size, uint32_t flags,
                         void** out_pointer, ahal_plugin_host_alloc_t** out_alloc) {
  auto alloc = std::make_unique<ahal_plugin_host_alloc_s>();
  cl_int err = CL_SUCCESS;
  cl_mem mem = cl.CreateBuffer(device->context, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, size,
                               nullptr, &err);
  if (err != CL_SUCCESS) {
    return fail_cl(err, "clCreateBuffer", std::to_string(size) + " bytes of pinned host memory");
  }
  void* pointer = cl.EnqueueMapBuffer(device->io_queue, mem, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0,
                                      size, 0, nullptr, nullptr, &err);
  if (err != CL_SUCCESS) {
    cl.ReleaseMemObject(mem);
    return fail_cl(err, "clEnqueueMapBuffer", "pinned host memory");
  }
  alloc->mem = mem;
  alloc->pointer = pointer;
  *out_pointer = pointer;
  *out_alloc = alloc.release();
  return AHAL_SUCCESS;
}

void host_free(ahal_plugin_device_t* device, ahal_plugin_host_alloc_t* alloc) {
  cl.EnqueueUnmapMemObject(device->io_queue, alloc->mem, alloc->pointer, 0, nullptr, nullptr);
  cl.Finish(device->io_queue);
  cl.ReleaseMemObject(alloc->mem);
  delete alloc;
}

}  // namespace ahal_opencl
