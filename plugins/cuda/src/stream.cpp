// Streams: non-blocking CUDA streams with the device's priorities; copies,
// fills, launches (docs/kernel-abi.md), host callbacks, event records and
// waits.
#include "objects.hpp"

#include <algorithm>
#include <cinttypes>

namespace ahal_cuda {

ahal_status_t stream_create(ahal_plugin_device_t* d, const ahal_stream_args_t* args,
                            ahal_plugin_stream_t** out_stream) {
  int priority = 0;
  if (args && AHAL_PLUGIN_HAS_FIELD(args, ahal_stream_args_t, priority)) priority = args->priority;
  // ahal and CUDA agree that lower numbers run first; CUDA's default is
  // its lowest priority, so "lower than normal" is normal.
  const int cuda_priority = std::max(d->priority_greatest, std::min(d->priority_least, priority));
  std::unique_ptr<ahal_plugin_stream_t> s(new ahal_plugin_stream_t{d, nullptr});
  AHAL_MAKE_CURRENT(d);
  AHAL_CU_CHECK(
      d, d->drv().cuStreamCreateWithPriority(&s->stream, CU_STREAM_NON_BLOCKING, cuda_priority),
      "cuStreamCreateWithPriority(non-blocking, priority %d)", cuda_priority);
  *out_stream = s.release();
  return AHAL_SUCCESS;
}

void stream_destroy(ahal_plugin_stream_t* s) {
  ahal_plugin_device_t* d = s->device;
  if (make_current(d) == CUDA_SUCCESS) {
    const CUresult result = d->drv().cuStreamDestroy(s->stream);
    if (result != CUDA_SUCCESS) log_failure(d, "cuStreamDestroy", result);
  }
  delete s;
}

ahal_status_t stream_copy_h2d(ahal_plugin_stream_t* s, const void* src, ahal_plugin_buffer_t* dst,
                              uint64_t dst_offset, uint64_t size) {
  ahal_plugin_device_t* d = s->device;
  if (size == 0) return AHAL_SUCCESS;
  AHAL_MAKE_CURRENT(d);
  const Driver& drv = d->drv();
  // A host-visible buffer is host memory: let unified addressing pick the copy.
  const CUresult result =
      dst->host ? drv.cuMemcpyAsync(dst->ptr + dst_offset, reinterpret_cast<CUdeviceptr>(src), size,
                                    s->stream)
                : drv.cuMemcpyHtoDAsync(dst->ptr + dst_offset, src, size, s->stream);
  AHAL_CU_CHECK(d, result, "copy of %" PRIu64 " bytes from host to %s", size, d->props.name);
  return AHAL_SUCCESS;
}

ahal_status_t stream_copy_d2h(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, void* dst, uint64_t size) {
  ahal_plugin_device_t* d = s->device;
  if (size == 0) return AHAL_SUCCESS;
  AHAL_MAKE_CURRENT(d);
  const Driver& drv = d->drv();
  const CUresult result = src->host
                              ? drv.cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                                  src->ptr + src_offset, size, s->stream)
                              : drv.cuMemcpyDtoHAsync(dst, src->ptr + src_offset, size, s->stream);
  AHAL_CU_CHECK(d, result, "copy of %" PRIu64 " bytes from %s to host", size, d->props.name);
  return AHAL_SUCCESS;
}

namespace {

// Lets `from` reach `to`'s memory directly (NVLink/PCIe P2P) where the pair
// can; tried once per pair. Without it cuMemcpyPeerAsync stages through the host.
void enable_peer_access(ahal_plugin_device_t* from, ahal_plugin_device_t* to) noexcept {
  if (to->ordinal >= 64) return;
  const uint64_t bit = 1ull << to->ordinal;
  if (from->peers_checked.fetch_or(bit) & bit) return;
  const Driver& drv = from->drv();
  int can = 0;
  if (drv.cuDeviceCanAccessPeer(&can, from->device, to->device) != CUDA_SUCCESS || !can) return;
  if (make_current(from) != CUDA_SUCCESS) return;
  const CUresult result = drv.cuCtxEnablePeerAccess(to->context, 0);
  if (result != CUDA_SUCCESS && result != CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED)
    log_failure(from, "cuCtxEnablePeerAccess", result);
}

}  // namespace

ahal_status_t stream_copy_d2d(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                              uint64_t size) {
  ahal_plugin_device_t* d = s->device;
  if (size == 0) return AHAL_SUCCESS;
  const Driver& drv = d->drv();
  const CUdeviceptr from = src->ptr + src_offset;
  const CUdeviceptr to = dst->ptr + dst_offset;
  CUresult result;
  if (src->host || dst->host) {
    AHAL_MAKE_CURRENT(d);
    result = drv.cuMemcpyAsync(to, from, size, s->stream);
  } else if (src->device != dst->device) {
    enable_peer_access(dst->device, src->device);
    enable_peer_access(src->device, dst->device);
    AHAL_MAKE_CURRENT(d);
    result = drv.cuMemcpyPeerAsync(to, dst->device->context, from, src->device->context, size,
                                   s->stream);
  } else {
    AHAL_MAKE_CURRENT(d);
    result = drv.cuMemcpyDtoDAsync(to, from, size, s->stream);
  }
  AHAL_CU_CHECK(d, result, "copy of %" PRIu64 " bytes from %s to %s", size, src->device->props.name,
                dst->device->props.name);
  return AHAL_SUCCESS;
}

ahal_status_t stream_fill(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* b, uint64_t offset,
                          uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  ahal_plugin_device_t* d = s->device;
  if (size == 0) return AHAL_SUCCESS;
  AHAL_MAKE_CURRENT(d);
  const Driver& drv = d->drv();
  const CUdeviceptr ptr = b->ptr + offset;
  CUresult result;
  switch (pattern_size) {
    case 1:
      result = drv.cuMemsetD8Async(ptr, static_cast<unsigned char>(pattern), size, s->stream);
      break;
    case 2:
      result = drv.cuMemsetD16Async(ptr, static_cast<unsigned short>(pattern), size / 2, s->stream);
      break;
    case 4:
      result = drv.cuMemsetD32Async(ptr, pattern, size / 4, s->stream);
      break;
    default:
      return fail(AHAL_ERROR_INVALID_ARGUMENT,
                  ahal::plugin::format("fill pattern size %u is not 1, 2 or 4", pattern_size));
  }
  AHAL_CU_CHECK(d, result, "cuMemsetD%uAsync(%" PRIu64 " bytes)", pattern_size * 8, size);
  return AHAL_SUCCESS;
}

namespace {

// Raises the kernel's dynamic shared memory limit (needed above 48 KiB);
// the limit only grows, so each size is set once.
ahal_status_t raise_dynamic_limit(ahal_plugin_device_t* d, ahal_plugin_kernel_t* k,
                                  uint32_t bytes) {
  std::lock_guard<std::mutex> lock(k->dynamic_mutex);
  if (bytes <= k->dynamic_limit.load(std::memory_order_relaxed)) return AHAL_SUCCESS;
  const uint32_t static_bytes = static_cast<uint32_t>(k->static_shared);
  if (static_bytes + static_cast<uint64_t>(bytes) > d->shared_optin)
    return fail(AHAL_ERROR_OUT_OF_RANGE,
                ahal::plugin::format(
                    "kernel %s: %u dynamic + %u static shared bytes exceed the %u bytes a "
                    "block of %s can have",
                    k->entry.c_str(), bytes, static_bytes, d->shared_optin, d->props.name));
  AHAL_MAKE_CURRENT(d);
  AHAL_CU_CHECK(
      d,
      d->drv().cuFuncSetAttribute(k->function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                  static_cast<int>(bytes)),
      "cuFuncSetAttribute(%s, MAX_DYNAMIC_SHARED_SIZE_BYTES, %u)", k->entry.c_str(), bytes);
  k->dynamic_limit.store(bytes, std::memory_order_release);
  return AHAL_SUCCESS;
}

}  // namespace

namespace {

ahal_status_t param_mismatch(ahal_plugin_device_t* d, const ahal_plugin_kernel_t* k,
                             uint32_t bindings, uint32_t constants_size) {
  return fail(AHAL_ERROR_INVALID_ARGUMENT,
              ahal::plugin::format(
                  "kernel %s takes %d parameters (the first %d of 8 bytes, the last of %zu "
                  "bytes) but the launch passes %u bindings and %u constant bytes "
                  "(docs/kernel-abi.md: one pointer per binding, then one struct)",
                  k->entry.c_str(), k->param_count, k->pointer_prefix, k->last_param_size, bindings,
                  constants_size));
}

}  // namespace

ahal_status_t check_launch(ahal_plugin_device_t* d, ahal_plugin_kernel_t* k,
                           const ahal_plugin_launch_t* launch) {
  if (k->module->device != d)
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                "the kernel was loaded on another device than the stream's");
  const uint32_t bindings = launch->binding_count;
  const uint32_t constants_size = launch->constants_size;
  if (bindings > AHAL_MAX_BINDINGS)
    return fail(AHAL_ERROR_OUT_OF_RANGE,
                ahal::plugin::format("%u bindings (at most %u)", bindings, AHAL_MAX_BINDINGS));
  if (k->param_count >= 0) {
    const int expected = static_cast<int>(bindings) + (constants_size > 0 ? 1 : 0);
    if (k->param_count != expected || static_cast<int>(bindings) > k->pointer_prefix ||
        (constants_size > 0 && k->last_param_size != constants_size))
      return param_mismatch(d, k, bindings, constants_size);
  }
  if (launch->dynamic_shared_bytes > k->dynamic_limit.load(std::memory_order_acquire))
    return raise_dynamic_limit(d, k, launch->dynamic_shared_bytes);
  return AHAL_SUCCESS;
}

// The hot path: no allocation, one cached context check, one driver call.
ahal_status_t stream_launch(ahal_plugin_stream_t* s, ahal_plugin_kernel_t* k,
                            const ahal_plugin_launch_t* launch) {
  ahal_plugin_device_t* d = s->device;
  if (const ahal_status_t status = check_launch(d, k, launch)) return status;
  const uint32_t bindings = launch->binding_count;
  const uint32_t constants_size = launch->constants_size;
  CUdeviceptr pointers[AHAL_MAX_BINDINGS];
  void* params[AHAL_MAX_BINDINGS + 1];
  for (uint32_t i = 0; i < bindings; ++i) {
    pointers[i] = launch->bindings[i].buffer->ptr + launch->bindings[i].offset;
    params[i] = &pointers[i];
  }
  // The driver copies parameter values at launch, so the caller's constants
  // can be passed in place.
  if (constants_size > 0) params[bindings] = const_cast<void*>(launch->constants);
  const uint32_t dynamic_bytes = launch->dynamic_shared_bytes;
  AHAL_MAKE_CURRENT(d);
  const CUresult result =
      d->drv().cuLaunchKernel(k->function, launch->grid[0], launch->grid[1], launch->grid[2],
                              launch->workgroup_size[0], launch->workgroup_size[1],
                              launch->workgroup_size[2], dynamic_bytes, s->stream, params, nullptr);
  AHAL_CU_CHECK(d, result,
                "cuLaunchKernel(%s, grid %ux%ux%u, block %ux%ux%u, %u dynamic shared bytes)",
                k->entry.c_str(), launch->grid[0], launch->grid[1], launch->grid[2],
                launch->workgroup_size[0], launch->workgroup_size[1], launch->workgroup_size[2],
                dynamic_bytes);
  return AHAL_SUCCESS;
}

ahal_status_t stream_host_callback(ahal_plugin_stream_t* s, ahal_host_fn_t fn, void* user_data) {
  ahal_plugin_device_t* d = s->device;
  AHAL_MAKE_CURRENT(d);
  // ahal_host_fn_t and CUhostFn are both void(void*): no wrapper to allocate.
  AHAL_CU_CHECK(d, d->drv().cuLaunchHostFunc(s->stream, fn, user_data), "cuLaunchHostFunc");
  return AHAL_SUCCESS;
}

ahal_status_t stream_record_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* e) {
  ahal_plugin_device_t* d = s->device;
  if (e->device != d)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "the event belongs to another device than the stream");
  AHAL_MAKE_CURRENT(d);
  AHAL_CU_CHECK(d, d->drv().cuEventRecord(e->event, s->stream), "cuEventRecord");
  e->recorded.store(true, std::memory_order_release);
  return AHAL_SUCCESS;
}

ahal_status_t stream_wait_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* e) {
  ahal_plugin_device_t* d = s->device;
  AHAL_MAKE_CURRENT(d);
  AHAL_CU_CHECK(d, d->drv().cuStreamWaitEvent(s->stream, e->event, 0), "cuStreamWaitEvent");
  return AHAL_SUCCESS;
}

ahal_status_t stream_synchronize(ahal_plugin_stream_t* s) {
  ahal_plugin_device_t* d = s->device;
  AHAL_MAKE_CURRENT(d);
  AHAL_CU_CHECK(d, d->drv().cuStreamSynchronize(s->stream), "cuStreamSynchronize");
  return AHAL_SUCCESS;
}

ahal_status_t stream_query(ahal_plugin_stream_t* s) {
  ahal_plugin_device_t* d = s->device;
  AHAL_MAKE_CURRENT(d);
  const CUresult result = d->drv().cuStreamQuery(s->stream);
  if (result == CUDA_SUCCESS) return AHAL_SUCCESS;
  if (result == CUDA_ERROR_NOT_READY) return AHAL_NOT_READY;
  return cu_fail(d, result, "cuStreamQuery");
}

}  // namespace ahal_cuda
