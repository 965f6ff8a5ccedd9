// Buffers (with a cache of sub-buffers for binding offsets) and maps.
#include "objects.hpp"

using ahal_opencl::cl;

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
  cl_mem sub = cl.CreateSubBuffer(mem, 0, CL_BUFFER_CREATE_TYPE_REGION, &region, &err);
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
  // On host_svm devices the storage is fine-grained SVM wrapped as a
  // cl_mem (OpenCL 2.0 lets CL_MEM_USE_HOST_PTR take an SVM pointer as the
  // buffer's own storage): kernels, copies and native handles see a cl_mem,
  // the host a pointer it may use between stream work without a map.
  void* svm = nullptr;
  if (device->host_svm) {
    svm = cl.SVMAlloc(device->context, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER,
                      static_cast<size_t>(args->size), 0);
    if (!svm) {
      return fail(AHAL_ERROR_OUT_OF_DEVICE_MEMORY, "clSVMAlloc of " + std::to_string(args->size) +
                                                       " bytes of fine-grained SVM failed");
    }
    cl_flags = CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR;
  }
  cl_int err = CL_SUCCESS;
  cl_mem mem = cl.CreateBuffer(device->context, cl_flags, args->size, svm, &err);
  if (err != CL_SUCCESS) {
    if (svm) cl.SVMFree(device->context, svm);
    return fail_cl(err, "clCreateBuffer", std::to_string(args->size) + " bytes");
  }
  auto buffer = std::make_unique<ahal_plugin_buffer_s>();
  buffer->device = device;
  buffer->mem = mem;
  buffer->svm = svm;
  buffer->size = args->size;
  *out_buffer = buffer.release();
  return AHAL_SUCCESS;
}

void buffer_destroy(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer) {
  if (buffer->mapped) {
    cl.EnqueueUnmapMemObject(device->io_queue, buffer->mem, buffer->mapped, 0, nullptr, nullptr);
    cl.Finish(device->io_queue);
  }
  for (auto& [offset, view] : buffer->views) cl.ReleaseMemObject(view);
  cl.ReleaseMemObject(buffer->mem);
  // The loader waited for the work that used the buffer (docs/memory.md),
  // so nothing reads the SVM any more.
  if (buffer->svm) cl.SVMFree(device->context, buffer->svm);
  delete buffer;
}

ahal_status_t buffer_host_address(ahal_plugin_device_t*, ahal_plugin_buffer_t* buffer,
                                  void** out_pointer) {
  if (!buffer->svm) {
    return fail(AHAL_ERROR_UNSUPPORTED,
                "the device's buffers are not fine-grained SVM of host memory "
                "(OpenCL 2.0 SVM with CL_DEVICE_HOST_UNIFIED_MEMORY)");
  }
  *out_pointer = buffer->svm;
  return AHAL_SUCCESS;
}

// Native-handle interop (docs/interop.md): the cl_mem and its cl_context.
ahal_status_t buffer_get_native(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                                ahal_native_buffer_t* out_native) {
  out_native->kind = AHAL_NATIVE_HANDLE_OPENCL_MEM;
  out_native->handle = reinterpret_cast<uintptr_t>(buffer->mem);
  out_native->context = reinterpret_cast<uintptr_t>(device->context);
  return AHAL_SUCCESS;
}

ahal_status_t buffer_map(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                         uint64_t offset, uint64_t size, void** out_pointer) {
  std::lock_guard<std::mutex> lock(buffer->mutex);
  if (buffer->mapped) return fail(AHAL_ERROR_INVALID_STATE, "the buffer is already mapped");
  cl_int err = CL_SUCCESS;
  void* pointer =
      cl.EnqueueMapBuffer(device->io_queue, buffer->mem, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE,
                          offset, size, 0, nullptr, nullptr, &err);
  if (err != CL_SUCCESS) return fail_cl(err, "clEnqueueMapBuffer");
  buffer->mapped = pointer;
  *out_pointer = pointer;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer) {
  std::lock_guard<std::mutex> lock(buffer->mutex);
  if (!buffer->mapped) return fail(AHAL_ERROR_INVALID_STATE, "the buffer is not mapped");
  cl_int err =
      cl.EnqueueUnmapMemObject(device->io_queue, buffer->mem, buffer->mapped, 0, nullptr, nullptr);
  if (err != CL_SUCCESS) return fail_cl(err, "clEnqueueUnmapMemObject");
  buffer->mapped = nullptr;
  // Later stream work must see what the host wrote: wait for the unmap.
  err = cl.Finish(device->io_queue);
  if (err != CL_SUCCESS) return fail_cl(err, "clFinish", "after clEnqueueUnmapMemObject");
  return AHAL_SUCCESS;
}

}  // namespace ahal_opencl
