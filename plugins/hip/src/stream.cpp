// Streams: non-blocking HIP streams with the device's priorities; copies,
// fills, launches, host callbacks, event records and waits.
#include "objects.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace ahal_hip {

ahal_status_t stream_create(ahal_plugin_device_t* dev, const ahal_stream_args_t* args,
                            ahal_plugin_stream_t** out_stream) {
  if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
  int32_t priority = 0;
  if (args && AHAL_PLUGIN_HAS_FIELD(args, ahal_stream_args_t, priority)) priority = args->priority;
  // ahal and HIP agree that lower numbers mean higher priority; clamp to
  // what the device offers.
  int hip_priority =
      std::clamp(static_cast<int>(priority), dev->greatest_priority, dev->least_priority);
  auto stream = std::make_unique<ahal_plugin_stream_t>();
  stream->device = dev;
  AHAL_HIP_CALL(dev, dev->rt->hipStreamCreateWithPriority(&stream->stream, hipStreamNonBlocking,
                                                          hip_priority));
  *out_stream = stream.release();
  return AHAL_SUCCESS;
}

void stream_destroy(ahal_plugin_stream_t* stream) {
  log_failure(stream->device, stream->device->rt->hipStreamDestroy(stream->stream),
              "hipStreamDestroy");
  delete stream;
}

void* device_address(const ahal_plugin_buffer_t* buffer, uint64_t offset) {
  return static_cast<uint8_t*>(buffer->device_pointer) + offset;
}

ahal_status_t stream_copy_h2d(ahal_plugin_stream_t* s, const void* src, ahal_plugin_buffer_t* dst,
                              uint64_t dst_offset, uint64_t size) {
  AHAL_HIP_CALL(s->device,
                s->device->rt->hipMemcpyHtoDAsync(device_address(dst, dst_offset),
                                                  const_cast<void*>(src), size, s->stream));
  return AHAL_SUCCESS;
}

ahal_status_t stream_copy_d2h(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, void* dst, uint64_t size) {
  AHAL_HIP_CALL(s->device, s->device->rt->hipMemcpyDtoHAsync(dst, device_address(src, src_offset),
                                                             size, s->stream));
  return AHAL_SUCCESS;
}

ahal_status_t stream_copy_d2d(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                              uint64_t size) {
  AHAL_HIP_CALL(s->device, s->device->rt->hipMemcpyDtoDAsync(device_address(dst, dst_offset),
                                                             device_address(src, src_offset), size,
                                                             s->stream));
  return AHAL_SUCCESS;
}

hipError_t enqueue_fill(const Runtime& rt, hipStream_t stream, void* dst, uint64_t size,
                        uint32_t pattern, uint32_t pattern_size, const char** call) {
  switch (pattern_size) {
    case 1:
      *call = "hipMemsetD8Async";
      return rt.hipMemsetD8Async(dst, static_cast<unsigned char>(pattern), size, stream);
    case 2:
      *call = "hipMemsetD16Async";
      return rt.hipMemsetD16Async(dst, static_cast<unsigned short>(pattern), size / 2, stream);
    default:  // 4: the loader checked it
      *call = "hipMemsetD32Async";
      return rt.hipMemsetD32Async(dst, static_cast<int>(pattern), size / 4, stream);
  }
}

ahal_status_t stream_fill(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* buffer, uint64_t offset,
                          uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  if (pattern_size != 1 && pattern_size != 2 && pattern_size != 4)
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                "pattern_size " + std::to_string(pattern_size) + " is not 1, 2 or 4");
  const char* call = "";
  const hipError_t err = enqueue_fill(*s->device->rt, s->stream, device_address(buffer, offset),
                                      size, pattern, pattern_size, &call);
  return err == hipSuccess ? AHAL_SUCCESS : hip_fail(s->device, err, call);
}

ahal_status_t check_launch(const ahal_plugin_launch_t* launch, const std::string& context) {
  // HIP (HSA) counts the grid in work-items, at most 2^32 - 1 per dimension.
  static const char* const kAxis = "xyz";
  for (int i = 0; i < 3; ++i) {
    uint64_t items = uint64_t{launch->grid[i]} * launch->workgroup_size[i];
    if (items > UINT32_MAX)
      return fail(AHAL_ERROR_OUT_OF_RANGE, context + "grid " + kAxis[i] +
                                               " x workgroup size = " + std::to_string(items) +
                                               " work-items exceeds HIP's limit of 2^32 - 1");
  }
  return AHAL_SUCCESS;
}

hipError_t enqueue_launch(const Runtime& rt, hipStream_t stream, const ahal_plugin_kernel_t* kernel,
                          const ahal_plugin_launch_t* launch) {
  void* pointers[AHAL_MAX_BINDINGS];
  void* params[AHAL_MAX_BINDINGS + 1];
  uint32_t count = 0;
  for (uint32_t i = 0; i < launch->binding_count; ++i) {
    pointers[i] = device_address(launch->bindings[i].buffer, launch->bindings[i].offset);
    params[count++] = &pointers[i];
  }
  // 8-byte aligned copy of the constants struct, passed by value; HIP
  // copies the values at the call (a captured launch included). The
  // loader keeps constants_size within max_constants_size.
  uint64_t constants[kMaxConstantsSize / 8];
  if (launch->constants_size > 0) {
    std::memcpy(constants, launch->constants,
                std::min<size_t>(launch->constants_size, sizeof(constants)));
    params[count++] = constants;
  }
  return rt.hipModuleLaunchKernel(
      kernel->function, launch->grid[0], launch->grid[1], launch->grid[2],
      launch->workgroup_size[0], launch->workgroup_size[1], launch->workgroup_size[2],
      launch->dynamic_shared_bytes, stream, count ? params : nullptr, nullptr);
}

ahal_status_t stream_launch(ahal_plugin_stream_t* s, ahal_plugin_kernel_t* kernel,
                            const ahal_plugin_launch_t* launch) {
  if (ahal_status_t st = check_launch(launch)) return st;
  const hipError_t err = enqueue_launch(*s->device->rt, s->stream, kernel, launch);
  return err == hipSuccess ? AHAL_SUCCESS : hip_fail(s->device, err, "hipModuleLaunchKernel");
}

struct HostCallback {
  ahal_host_fn_t fn;
  void* user_data;
};

void host_callback_trampoline(hipStream_t, hipError_t, void* data) {
  std::unique_ptr<HostCallback> cb(static_cast<HostCallback*>(data));
  cb->fn(cb->user_data);
}

ahal_status_t stream_host_callback(ahal_plugin_stream_t* s, ahal_host_fn_t fn, void* user_data) {
  const Runtime& rt = *s->device->rt;
  if (rt.hipLaunchHostFunc) {
    AHAL_HIP_CALL(s->device, rt.hipLaunchHostFunc(s->stream, fn, user_data));
    return AHAL_SUCCESS;
  }
  auto cb = std::make_unique<HostCallback>(HostCallback{fn, user_data});
  AHAL_HIP_CALL(s->device,
                rt.hipStreamAddCallback(s->stream, host_callback_trampoline, cb.get(), 0));
  cb.release();  // the trampoline frees it
  return AHAL_SUCCESS;
}

ahal_status_t stream_record_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* event) {
  AHAL_HIP_CALL(s->device, s->device->rt->hipEventRecord(event->event, s->stream));
  event->recorded = true;
  return AHAL_SUCCESS;
}

ahal_status_t stream_wait_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* event) {
  if (!event->recorded) return AHAL_SUCCESS;  // nothing to wait for
  AHAL_HIP_CALL(s->device, s->device->rt->hipStreamWaitEvent(s->stream, event->event, 0));
  return AHAL_SUCCESS;
}

ahal_status_t stream_synchronize(ahal_plugin_stream_t* s) {
  AHAL_HIP_CALL(s->device, s->device->rt->hipStreamSynchronize(s->stream));
  return AHAL_SUCCESS;
}

ahal_status_t stream_query(ahal_plugin_stream_t* s) {
  hipError_t err = s->device->rt->hipStreamQuery(s->stream);
  if (err == hipSuccess) return AHAL_SUCCESS;
  if (err == hipErrorNotReady) return AHAL_NOT_READY;
  return hip_fail(s->device, err, "hipStreamQuery");
}

}  // namespace ahal_hip
