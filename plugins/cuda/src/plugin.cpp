// The CUDA plugin: one device per GPU on its primary context, driven through
// the driver API that cuda_driver.cpp opens at run time. docs/gpu/README.md
// describes the choices (host-visible memory, priorities, shared memory).
#include "cuda_arch.hpp"
#include "cuda_driver.hpp"

#include <ahal/plugin.h>
#include <ahal/plugin.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

using ahal_cuda::Driver;

struct ahal_plugin_instance_s {
  const ahal_plugin_host_t* host = nullptr;
  Driver driver;
  uint32_t device_count = 0;
};

struct ahal_plugin_device_s {
  ahal_plugin_instance_s* instance = nullptr;
  uint64_t id = 0;  // unique per open, never reused: keys the current-context cache
  int ordinal = 0;
  CUdevice device = 0;
  CUcontext context = nullptr;
  int cc = 0;  // compute capability, major * 10 + minor
  uint32_t shared_optin = 0;
  int priority_least = 0;                  // CUDA's lowest stream priority (numerically largest)
  int priority_greatest = 0;               // highest (numerically smallest)
  std::atomic<uint64_t> peers_checked{0};  // bit n: peer access to ordinal n was tried
  ahal_device_properties_t props{};

  const Driver& drv() const { return instance->driver; }
};

struct ahal_plugin_buffer_s {
  ahal_plugin_device_t* device;
  CUdeviceptr ptr;  // device address (for host-visible buffers, of the mapped host memory)
  void* host;       // host-visible buffers only: pinned host memory, mapped to the device
  uint64_t size;
};

struct ahal_plugin_host_alloc_s {
  ahal_plugin_device_t* device;
  void* ptr;
};

struct ahal_plugin_stream_s {
  ahal_plugin_device_t* device;
  CUstream stream;
};

struct ahal_plugin_event_s {
  ahal_plugin_device_t* device;
  CUevent event;
  bool timing;
  std::atomic<bool> recorded{false};
};

struct KernelInfo {
  std::string name;
  uint32_t binding_count, constants_size, flags;
};

struct ahal_plugin_kernel_s {
  ahal_plugin_module_t* module;
  CUfunction function;
  std::string entry;
  int max_threads;
  int static_shared;
  // Parameter layout from cuFuncGetParamInfo (CUDA 12.4+); -1 if unknown.
  int param_count = -1;
  int pointer_prefix = 0;  // leading 8-byte parameters
  size_t last_param_size = 0;
  const KernelInfo* info = nullptr;
  // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES as last set; raised on demand.
  std::atomic<uint32_t> dynamic_limit{0};
  std::mutex dynamic_mutex;
};

struct ahal_plugin_module_s {
  ahal_plugin_device_t* device;
  CUmodule module;
  std::vector<KernelInfo> infos;
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<ahal_plugin_kernel_t>> kernels;
};

namespace {

std::atomic<uint64_t> g_next_device_id{1};
// The loader's callbacks, for failures that have no device at hand (one
// libahal per process, so every instance gets the same).
std::atomic<const ahal_plugin_host_t*> g_host{nullptr};
// Device whose primary context this thread made current last, so the hot
// paths skip cuCtxSetCurrent. It assumes nothing else on the thread switches
// contexts behind the plugin's back (docs/gpu/README.md).
thread_local uint64_t t_current_device = 0;

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return buf;
}

ahal_status_t fail(const ahal_plugin_host_t* host, ahal_status_t status,
                   const std::string& message) noexcept {
  if (host && host->set_error_message) host->set_error_message(message.c_str());
  return status;
}

ahal_status_t fail(const ahal_plugin_device_t* d, ahal_status_t status,
                   const std::string& message) noexcept {
  return fail(d->instance->host, status, message);
}

// Error paths build strings; a failed allocation there must not throw out
// of the plugin.
template <typename MakeWhat>
ahal_status_t cu_fail(const ahal_plugin_device_t* d, CUresult result, MakeWhat make_what) noexcept {
  const ahal_status_t status = ahal_cuda::status_of(result);
  try {
    std::string message = d->drv().message(make_what().c_str(), result);
    if (ahal_cuda::is_sticky(result))
      message += "; the CUDA context of " + std::string(d->props.name) +
                 " is unusable from now on (a sticky error: CUDA recovers only in a new process)";
    return fail(d, status, message);
  } catch (...) {
    return fail(d, status, "CUDA call failed (and the message did not fit in memory)");
  }
}

void log_failure(const ahal_plugin_device_t* d, const char* what, CUresult result) noexcept {
  const ahal_plugin_host_t* host = d->instance->host;
  if (!host || !host->log) return;
  try {
    host->log(AHAL_LOG_WARNING, "cuda", d->drv().message(what, result).c_str());
  } catch (...) {
  }
}

inline CUresult make_current(ahal_plugin_device_t* d) noexcept {
  if (t_current_device == d->id) return CUDA_SUCCESS;
  const CUresult result = d->drv().cuCtxSetCurrent(d->context);
  if (result == CUDA_SUCCESS) t_current_device = d->id;
  return result;
}

#define AHAL_CU_CHECK(device, call, ...)                                       \
  do {                                                                         \
    const CUresult cu_result_ = (call);                                        \
    if (cu_result_ != CUDA_SUCCESS)                                            \
      return cu_fail(device, cu_result_, [&] { return format(__VA_ARGS__); }); \
  } while (0)

#define AHAL_MAKE_CURRENT(device)                                                       \
  AHAL_CU_CHECK(device, make_current(device), "cuCtxSetCurrent(primary context of %s)", \
                (device)->props.name)

ahal_status_t out_of_host_memory(const ahal_plugin_host_t* host, const char* what) noexcept {
  if (host && host->set_error_message) host->set_error_message(what);
  return AHAL_ERROR_OUT_OF_HOST_MEMORY;
}

// ------------------------------------------------------------------ plugin

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance) {
  g_host.store(host);
  auto instance = std::make_unique<ahal_plugin_instance_t>();
  instance->host = host;
  std::string error;
  const ahal_status_t status = instance->driver.load(&error);
  if (status != AHAL_SUCCESS) return fail(host, status, error);
  const Driver& drv = instance->driver;
  int count = 0;
  const CUresult result = drv.cuDeviceGetCount(&count);
  if (result != CUDA_SUCCESS)
    return fail(host, ahal_cuda::status_of(result), drv.message("cuDeviceGetCount", result));
  if (count <= 0)
    return fail(host, AHAL_ERROR_NOT_FOUND, "CUDA driver " + drv.path() + " reports no device");
  instance->device_count = static_cast<uint32_t>(count);
  *out_instance = instance.release();
  return AHAL_SUCCESS;
}

void plugin_shutdown(ahal_plugin_instance_t* instance) { delete instance; }

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  *out_count = instance->device_count;
  return AHAL_SUCCESS;
}

// ------------------------------------------------------------------ device

ahal_status_t query_properties(ahal_plugin_device_t* d) {
  const Driver& drv = d->drv();
  auto attr = [&](CUdevice_attribute attribute) {
    int value = 0;
    // An attribute this driver does not know reads as 0 (unknown).
    if (drv.cuDeviceGetAttribute(&value, attribute, d->device) != CUDA_SUCCESS) value = 0;
    return value;
  };
  auto clamp_u32 = [](int v) { return v > 0 ? static_cast<uint32_t>(v) : 0u; };
  ahal_device_properties_t& p = d->props;
  p.struct_size = sizeof(p);

  AHAL_CU_CHECK(d, drv.cuDeviceGetName(p.name, sizeof(p.name), d->device),
                "cuDeviceGetName(device %d)", d->ordinal);
  std::snprintf(p.vendor, sizeof(p.vendor), "NVIDIA");
  std::snprintf(p.driver_version, sizeof(p.driver_version), "CUDA %d.%d driver",
                drv.version() / 1000, drv.version() % 1000 / 10);
  const int major = attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
  const int minor = attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
  d->cc = major * 10 + minor;
  std::snprintf(p.arch, sizeof(p.arch), "%s", ahal_cuda::arch_name(major, minor).c_str());
  p.type = AHAL_DEVICE_TYPE_GPU;
  p.compute_units = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT));

  size_t total = 0;
  AHAL_CU_CHECK(d, drv.cuDeviceTotalMem(&total, d->device), "cuDeviceTotalMem(device %d)",
                d->ordinal);
  p.global_memory_bytes = total;
  p.max_allocation_bytes = total;  // CUDA sets no per-allocation cap below total memory

  p.max_workgroup_size = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK));
  p.max_workgroup_dims[0] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X));
  p.max_workgroup_dims[1] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y));
  p.max_workgroup_dims[2] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z));
  p.max_grid_dims[0] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X));
  p.max_grid_dims[1] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y));
  p.max_grid_dims[2] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z));
  // Above the default 48 KiB a launch opts in per kernel (stream_launch).
  d->shared_optin = std::max(clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)),
                             clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK)));
  p.shared_memory_per_workgroup = d->shared_optin;
  const uint32_t warp = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_WARP_SIZE));
  p.subgroup_size_min = warp;
  p.subgroup_size_max = warp;
  const int clock_khz = attr(CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
  p.clock_mhz = clamp_u32(clock_khz / 1000);
  p.max_bindings = AHAL_MAX_BINDINGS;
  // Kernel parameters: 4 KiB in all before CUDA 12.1 (and before Volta),
  // 32764 bytes since; 32 pointers take 256 of them.
  const bool large_params = drv.version() >= 12010 && major >= 7;
  p.max_constants_size = large_params ? AHAL_MAX_CONSTANTS_SIZE : 4096u - 8u * AHAL_MAX_BINDINGS;
  // Enough for 16-byte vector loads through a binding; cuMemAlloc gives 256.
  p.binding_offset_alignment = 16;
  p.module_formats = (1ull << AHAL_MODULE_FORMAT_PTX) | (1ull << AHAL_MODULE_FORMAT_CUBIN) |
                     (1ull << AHAL_MODULE_FORMAT_FATBIN);
  uint64_t features = AHAL_FEATURE_FP64 | AHAL_FEATURE_INT64_ATOMICS | AHAL_FEATURE_TIMESTAMPS |
                      AHAL_FEATURE_HOST_CALLBACKS | AHAL_FEATURE_DYNAMIC_SHARED_MEMORY |
                      AHAL_FEATURE_GENERAL_KERNELS;
  if (d->cc >= 53) features |= AHAL_FEATURE_FP16;
  // Host-visible buffers are pinned host memory mapped into the device.
  if (attr(CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY) && attr(CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING))
    features |= AHAL_FEATURE_HOST_VISIBLE_MEMORY;
  p.features = features;
  p.timestamp_resolution_ps = 500000;  // cuEventElapsedTime: about 0.5 us

  if (drv.cuDeviceGetUuid) {
    CUuuid uuid;
    if (drv.cuDeviceGetUuid(&uuid, d->device) == CUDA_SUCCESS) {
      std::memcpy(p.uuid, uuid.bytes, sizeof(p.uuid));
      p.has_uuid = 1;
    }
  }
  p.peak_memory_bandwidth_gbps =
      ahal_cuda::peak_bandwidth_gbps(attr(CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE),
                                     attr(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH));
  int fp32_lanes = 0, fp64_lanes = 0;
  if (ahal_cuda::lanes_per_sm(major, minor, &fp32_lanes, &fp64_lanes)) {
    const double ghz = clock_khz / 1e6;  // an FMA counts as two flops
    p.peak_fp32_gflops = 2.0 * fp32_lanes * p.compute_units * ghz;
    p.peak_fp64_gflops = 2.0 * fp64_lanes * p.compute_units * ghz;
  }

  AHAL_MAKE_CURRENT(d);
  AHAL_CU_CHECK(d, drv.cuCtxGetStreamPriorityRange(&d->priority_least, &d->priority_greatest),
                "cuCtxGetStreamPriorityRange(%s)", p.name);
  return AHAL_SUCCESS;
}

ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out_device) {
  const Driver& drv = instance->driver;
  auto d = std::make_unique<ahal_plugin_device_t>();
  d->instance = instance;
  d->ordinal = static_cast<int>(index);
  d->id = g_next_device_id.fetch_add(1);
  std::snprintf(d->props.name, sizeof(d->props.name), "CUDA device %u", index);
  AHAL_CU_CHECK(d.get(), drv.cuDeviceGet(&d->device, d->ordinal), "cuDeviceGet(%u)", index);
  AHAL_CU_CHECK(d.get(), drv.cuDevicePrimaryCtxRetain(&d->context, d->device),
                "cuDevicePrimaryCtxRetain(device %u)", index);
  const ahal_status_t status = query_properties(d.get());
  if (status != AHAL_SUCCESS) {
    drv.cuDevicePrimaryCtxRelease(d->device);
    return status;
  }
  *out_device = d.release();
  return AHAL_SUCCESS;
}

void device_close(ahal_plugin_device_t* d) {
  const CUresult result = d->drv().cuDevicePrimaryCtxRelease(d->device);
  if (result != CUDA_SUCCESS) log_failure(d, "cuDevicePrimaryCtxRelease", result);
  delete d;
}

ahal_status_t device_get_properties(ahal_plugin_device_t* d, ahal_device_properties_t* props) {
  // Write only what the caller's struct holds, and leave the loader's own
  // fields (plugin, selector) as they are.
  const size_t size = std::min(props->struct_size, sizeof(ahal_device_properties_t));
  const bool has_plugin = AHAL_PLUGIN_HAS_FIELD(props, ahal_device_properties_t, plugin);
  const bool has_selector = AHAL_PLUGIN_HAS_FIELD(props, ahal_device_properties_t, selector);
  char plugin[sizeof(props->plugin)] = {};
  char selector[sizeof(props->selector)] = {};
  if (has_plugin) std::memcpy(plugin, props->plugin, sizeof(plugin));
  if (has_selector) std::memcpy(selector, props->selector, sizeof(selector));
  const size_t caller_size = props->struct_size;
  std::memcpy(props, &d->props, size);
  props->struct_size = caller_size;
  if (has_plugin) std::memcpy(props->plugin, plugin, sizeof(plugin));
  if (has_selector) std::memcpy(props->selector, selector, sizeof(selector));
  return AHAL_SUCCESS;
}

ahal_status_t device_memory_usage(ahal_plugin_device_t* d, uint64_t* out_used,
                                  uint64_t* out_total) {
  AHAL_MAKE_CURRENT(d);
  size_t free_bytes = 0, total = 0;
  AHAL_CU_CHECK(d, d->drv().cuMemGetInfo(&free_bytes, &total), "cuMemGetInfo(%s)", d->props.name);
  *out_used = total - free_bytes;
  *out_total = total;
  return AHAL_SUCCESS;
}

// ------------------------------------------------------------------ memory

ahal_status_t buffer_create(ahal_plugin_device_t* d, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out_buffer) {
  const Driver& drv = d->drv();
  const uint64_t size = args->size;
  const uint32_t flags = AHAL_PLUGIN_HAS_FIELD(args, ahal_buffer_args_t, flags) ? args->flags : 0u;
  std::unique_ptr<ahal_plugin_buffer_t> b(new ahal_plugin_buffer_t{d, 0, nullptr, size});
  AHAL_MAKE_CURRENT(d);
  if (flags & AHAL_MEMORY_HOST_VISIBLE) {
    if (!(d->props.features & AHAL_FEATURE_HOST_VISIBLE_MEMORY))
      return fail(d, AHAL_ERROR_UNSUPPORTED,
                  std::string(d->props.name) +
                      " cannot map host memory, so it has no "
                      "HOST_VISIBLE buffers");
    CUresult result =
        drv.cuMemHostAlloc(&b->host, size, CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP);
    if (result == CUDA_ERROR_OUT_OF_MEMORY)
      return fail(
          d, AHAL_ERROR_OUT_OF_HOST_MEMORY,
          drv.message(
              format("cuMemHostAlloc(%" PRIu64 " bytes, host-visible buffer)", size).c_str(),
              result));
    AHAL_CU_CHECK(d, result, "cuMemHostAlloc(%" PRIu64 " bytes, host-visible buffer)", size);
    result = drv.cuMemHostGetDevicePointer(&b->ptr, b->host, 0);
    if (result != CUDA_SUCCESS) {
      drv.cuMemFreeHost(b->host);
      return cu_fail(d, result, [] { return std::string("cuMemHostGetDevicePointer"); });
    }
  } else {
    AHAL_CU_CHECK(d, drv.cuMemAlloc(&b->ptr, size), "cuMemAlloc(%" PRIu64 " bytes on %s)", size,
                  d->props.name);
  }
  *out_buffer = b.release();
  return AHAL_SUCCESS;
}

void buffer_destroy(ahal_plugin_device_t* d, ahal_plugin_buffer_t* b) {
  if (make_current(d) == CUDA_SUCCESS) {
    const CUresult result = b->host ? d->drv().cuMemFreeHost(b->host) : d->drv().cuMemFree(b->ptr);
    if (result != CUDA_SUCCESS) log_failure(d, b->host ? "cuMemFreeHost" : "cuMemFree", result);
  }
  delete b;
}

ahal_status_t buffer_map(ahal_plugin_device_t* d, ahal_plugin_buffer_t* b, uint64_t offset,
                         uint64_t size, void** out_pointer) {
  if (!b->host) return fail(d, AHAL_ERROR_INVALID_STATE, "the buffer was not created HOST_VISIBLE");
  // The memory is the mapped host allocation itself: coherent, no copy.
  *out_pointer = static_cast<char*>(b->host) + offset;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* d, ahal_plugin_buffer_t* b) {
  return AHAL_SUCCESS;
}

ahal_status_t host_alloc(ahal_plugin_device_t* d, uint64_t size, uint32_t flags, void** out_pointer,
                         ahal_plugin_host_alloc_t** out_alloc) {
  const Driver& drv = d->drv();
  std::unique_ptr<ahal_plugin_host_alloc_t> a(new ahal_plugin_host_alloc_t{d, nullptr});
  AHAL_MAKE_CURRENT(d);
  // Portable: pinned for every context, so any CUDA device copies at full speed.
  const CUresult result = drv.cuMemHostAlloc(&a->ptr, size, CU_MEMHOSTALLOC_PORTABLE);
  if (result == CUDA_ERROR_OUT_OF_MEMORY)
    return fail(d, AHAL_ERROR_OUT_OF_HOST_MEMORY,
                drv.message(format("cuMemHostAlloc(%" PRIu64 " bytes)", size).c_str(), result));
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

// ----------------------------------------------------------------- streams

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
      return fail(d, AHAL_ERROR_INVALID_ARGUMENT,
                  format("fill pattern size %u is not 1, 2 or 4", pattern_size));
  }
  AHAL_CU_CHECK(d, result, "cuMemsetD%uAsync(%" PRIu64 " bytes)", pattern_size * 8, size);
  return AHAL_SUCCESS;
}

// Raises the kernel's dynamic shared memory limit (needed above 48 KiB);
// the limit only grows, so each size is set once.
ahal_status_t raise_dynamic_limit(ahal_plugin_device_t* d, ahal_plugin_kernel_t* k,
                                  uint32_t bytes) {
  std::lock_guard<std::mutex> lock(k->dynamic_mutex);
  if (bytes <= k->dynamic_limit.load(std::memory_order_relaxed)) return AHAL_SUCCESS;
  const uint32_t static_bytes = static_cast<uint32_t>(k->static_shared);
  if (static_bytes + static_cast<uint64_t>(bytes) > d->shared_optin)
    return fail(d, AHAL_ERROR_OUT_OF_RANGE,
                format("kernel %s: %u dynamic + %u static shared bytes exceed the %u bytes a "
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

ahal_status_t param_mismatch(ahal_plugin_device_t* d, const ahal_plugin_kernel_t* k,
                             uint32_t bindings, uint32_t constants_size) {
  return fail(d, AHAL_ERROR_INVALID_ARGUMENT,
              format("kernel %s takes %d parameters (the first %d of 8 bytes, the last of %zu "
                     "bytes) but the launch passes %u bindings and %u constant bytes "
                     "(docs/kernel-abi.md: one pointer per binding, then one struct)",
                     k->entry.c_str(), k->param_count, k->pointer_prefix, k->last_param_size,
                     bindings, constants_size));
}

// The hot path: no allocation, one cached context check, one driver call.
ahal_status_t stream_launch(ahal_plugin_stream_t* s, ahal_plugin_kernel_t* k,
                            const ahal_plugin_launch_t* launch) {
  ahal_plugin_device_t* d = s->device;
  if (k->module->device != d)
    return fail(d, AHAL_ERROR_INVALID_ARGUMENT,
                "the kernel was loaded on another device than the stream's");
  const uint32_t bindings = launch->binding_count;
  const uint32_t constants_size = launch->constants_size;
  if (bindings > AHAL_MAX_BINDINGS)
    return fail(d, AHAL_ERROR_OUT_OF_RANGE,
                format("%u bindings (at most %u)", bindings, AHAL_MAX_BINDINGS));
  if (k->param_count >= 0) {
    const int expected = static_cast<int>(bindings) + (constants_size > 0 ? 1 : 0);
    if (k->param_count != expected || static_cast<int>(bindings) > k->pointer_prefix ||
        (constants_size > 0 && k->last_param_size != constants_size))
      return param_mismatch(d, k, bindings, constants_size);
  }
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
  if (dynamic_bytes > k->dynamic_limit.load(std::memory_order_acquire)) {
    const ahal_status_t status = raise_dynamic_limit(d, k, dynamic_bytes);
    if (status != AHAL_SUCCESS) return status;
  }
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
    return fail(d, AHAL_ERROR_INVALID_ARGUMENT,
                "the event belongs to another device than the stream");
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
  return cu_fail(d, result, [] { return std::string("cuStreamQuery"); });
}

// ------------------------------------------------------------------ events

ahal_status_t event_create(ahal_plugin_device_t* d, uint32_t flags,
                           ahal_plugin_event_t** out_event) {
  const bool timing = (flags & AHAL_EVENT_TIMING) != 0;
  auto e = std::make_unique<ahal_plugin_event_t>();
  e->device = d;
  e->timing = timing;
  AHAL_MAKE_CURRENT(d);
  // Timing costs a timestamp per record; only events that ask for it pay.
  AHAL_CU_CHECK(
      d, d->drv().cuEventCreate(&e->event, timing ? CU_EVENT_DEFAULT : CU_EVENT_DISABLE_TIMING),
      "cuEventCreate(%s)", timing ? "timing" : "no timing");
  *out_event = e.release();
  return AHAL_SUCCESS;
}

void event_destroy(ahal_plugin_event_t* e) {
  ahal_plugin_device_t* d = e->device;
  if (make_current(d) == CUDA_SUCCESS) {
    const CUresult result = d->drv().cuEventDestroy(e->event);
    if (result != CUDA_SUCCESS) log_failure(d, "cuEventDestroy", result);
  }
  delete e;
}

ahal_status_t event_query(ahal_plugin_event_t* e) {
  ahal_plugin_device_t* d = e->device;
  AHAL_MAKE_CURRENT(d);
  const CUresult result = d->drv().cuEventQuery(e->event);
  if (result == CUDA_SUCCESS) return AHAL_SUCCESS;
  if (result == CUDA_ERROR_NOT_READY) return AHAL_NOT_READY;
  return cu_fail(d, result, [] { return std::string("cuEventQuery"); });
}

ahal_status_t event_wait(ahal_plugin_event_t* e, uint64_t timeout_ns) {
  ahal_plugin_device_t* d = e->device;
  const Driver& drv = d->drv();
  AHAL_MAKE_CURRENT(d);
  if (timeout_ns == UINT64_MAX) {
    AHAL_CU_CHECK(d, drv.cuEventSynchronize(e->event), "cuEventSynchronize");
    return AHAL_SUCCESS;
  }
  // A bounded wait: poll, yielding at first (short waits stay fast), then
  // sleeping with a doubling backoff capped at 1 ms.
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  std::chrono::nanoseconds nap(1000);
  for (int round = 0;; ++round) {
    const CUresult result = drv.cuEventQuery(e->event);
    if (result == CUDA_SUCCESS) return AHAL_SUCCESS;
    if (result != CUDA_ERROR_NOT_READY)
      return cu_fail(d, result, [] { return std::string("cuEventQuery"); });
    const uint64_t waited = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    if (waited >= timeout_ns)
      return fail(d, AHAL_ERROR_TIMEOUT,
                  format("event not complete after %" PRIu64 " ns", timeout_ns));
    if (round < 16) {
      std::this_thread::yield();
      continue;
    }
    std::this_thread::sleep_for(std::min(nap, std::chrono::nanoseconds(timeout_ns - waited)));
    nap = std::min(nap * 2, std::chrono::nanoseconds(1000000));
  }
}

ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                               uint64_t* out_ns) {
  ahal_plugin_device_t* d = start->device;
  if (!start->timing || !end->timing)
    return fail(d, AHAL_ERROR_INVALID_ARGUMENT,
                "both events need AHAL_EVENT_TIMING for elapsed time");
  if (!start->recorded.load(std::memory_order_acquire) ||
      !end->recorded.load(std::memory_order_acquire))
    return fail(d, AHAL_ERROR_INVALID_STATE, "an event was never recorded");
  AHAL_MAKE_CURRENT(d);
  float ms = 0.0f;
  const CUresult result = d->drv().cuEventElapsedTime(&ms, start->event, end->event);
  if (result == CUDA_ERROR_NOT_READY)
    return fail(d, AHAL_ERROR_INVALID_STATE, "an event has not completed yet");
  AHAL_CU_CHECK(d, result, "cuEventElapsedTime");
  if (ms < 0.0f)
    return fail(d, AHAL_ERROR_INVALID_STATE, "the end event completed before the start event");
  *out_ns = static_cast<uint64_t>(static_cast<double>(ms) * 1e6 + 0.5);
  return AHAL_SUCCESS;
}

// ----------------------------------------------------------------- modules

const char* format_name(ahal_module_format_t format) {
  switch (format) {
    case AHAL_MODULE_FORMAT_PTX:
      return "ptx";
    case AHAL_MODULE_FORMAT_CUBIN:
      return "cubin";
    case AHAL_MODULE_FORMAT_FATBIN:
      return "fatbin";
    default:
      return "unknown";
  }
}

// Build options for the JIT: "-O<0..4>" and "-maxrregcount=<n>".
bool parse_build_options(const std::string& text, int* opt_level, int* max_registers,
                         std::string* error) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = text.find_first_not_of(" \t\n", pos);
    if (start == std::string::npos) break;
    size_t stop = text.find_first_of(" \t\n", start);
    if (stop == std::string::npos) stop = text.size();
    const std::string option = text.substr(start, stop - start);
    pos = stop;
    if (option.size() == 3 && option.compare(0, 2, "-O") == 0 && option[2] >= '0' &&
        option[2] <= '4') {
      *opt_level = option[2] - '0';
    } else if (option.compare(0, 14, "-maxrregcount=") == 0 && option.size() > 14 &&
               option.find_first_not_of("0123456789", 14) == std::string::npos &&
               option.size() < 20) {
      *max_registers = std::stoi(option.substr(14));
    } else {
      *error =
          "unknown build option '" + option + "' (the CUDA JIT takes -O0..-O4 and -maxrregcount=N)";
      return false;
    }
  }
  return true;
}

// "9.0" from a PTX image's ".version 9.0" line, or "".
std::string ptx_isa_version(const std::string& ptx) {
  const size_t at = ptx.find(".version ");
  if (at == std::string::npos) return "";
  const size_t start = at + 9;
  const size_t stop = ptx.find_first_of(" \t\r\n", start);
  return ptx.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
}

ahal_status_t module_create(ahal_plugin_device_t* d, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out_module) {
  const Driver& drv = d->drv();
  const ahal_module_format_t fmt = args->format;
  if (fmt != AHAL_MODULE_FORMAT_PTX && fmt != AHAL_MODULE_FORMAT_CUBIN &&
      fmt != AHAL_MODULE_FORMAT_FATBIN)
    return fail(d, AHAL_ERROR_UNSUPPORTED,
                format("the CUDA plugin takes ptx, cubin and fatbin modules, not format %d",
                       static_cast<int>(fmt)));
  int opt_level = -1, max_registers = -1;
  std::string error;
  if (!parse_build_options(args->build_options ? args->build_options : "", &opt_level,
                           &max_registers, &error))
    return fail(d, AHAL_ERROR_INVALID_ARGUMENT, error);

  // PTX must end in a NUL; binaries want 8-byte alignment. Copy either way
  // (data lives only during this call).
  std::vector<uint64_t> image((args->data_size + 1 + sizeof(uint64_t) - 1) / sizeof(uint64_t));
  std::memcpy(image.data(), args->data, args->data_size);
  reinterpret_cast<char*>(image.data())[args->data_size] = '\0';

  std::vector<char> error_log(64 * 1024, '\0');
  CUjit_option options[4];
  void* values[4];
  unsigned count = 0;
  options[count] = CU_JIT_ERROR_LOG_BUFFER;
  values[count++] = error_log.data();
  options[count] = CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES;
  values[count++] = reinterpret_cast<void*>(static_cast<uintptr_t>(error_log.size() - 1));
  if (opt_level >= 0) {
    options[count] = CU_JIT_OPTIMIZATION_LEVEL;
    values[count++] = reinterpret_cast<void*>(static_cast<uintptr_t>(opt_level));
  }
  if (max_registers >= 0) {
    options[count] = CU_JIT_MAX_REGISTERS;
    values[count++] = reinterpret_cast<void*>(static_cast<uintptr_t>(max_registers));
  }

  AHAL_MAKE_CURRENT(d);
  CUmodule module = nullptr;
  const CUresult result = drv.cuModuleLoadDataEx(&module, image.data(), count, options, values);
  if (result != CUDA_SUCCESS) {
    const std::string target =
        args->target && *args->target ? std::string(" for ") + args->target : std::string();
    std::string message = drv.message(
        format("cuModuleLoadDataEx(%s image%s, %" PRIu64 " bytes, on %s %s)", format_name(fmt),
               target.c_str(), args->data_size, d->props.name, d->props.arch)
            .c_str(),
        result);
    if (result == CUDA_ERROR_UNSUPPORTED_PTX_VERSION && fmt == AHAL_MODULE_FORMAT_PTX) {
      const std::string isa =
          ptx_isa_version(std::string(reinterpret_cast<const char*>(image.data())));
      message += format(
          "; the image is PTX ISA %s, newer than this CUDA %d.%d driver "
          "compiles: update the driver or build the PTX with an older ISA",
          isa.empty() ? "?" : isa.c_str(), drv.version() / 1000, drv.version() % 1000 / 10);
    }
    if (error_log[0]) message += std::string("\n") + error_log.data();
    return fail(d, ahal_cuda::status_of(result), message);
  }
  std::unique_ptr<ahal_plugin_module_t> m(new ahal_plugin_module_t);
  m->device = d;
  m->module = module;
  for (uint32_t i = 0; i < args->kernel_info_count && args->kernel_infos; ++i) {
    const ahal_kernel_info_t& info = args->kernel_infos[i];
    if (info.name)
      m->infos.push_back({info.name, info.binding_count, info.constants_size, info.flags});
  }
  *out_module = m.release();
  return AHAL_SUCCESS;
}

void module_destroy(ahal_plugin_module_t* m) {
  ahal_plugin_device_t* d = m->device;
  if (make_current(d) == CUDA_SUCCESS) {
    const CUresult result = d->drv().cuModuleUnload(m->module);
    if (result != CUDA_SUCCESS) log_failure(d, "cuModuleUnload", result);
  }
  delete m;
}

// Parameter layout where the driver tells it (cuFuncGetParamInfo, 12.4+),
// so a launch that does not fit the kernel is refused instead of reading
// past the caller's arguments.
void read_param_layout(const Driver& drv, ahal_plugin_kernel_t* k) {
  if (!drv.cuFuncGetParamInfo) return;
  int count = 0;
  bool prefix_open = true;
  for (;; ++count) {
    size_t offset = 0, size = 0;
    const CUresult result = drv.cuFuncGetParamInfo(k->function, count, &offset, &size);
    if (result == CUDA_ERROR_INVALID_VALUE) break;  // past the last parameter
    if (result != CUDA_SUCCESS || count >= 1024) return;
    if (prefix_open && size == sizeof(CUdeviceptr)) {
      ++k->pointer_prefix;
    } else {
      prefix_open = false;
    }
    k->last_param_size = size;
  }
  k->param_count = count;
}

ahal_status_t kernel_get(ahal_plugin_module_t* m, const char* entry,
                         ahal_plugin_kernel_t** out_kernel) {
  ahal_plugin_device_t* d = m->device;
  const Driver& drv = d->drv();
  std::lock_guard<std::mutex> lock(m->mutex);
  auto found = m->kernels.find(entry);
  if (found != m->kernels.end()) {
    *out_kernel = found->second.get();
    return AHAL_SUCCESS;
  }
  std::unique_ptr<ahal_plugin_kernel_t> k(new ahal_plugin_kernel_t);
  k->module = m;
  k->entry = entry;
  AHAL_MAKE_CURRENT(d);
  const CUresult result = drv.cuModuleGetFunction(&k->function, m->module, entry);
  if (result == CUDA_ERROR_NOT_FOUND)
    return fail(d, AHAL_ERROR_NOT_FOUND,
                format("no kernel '%s' in the module (cuModuleGetFunction: CUDA_ERROR_NOT_FOUND; "
                       "CUDA C++ kernels need extern \"C\" for unmangled names)",
                       entry));
  AHAL_CU_CHECK(d, result, "cuModuleGetFunction(%s)", entry);
  int dynamic_limit = 0;
  AHAL_CU_CHECK(
      d,
      drv.cuFuncGetAttribute(&k->max_threads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, k->function),
      "cuFuncGetAttribute(%s, MAX_THREADS_PER_BLOCK)", entry);
  AHAL_CU_CHECK(
      d,
      drv.cuFuncGetAttribute(&k->static_shared, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, k->function),
      "cuFuncGetAttribute(%s, SHARED_SIZE_BYTES)", entry);
  AHAL_CU_CHECK(d,
                drv.cuFuncGetAttribute(
                    &dynamic_limit, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, k->function),
                "cuFuncGetAttribute(%s, MAX_DYNAMIC_SHARED_SIZE_BYTES)", entry);
  k->dynamic_limit.store(dynamic_limit > 0 ? static_cast<uint32_t>(dynamic_limit) : 0u);
  read_param_layout(drv, k.get());
  for (const KernelInfo& info : m->infos)
    if (info.name == entry) k->info = &info;
  *out_kernel = k.get();
  m->kernels.emplace(entry, std::move(k));
  return AHAL_SUCCESS;
}

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* k, ahal_kernel_attributes_t* out) {
  ahal_kernel_attributes_t a{};
  a.max_workgroup_size = static_cast<uint32_t>(k->max_threads);
  a.static_shared_bytes = static_cast<uint32_t>(k->static_shared);
  a.preferred_workgroup_multiple = k->module->device->props.subgroup_size_max;
  if (k->info) {
    a.has_metadata = 1;
    a.binding_count = k->info->binding_count;
    a.constants_size = k->info->constants_size;
    a.flags = k->info->flags;
  }
  const size_t caller_size = out->struct_size;
  std::memcpy(out, &a, std::min(caller_size, sizeof(a)));
  out->struct_size = caller_size;
  return AHAL_SUCCESS;
}

ahal_status_t image_score(ahal_plugin_device_t* d, ahal_module_format_t format, const char* target,
                          int32_t* out_score) {
  *out_score = ahal_cuda::image_score(format, target ? target : "", d->cc);
  return AHAL_SUCCESS;
}

// Every entry goes through this, so no C++ exception (in practice
// std::bad_alloc from an error message or a metadata copy) leaves the plugin.
template <auto Fn>
struct Guarded;

template <typename... Args, ahal_status_t (*Fn)(Args...)>
struct Guarded<Fn> {
  static ahal_status_t call(Args... args) noexcept {
    try {
      return Fn(args...);
    } catch (const std::bad_alloc&) {
      return out_of_host_memory(g_host.load(), "out of host memory in the CUDA plugin");
    } catch (...) {
      return fail(g_host.load(), AHAL_ERROR_INTERNAL,
                  "unexpected C++ exception in the CUDA plugin");
    }
  }
};

template <typename... Args, void (*Fn)(Args...)>
struct Guarded<Fn> {
  static void call(Args... args) noexcept {
    try {
      Fn(args...);
    } catch (...) {
      // Destroy entries cannot report; the object is gone either way.
    }
  }
};

}  // namespace

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  static const ahal_plugin_api_t api = [] {
    ahal_plugin_api_t t{};
    t.struct_size = sizeof(t);
    t.abi_version = AHAL_PLUGIN_ABI_VERSION;
    t.name = "cuda";
    t.description = "NVIDIA GPUs through the CUDA driver API (libcuda.so.1, opened at run time)";
#define AHAL_CUDA_GUARDED(table, entry) (table).entry = Guarded<entry>::call;
    AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_CUDA_GUARDED, t)
    AHAL_PLUGIN_MODULE_ENTRIES(AHAL_CUDA_GUARDED, t)
#undef AHAL_CUDA_GUARDED
    t.kernel_get_builtin = nullptr;  // no fixed-function kernels on CUDA
    t.image_score = Guarded<image_score>::call;
    t.device_memory_usage = Guarded<device_memory_usage>::call;
    return t;
  }();
  // A table too small to hold a single entry is refused, not half-written.
  if (out && out->struct_size < offsetof(ahal_plugin_api_t, plugin_init))
    return AHAL_ERROR_INCOMPATIBLE;
  return ahal::plugin::query(loader_abi_version, api, out);
}
