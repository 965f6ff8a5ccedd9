// Buffers (with a cache of sub-buffers for binding offsets), maps, and
// pinned host memory.
#include "objects.hpp"

cl_int ahal_plugin_buffer_s::view(uint64_t offset, cl_mem* out, bool* owned) {
  *owned = false;
  if (offset == 0) {
    *out = mem;
    return CL_SUCCESS;
  }
  std::lock_guard<std::mutex> lock(mutex);
  auto it = views.find(offset);
  if (it != views.end()) {
    *out = it->second;
    return CL_SUCCESS;
  }
  // One sub-buffer per offset, reaching to the end of the buffer: kernels
  // do not see a binding's size, so every size at this offset can share it.
  cl_buffer_region region = {static_cast<size_t>(offset), static_cast<size_t>(size - offset)};
  cl_int err = CL_SUCCESS;
  cl_mem sub = clCreateSubBuffer(mem, 0, CL_BUFFER_CREATE_TYPE_REGION, &region, &err);
  if (err != CL_SUCCESS) return err;
  if (views.size() < kMaxViews) {
    views.emplace(offset, sub);
  } else {
    *owned = true;
  }
  *out = sub;
  return CL_SUCCESS;
}

namespace ahal_opencl {

ahal_status_t buffer_create(ahal_plugin_device_t* device, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out_buffer) {
  uint32_t flags = AHAL_PLUGIN_HAS_FIELD(args, ahal_buffer_args_t, flags) ? args->flags : 0;
  cl_mem_flags cl_flags = CL_MEM_READ_WRITE;
  // Host-visible memory that need not be device-local lives where the host
  // reaches it directly, so maps cost no copy.
  if ((flags & AHAL_MEMORY_HOST_VISIBLE) && !(flags & AHAL_MEMORY_DEVICE_LOCAL)) {
    cl_flags |= CL_MEM_ALLOC_HOST_PTR;
  }
  cl_int err = CL_SUCCESS;
  cl_mem mem = clCreateBuffer(device->context, cl_flags, args->size, nullptr, &err);
  if (err != CL_SUCCESS) {
    return fail_cl(err, "clCreateBuffer", std::to_string(args->size) + " bytes");
  }
  auto buffer = std::make_unique<ahal_plugin_buffer_s>();
  buffer->device = device;
  buffer->mem = mem;
  buffer->size = args->size;
  *out_buffer = buffer.release();
  return AHAL_SUCCESS;
}

void buffer_destroy(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer) {
  if (buffer->mapped) {
    clEnqueueUnmapMemObject(device->io_queue, buffer->mem, buffer->mapped, 0, nullptr, nullptr);
    clFinish(device->io_queue);
  }
  for (auto& [offset, view] : buffer->views) clReleaseMemObject(view);
  clReleaseMemObject(buffer->mem);
  delete buffer;
}

ahal_status_t buffer_map(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                         uint64_t offset, uint64_t size, void** out_pointer) {
  std::lock_guard<std::mutex> lock(buffer->mutex);
  if (buffer->mapped) return fail(AHAL_ERROR_INVALID_STATE, "the buffer is already mapped");
  cl_int err = CL_SUCCESS;
  void* pointer =
      clEnqueueMapBuffer(device->io_queue, buffer->mem, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, offset,
                         size, 0, nullptr, nullptr, &err);
  if (err != CL_SUCCESS) return fail_cl(err, "clEnqueueMapBuffer");
  buffer->mapped = pointer;
  *out_pointer = pointer;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer) {
  std::lock_guard<std::mutex> lock(buffer->mutex);
  if (!buffer->mapped) return fail(AHAL_ERROR_INVALID_STATE, "the buffer is not mapped");
  cl_int err =
      clEnqueueUnmapMemObject(device->io_queue, buffer->mem, buffer->mapped, 0, nullptr, nullptr);
  if (err != CL_SUCCESS) return fail_cl(err, "clEnqueueUnmapMemObject");
  buffer->mapped = nullptr;
  // Later stream work must see what the host wrote: wait for the unmap.
  err = clFinish(device->io_queue);
  if (err != CL_SUCCESS) return fail_cl(err, "clFinish", "after clEnqueueUnmapMemObject");
  return AHAL_SUCCESS;
}

// Pinned memory: a CL_MEM_ALLOC_HOST_PTR buffer mapped once. Drivers place it
// in page-locked host memory and copy from its mapped pointer by DMA.
ahal_status_t host_alloc(ahal_plugin_device_t* device, uint64_t size, uint32_t flags,
                         void** out_pointer, ahal_plugin_host_alloc_t** out_alloc) {
  cl_int err = CL_SUCCESS;
  cl_mem mem = clCreateBuffer(device->context, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, size,
                              nullptr, &err);
  if (err != CL_SUCCESS) {
    return fail_cl(err, "clCreateBuffer", std::to_string(size) + " bytes of pinned host memory");
  }
  void* pointer = clEnqueueMapBuffer(device->io_queue, mem, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0,
                                     size, 0, nullptr, nullptr, &err);
  if (err != CL_SUCCESS) {
    clReleaseMemObject(mem);
    return fail_cl(err, "clEnqueueMapBuffer", "pinned host memory");
  }
  auto alloc = std::make_unique<ahal_plugin_host_alloc_s>();
  alloc->mem = mem;
  alloc->pointer = pointer;
  *out_pointer = pointer;
  *out_alloc = alloc.release();
  return AHAL_SUCCESS;
}

void host_free(ahal_plugin_device_t* device, ahal_plugin_host_alloc_t* alloc) {
  clEnqueueUnmapMemObject(device->io_queue, alloc->mem, alloc->pointer, 0, nullptr, nullptr);
  clFinish(device->io_queue);
  clReleaseMemObject(alloc->mem);
  delete alloc;
}

}  // namespace ahal_opencl
