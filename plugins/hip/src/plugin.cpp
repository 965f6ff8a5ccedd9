// ahal plugin for AMD GPUs (and Hygon DCUs) through the HIP runtime, which
// is opened at run time (hip_runtime.cpp). Devices are "hip:<n>" in HIP's
// own ordinal order (HIP_VISIBLE_DEVICES applies). Launches follow
// docs/kernel-abi.md: pointer parameters (base + offset), then the constants
// struct by value, dynamic shared memory as the launch's shared bytes.
#include <ahal/plugin.hpp>

#include "hip_runtime.hpp"
#include "hip_target.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

using ahal_hip::Runtime;

struct ahal_plugin_instance_s {
  const ahal_plugin_host_t* host = nullptr;
  Runtime rt;
  int device_count = 0;
};

struct ahal_plugin_device_s {
  ahal_plugin_instance_t* instance = nullptr;
  const Runtime* rt = nullptr;
  int ordinal = 0;
  hipDeviceProp_t prop{};
  std::string arch_full;  // gcnArchName, e.g. "gfx90a:sramecc+:xnack-"
  std::string arch;       // processor only, e.g. "gfx90a"
  std::string driver_version;
  hipUUID uuid{};
  bool has_uuid = false;
  int least_priority = 0;     // HIP: numerically largest = lowest priority
  int greatest_priority = 0;  // numerically smallest = highest priority
};

struct ahal_plugin_buffer_s {
  void* device_pointer = nullptr;  // what kernels and copies use
  void* host_pointer = nullptr;    // host-visible buffers only
  uint64_t size = 0;
};

struct ahal_plugin_host_alloc_s {
  void* pointer = nullptr;
};

struct ahal_plugin_stream_s {
  ahal_plugin_device_t* device = nullptr;
  hipStream_t stream = nullptr;
};

struct ahal_plugin_event_s {
  ahal_plugin_device_t* device = nullptr;
  hipEvent_t event = nullptr;
  bool timing = false;
  std::atomic<bool> recorded{false};
};

struct ahal_plugin_kernel_s {
  ahal_plugin_module_t* module = nullptr;
  hipFunction_t function = nullptr;
  int max_threads = 0;
  int static_shared = 0;
  bool has_metadata = false;
  ahal_kernel_info_t info{};
};

struct ahal_plugin_module_s {
  ahal_plugin_device_t* device = nullptr;
  hipModule_t module = nullptr;
  // hipModuleLoadData may keep referring to the image: keep our own copy.
  std::vector<uint8_t> image;
  std::vector<std::string> info_names;  // storage for infos[i].name
  std::vector<ahal_kernel_info_t> infos;
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<ahal_plugin_kernel_t>> kernels;
};

namespace {

constexpr uint32_t kBindingOffsetAlignment = 256;  // hipMalloc's alignment
// HIP caps kernel arguments at 4 KiB; 32 pointers and the runtime's hidden
// arguments must fit beside the constants.
constexpr uint32_t kMaxConstantsSize = 2048;
// hipEventElapsedTime is documented to a resolution of about a microsecond.
constexpr uint64_t kTimestampResolutionPs = 1000000;

ahal_status_t fail(const ahal_plugin_host_t* host, ahal_status_t status, const std::string& msg) {
  host->set_error_message(msg.c_str());
  return status;
}

ahal_status_t fail(const ahal_plugin_device_t* dev, ahal_status_t status, const std::string& msg) {
  return fail(dev->instance->host, status, msg);
}

// Errors after which the device (context) is unusable.
bool is_device_lost(hipError_t err) {
  switch (err) {
    case hipErrorIllegalAddress:
    case hipErrorLaunchTimeOut:
    case hipErrorECCNotCorrectable:
    case hipErrorAssert:
    case hipErrorPriorLaunchFailure:
    case hipErrorContextIsDestroyed:
      return true;
    default:
      return false;
  }
}

ahal_status_t status_of(hipError_t err) {
  if (is_device_lost(err)) return AHAL_ERROR_DEVICE_LOST;
  switch (err) {
    case hipSuccess:
      return AHAL_SUCCESS;
    case hipErrorNotReady:
      return AHAL_NOT_READY;
    case hipErrorOutOfMemory:
      return AHAL_ERROR_OUT_OF_DEVICE_MEMORY;
    case hipErrorInvalidImage:
    case hipErrorNoBinaryForGpu:
    case hipErrorInvalidKernelFile:
    case hipErrorSharedObjectInitFailed:
    case hipErrorSharedObjectSymbolNotFound:
      return AHAL_ERROR_BUILD_FAILED;
    case hipErrorNotFound:
      return AHAL_ERROR_NOT_FOUND;
    case hipErrorNotSupported:
      return AHAL_ERROR_UNSUPPORTED;
    case hipErrorLaunchOutOfResources:
    case hipErrorInvalidConfiguration:
      return AHAL_ERROR_OUT_OF_RANGE;
    default:
      return AHAL_ERROR_PLUGIN;
  }
}

// "<call>: hipErrorX (text)" with the status that error maps to.
ahal_status_t hip_fail(const ahal_plugin_device_t* dev, hipError_t err, const char* call,
                       const std::string& context = "") {
  std::string msg = std::string(call) + " failed: " + ahal_hip::error_text(*dev->rt, err);
  if (is_device_lost(err)) msg += "; the device is lost and must be reopened";
  if (!context.empty()) msg += " (" + context + ")";
  return fail(dev, status_of(err), msg);
}

// HIP keeps a current device per host thread; ahal entries come from any
// thread, so each entry that creates or allocates selects its device first.
ahal_status_t activate(const ahal_plugin_device_t* dev) {
  hipError_t err = dev->rt->hipSetDevice(dev->ordinal);
  return err == hipSuccess ? AHAL_SUCCESS : hip_fail(dev, err, "hipSetDevice");
}

// Destroy entries cannot return a status: a failure there is logged.
void log_failure(const ahal_plugin_device_t* dev, hipError_t err, const char* call) {
  if (err == hipSuccess) return;
  const ahal_plugin_host_t* host = dev->instance->host;
  std::string msg = std::string(call) + " failed: " + ahal_hip::error_text(*dev->rt, err);
  if (host->log) host->log(AHAL_LOG_WARNING, "hip", msg.c_str());
}

#define AHAL_HIP_CALL(dev, call)                                               \
  do {                                                                         \
    hipError_t ahal_hip_err = (call);                                          \
    if (ahal_hip_err != hipSuccess) return hip_fail(dev, ahal_hip_err, #call); \
  } while (0)

// Runs an entry body, turning exceptions (allocation failures) into a status.
template <typename F>
ahal_status_t guarded(const ahal_plugin_host_t* host, F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return fail(host, AHAL_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
  } catch (const std::exception& e) {
    return fail(host, AHAL_ERROR_INTERNAL, std::string("unexpected exception: ") + e.what());
  }
}

std::string version_string(int v) {
  // HIP encodes versions as major * 10^7 + minor * 10^5 + patch.
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%d.%d.%d", v / 10000000, (v / 100000) % 100, v % 100000);
  return buf;
}

// ------------------------------------------------------------- plugin

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance) {
  return guarded(host, [&]() -> ahal_status_t {
    auto instance = std::make_unique<ahal_plugin_instance_t>();
    instance->host = host;
    std::string error;
    switch (ahal_hip::load_runtime(&instance->rt, &error)) {
      case ahal_hip::LoadResult::kLoaded:
        break;
      case ahal_hip::LoadResult::kNotFound:
        return fail(host, AHAL_ERROR_NOT_FOUND, error);
      case ahal_hip::LoadResult::kIncomplete:
        return fail(host, AHAL_ERROR_INCOMPATIBLE, error);
    }
    const Runtime& rt = instance->rt;
    hipError_t err = rt.hipInit(0);
    if (err != hipSuccess)
      return fail(host, AHAL_ERROR_NOT_FOUND,
                  "no usable HIP device: hipInit failed: " + ahal_hip::error_text(rt, err) +
                      " (runtime " + rt.path + ")");
    int count = 0;
    err = rt.hipGetDeviceCount(&count);
    if (err != hipSuccess && err != hipErrorNoDevice)
      return fail(host, AHAL_ERROR_NOT_FOUND,
                  "hipGetDeviceCount failed: " + ahal_hip::error_text(rt, err) + " (runtime " +
                      rt.path + ")");
    if (err == hipErrorNoDevice || count <= 0)
      return fail(host, AHAL_ERROR_NOT_FOUND, "no HIP devices (runtime " + rt.path + ")");
    instance->device_count = count;
    *out_instance = instance.release();
    return AHAL_SUCCESS;
  });
}

void plugin_shutdown(ahal_plugin_instance_t* instance) { delete instance; }

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  *out_count = static_cast<uint32_t>(instance->device_count);
  return AHAL_SUCCESS;
}

ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out_device) {
  return guarded(instance->host, [&]() -> ahal_status_t {
    auto dev = std::make_unique<ahal_plugin_device_t>();
    dev->instance = instance;
    dev->rt = &instance->rt;
    dev->ordinal = static_cast<int>(index);
    const Runtime& rt = instance->rt;
    if (ahal_status_t st = activate(dev.get()); st != AHAL_SUCCESS) return st;
    AHAL_HIP_CALL(dev.get(), rt.hipGetDeviceProperties(&dev->prop, dev->ordinal));
    dev->prop.name[sizeof(dev->prop.name) - 1] = '\0';
    dev->prop.gcnArchName[sizeof(dev->prop.gcnArchName) - 1] = '\0';
    dev->arch_full = dev->prop.gcnArchName;
    dev->arch = dev->arch_full.substr(0, dev->arch_full.find(':'));
    hipDevice_t handle = 0;
    AHAL_HIP_CALL(dev.get(), rt.hipDeviceGet(&handle, dev->ordinal));
    dev->has_uuid = rt.hipDeviceGetUuid(&dev->uuid, handle) == hipSuccess;
    AHAL_HIP_CALL(dev.get(), rt.hipDeviceGetStreamPriorityRange(&dev->least_priority,
                                                                &dev->greatest_priority));
    int runtime_version = 0, driver_version = 0;
    AHAL_HIP_CALL(dev.get(), rt.hipRuntimeGetVersion(&runtime_version));
    AHAL_HIP_CALL(dev.get(), rt.hipDriverGetVersion(&driver_version));
    dev->driver_version =
        "HIP " + version_string(runtime_version) + ", driver " + version_string(driver_version);
    *out_device = dev.release();
    return AHAL_SUCCESS;
  });
}

void device_close(ahal_plugin_device_t* device) { delete device; }

ahal_status_t device_get_properties(ahal_plugin_device_t* dev, ahal_device_properties_t* props) {
  const hipDeviceProp_t& p = dev->prop;
  ahal_device_properties_t out{};
  out.struct_size = props->struct_size;
  std::snprintf(out.name, sizeof(out.name), "%s", p.name);
  // Hygon DCUs run the same HIP stack and name themselves.
  bool hygon = std::strstr(p.name, "DCU") || std::strstr(p.name, "Hygon");
  std::snprintf(out.vendor, sizeof(out.vendor), "%s", hygon ? "Hygon" : "AMD");
  std::snprintf(out.driver_version, sizeof(out.driver_version), "%s", dev->driver_version.c_str());
  std::snprintf(out.arch, sizeof(out.arch), "%s", dev->arch.c_str());
  out.type = AHAL_DEVICE_TYPE_GPU;
  out.compute_units = static_cast<uint32_t>(std::max(p.multiProcessorCount, 0));
  out.global_memory_bytes = p.totalGlobalMem;
  out.max_allocation_bytes = p.totalGlobalMem;
  out.max_workgroup_size = static_cast<uint32_t>(std::max(p.maxThreadsPerBlock, 0));
  for (int i = 0; i < 3; ++i) {
    out.max_workgroup_dims[i] = static_cast<uint32_t>(std::max(p.maxThreadsDim[i], 0));
    out.max_grid_dims[i] = static_cast<uint32_t>(std::max(p.maxGridSize[i], 0));
  }
  out.shared_memory_per_workgroup = static_cast<uint32_t>(p.sharedMemPerBlock);
  out.subgroup_size_min = out.subgroup_size_max = static_cast<uint32_t>(std::max(p.warpSize, 0));
  out.clock_mhz = static_cast<uint32_t>(std::max(p.clockRate, 0) / 1000);
  out.max_bindings = AHAL_MAX_BINDINGS;
  out.max_constants_size = kMaxConstantsSize;
  out.binding_offset_alignment = kBindingOffsetAlignment;
  out.module_formats = (1ull << AHAL_MODULE_FORMAT_HSACO) | (1ull << AHAL_MODULE_FORMAT_HIP_FATBIN);
  out.features = AHAL_FEATURE_FP64 | AHAL_FEATURE_FP16 | AHAL_FEATURE_INT64_ATOMICS |
                 AHAL_FEATURE_HOST_VISIBLE_MEMORY | AHAL_FEATURE_TIMESTAMPS |
                 AHAL_FEATURE_HOST_CALLBACKS | AHAL_FEATURE_DYNAMIC_SHARED_MEMORY |
                 AHAL_FEATURE_GENERAL_KERNELS;
  if (p.integrated) out.features |= AHAL_FEATURE_UNIFIED_MEMORY;
  out.timestamp_resolution_ps = kTimestampResolutionPs;
  if (dev->has_uuid) {
    std::memcpy(out.uuid, dev->uuid.bytes, sizeof(out.uuid));
    out.has_uuid = 1;
  }
  // Double data rate: two transfers per memory clock (kHz) over the bus.
  if (p.memoryClockRate > 0 && p.memoryBusWidth > 0)
    out.peak_memory_bandwidth_gbps = 2.0 * p.memoryClockRate * 1e3 * (p.memoryBusWidth / 8.0) / 1e9;
  size_t n = std::min(props->struct_size, sizeof(out));
  std::memcpy(props, &out, n);
  return AHAL_SUCCESS;
}

ahal_status_t device_memory_usage(ahal_plugin_device_t* dev, uint64_t* out_used,
                                  uint64_t* out_total) {
  if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
  size_t free_bytes = 0, total = 0;
  AHAL_HIP_CALL(dev, dev->rt->hipMemGetInfo(&free_bytes, &total));
  *out_used = total - free_bytes;
  *out_total = total;
  return AHAL_SUCCESS;
}

// ------------------------------------------------------------- memory

ahal_status_t buffer_create(ahal_plugin_device_t* dev, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out_buffer) {
  return guarded(dev->instance->host, [&]() -> ahal_status_t {
    if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
    auto buffer = std::make_unique<ahal_plugin_buffer_t>();
    buffer->size = args->size;
    const Runtime& rt = *dev->rt;
    uint32_t flags = AHAL_PLUGIN_HAS_FIELD(args, ahal_buffer_args_t, flags) ? args->flags : 0;
    if (flags & AHAL_MEMORY_HOST_VISIBLE) {
      // Pinned host memory mapped into the device: kernels reach it over
      // the bus, the host maps it without copies.
      unsigned host_flags = hipHostMallocMapped | hipHostMallocPortable;
      if (flags & AHAL_MEMORY_HOST_COHERENT) host_flags |= hipHostMallocCoherent;
      AHAL_HIP_CALL(dev, rt.hipHostMalloc(&buffer->host_pointer, args->size, host_flags));
      hipError_t err = rt.hipHostGetDevicePointer(&buffer->device_pointer, buffer->host_pointer, 0);
      if (err != hipSuccess) {
        (void)rt.hipHostFree(buffer->host_pointer);  // the error reported is the first one
        return hip_fail(dev, err, "hipHostGetDevicePointer");
      }
    } else {
      hipError_t err = rt.hipMalloc(&buffer->device_pointer, args->size);
      if (err != hipSuccess)
        return hip_fail(dev, err, "hipMalloc", std::to_string(args->size) + " bytes");
    }
    *out_buffer = buffer.release();
    return AHAL_SUCCESS;
  });
}

void buffer_destroy(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer) {
  log_failure(dev, dev->rt->hipSetDevice(dev->ordinal), "hipSetDevice");
  if (buffer->host_pointer)
    log_failure(dev, dev->rt->hipHostFree(buffer->host_pointer), "hipHostFree");
  else
    log_failure(dev, dev->rt->hipFree(buffer->device_pointer), "hipFree");
  delete buffer;
}

ahal_status_t buffer_map(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer, uint64_t offset,
                         uint64_t size, void** out_pointer) {
  if (!buffer->host_pointer)
    return fail(dev, AHAL_ERROR_INVALID_STATE, "buffer was not created HOST_VISIBLE");
  *out_pointer = static_cast<uint8_t*>(buffer->host_pointer) + offset;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer) {
  return AHAL_SUCCESS;  // the mapping is the allocation itself
}

ahal_status_t host_alloc(ahal_plugin_device_t* dev, uint64_t size, uint32_t flags,
                         void** out_pointer, ahal_plugin_host_alloc_t** out_alloc) {
  return guarded(dev->instance->host, [&]() -> ahal_status_t {
    if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
    auto alloc = std::make_unique<ahal_plugin_host_alloc_t>();
    hipError_t err = dev->rt->hipHostMalloc(&alloc->pointer, size, hipHostMallocPortable);
    if (err != hipSuccess) {
      // Pinned memory is host memory: report it as such.
      std::string msg = "hipHostMalloc failed: " + ahal_hip::error_text(*dev->rt, err) + " (" +
                        std::to_string(size) + " bytes)";
      return fail(dev, err == hipErrorOutOfMemory ? AHAL_ERROR_OUT_OF_HOST_MEMORY : status_of(err),
                  msg);
    }
    *out_pointer = alloc->pointer;
    *out_alloc = alloc.release();
    return AHAL_SUCCESS;
  });
}

void host_free(ahal_plugin_device_t* dev, ahal_plugin_host_alloc_t* alloc) {
  log_failure(dev, dev->rt->hipHostFree(alloc->pointer), "hipHostFree");
  delete alloc;
}

// ------------------------------------------------------------- streams

ahal_status_t stream_create(ahal_plugin_device_t* dev, const ahal_stream_args_t* args,
                            ahal_plugin_stream_t** out_stream) {
  return guarded(dev->instance->host, [&]() -> ahal_status_t {
    if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
    int32_t priority = 0;
    if (args && AHAL_PLUGIN_HAS_FIELD(args, ahal_stream_args_t, priority))
      priority = args->priority;
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
  });
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

ahal_status_t stream_fill(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* buffer, uint64_t offset,
                          uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  const Runtime& rt = *s->device->rt;
  void* dst = device_address(buffer, offset);
  switch (pattern_size) {
    case 1:
      AHAL_HIP_CALL(s->device,
                    rt.hipMemsetD8Async(dst, static_cast<unsigned char>(pattern), size, s->stream));
      break;
    case 2:
      AHAL_HIP_CALL(s->device, rt.hipMemsetD16Async(dst, static_cast<unsigned short>(pattern),
                                                    size / 2, s->stream));
      break;
    case 4:
      AHAL_HIP_CALL(s->device,
                    rt.hipMemsetD32Async(dst, static_cast<int>(pattern), size / 4, s->stream));
      break;
    default:
      return fail(s->device, AHAL_ERROR_INVALID_ARGUMENT,
                  "pattern_size " + std::to_string(pattern_size) + " is not 1, 2 or 4");
  }
  return AHAL_SUCCESS;
}

ahal_status_t stream_launch(ahal_plugin_stream_t* s, ahal_plugin_kernel_t* kernel,
                            const ahal_plugin_launch_t* launch) {
  ahal_plugin_device_t* dev = s->device;
  return guarded(dev->instance->host, [&]() -> ahal_status_t {
    // HIP (HSA) counts the grid in work-items, at most 2^32 - 1 per dimension.
    static const char* const kAxis = "xyz";
    for (int i = 0; i < 3; ++i) {
      uint64_t items = uint64_t{launch->grid[i]} * launch->workgroup_size[i];
      if (items > UINT32_MAX)
        return fail(dev, AHAL_ERROR_OUT_OF_RANGE,
                    std::string("grid ") + kAxis[i] + " x workgroup size = " +
                        std::to_string(items) + " work-items exceeds HIP's limit of 2^32 - 1");
    }
    std::vector<void*> pointers(launch->binding_count);
    std::vector<void*> params;
    params.reserve(launch->binding_count + 1);
    for (uint32_t i = 0; i < launch->binding_count; ++i) {
      pointers[i] = device_address(launch->bindings[i].buffer, launch->bindings[i].offset);
      params.push_back(&pointers[i]);
    }
    // 8-byte aligned copy of the constants struct, passed by value.
    std::vector<uint64_t> constants((launch->constants_size + 7) / 8);
    if (launch->constants_size > 0) {
      std::memcpy(constants.data(), launch->constants, launch->constants_size);
      params.push_back(constants.data());
    }
    AHAL_HIP_CALL(dev, dev->rt->hipModuleLaunchKernel(
                           kernel->function, launch->grid[0], launch->grid[1], launch->grid[2],
                           launch->workgroup_size[0], launch->workgroup_size[1],
                           launch->workgroup_size[2], launch->dynamic_shared_bytes, s->stream,
                           params.empty() ? nullptr : params.data(), nullptr));
    return AHAL_SUCCESS;
  });
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
  return guarded(s->device->instance->host, [&]() -> ahal_status_t {
    auto cb = std::make_unique<HostCallback>(HostCallback{fn, user_data});
    AHAL_HIP_CALL(s->device,
                  rt.hipStreamAddCallback(s->stream, host_callback_trampoline, cb.get(), 0));
    cb.release();  // the trampoline frees it
    return AHAL_SUCCESS;
  });
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

// ------------------------------------------------------------- events

ahal_status_t event_create(ahal_plugin_device_t* dev, uint32_t flags,
                           ahal_plugin_event_t** out_event) {
  return guarded(dev->instance->host, [&]() -> ahal_status_t {
    if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
    auto event = std::make_unique<ahal_plugin_event_t>();
    event->device = dev;
    event->timing = (flags & AHAL_EVENT_TIMING) != 0;
    AHAL_HIP_CALL(dev, dev->rt->hipEventCreateWithFlags(
                           &event->event, event->timing ? hipEventDefault : hipEventDisableTiming));
    *out_event = event.release();
    return AHAL_SUCCESS;
  });
}

void event_destroy(ahal_plugin_event_t* event) {
  log_failure(event->device, event->device->rt->hipEventDestroy(event->event), "hipEventDestroy");
  delete event;
}

ahal_status_t event_query(ahal_plugin_event_t* event) {
  if (!event->recorded) return AHAL_SUCCESS;
  hipError_t err = event->device->rt->hipEventQuery(event->event);
  if (err == hipSuccess) return AHAL_SUCCESS;
  if (err == hipErrorNotReady) return AHAL_NOT_READY;
  return hip_fail(event->device, err, "hipEventQuery");
}

ahal_status_t event_wait(ahal_plugin_event_t* event, uint64_t timeout_ns) {
  if (!event->recorded) return AHAL_SUCCESS;
  const Runtime& rt = *event->device->rt;
  if (timeout_ns == UINT64_MAX) {
    AHAL_HIP_CALL(event->device, rt.hipEventSynchronize(event->event));
    return AHAL_SUCCESS;
  }
  // HIP has no timed wait: poll, backing off from yields to short sleeps.
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto pause = std::chrono::microseconds(1);
  for (;;) {
    hipError_t err = rt.hipEventQuery(event->event);
    if (err == hipSuccess) return AHAL_SUCCESS;
    if (err != hipErrorNotReady) return hip_fail(event->device, err, "hipEventQuery");
    auto waited = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
    if (static_cast<uint64_t>(waited.count()) >= timeout_ns)
      return fail(event->device, AHAL_ERROR_TIMEOUT,
                  "event not complete after " + std::to_string(timeout_ns) + " ns");
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(1000));
  }
}

ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                               uint64_t* out_ns) {
  ahal_plugin_device_t* dev = start->device;
  if (!start->timing || !end->timing)
    return fail(dev, AHAL_ERROR_INVALID_ARGUMENT, "both events must be created with TIMING");
  if (!start->recorded || !end->recorded)
    return fail(dev, AHAL_ERROR_INVALID_STATE, "both events must have been recorded");
  float ms = 0.0f;
  hipError_t err = dev->rt->hipEventElapsedTime(&ms, start->event, end->event);
  if (err == hipErrorNotReady)
    return fail(dev, AHAL_ERROR_INVALID_STATE, "an event has not completed yet");
  if (err != hipSuccess) return hip_fail(dev, err, "hipEventElapsedTime");
  if (ms < 0.0f)
    return fail(dev, AHAL_ERROR_INVALID_ARGUMENT, "the end event completed before the start event");
  *out_ns = static_cast<uint64_t>(std::llround(static_cast<double>(ms) * 1e6));
  return AHAL_SUCCESS;
}

// ------------------------------------------------------------- modules

bool starts_with(const void* data, uint64_t size, const char* magic) {
  size_t n = std::strlen(magic);
  return size >= n && std::memcmp(data, magic, n) == 0;
}

ahal_status_t module_create(ahal_plugin_device_t* dev, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out_module) {
  return guarded(dev->instance->host, [&]() -> ahal_status_t {
    const char* format_name = args->format == AHAL_MODULE_FORMAT_HSACO ? "hsaco" : "hip-fatbin";
    if (args->format == AHAL_MODULE_FORMAT_HSACO) {
      constexpr uint16_t kMachineAmdgpu = 224;  // EM_AMDGPU
      uint16_t machine = 0;
      if (args->data_size >= 20)
        std::memcpy(&machine, static_cast<const uint8_t*>(args->data) + 18, 2);
      if (!starts_with(args->data, args->data_size,
                       "\x7f"
                       "ELF") ||
          machine != kMachineAmdgpu)
        return fail(dev, AHAL_ERROR_INVALID_ARGUMENT,
                    "hsaco image is not an AMDGPU ELF code object");
    } else if (args->format == AHAL_MODULE_FORMAT_HIP_FATBIN) {
      // Plain or compressed (ROCm 6.1+) clang offload bundle.
      if (!starts_with(args->data, args->data_size, "__CLANG_OFFLOAD_BUNDLE__") &&
          !starts_with(args->data, args->data_size, "CCOB"))
        return fail(dev, AHAL_ERROR_INVALID_ARGUMENT,
                    "hip-fatbin image is not a clang offload bundle");
    } else {
      return fail(dev, AHAL_ERROR_UNSUPPORTED,
                  "module format " + std::to_string(args->format) +
                      " is not taken by HIP devices (hsaco, hip-fatbin)");
    }
    if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
    auto module = std::make_unique<ahal_plugin_module_t>();
    module->device = dev;
    const auto* bytes = static_cast<const uint8_t*>(args->data);
    module->image.assign(bytes, bytes + args->data_size);
    uint32_t info_count = AHAL_PLUGIN_HAS_FIELD(args, ahal_plugin_module_args_t, kernel_infos)
                              ? args->kernel_info_count
                              : 0;
    for (uint32_t i = 0; i < info_count; ++i) {
      module->info_names.emplace_back(args->kernel_infos[i].name ? args->kernel_infos[i].name : "");
      module->infos.push_back(args->kernel_infos[i]);
    }
    for (uint32_t i = 0; i < info_count; ++i) module->infos[i].name = module->info_names[i].c_str();
    hipError_t err = dev->rt->hipModuleLoadData(&module->module, module->image.data());
    if (err != hipSuccess) {
      std::string target = AHAL_PLUGIN_HAS_FIELD(args, ahal_plugin_module_args_t, target) &&
                                   args->target && *args->target
                               ? args->target
                               : "not given";
      return hip_fail(dev, err, "hipModuleLoadData",
                      std::string(format_name) + " image for target " + target + ", device is " +
                          dev->arch_full);
    }
    *out_module = module.release();
    return AHAL_SUCCESS;
  });
}

void module_destroy(ahal_plugin_module_t* module) {
  ahal_plugin_device_t* dev = module->device;
  log_failure(dev, dev->rt->hipSetDevice(dev->ordinal), "hipSetDevice");
  log_failure(dev, dev->rt->hipModuleUnload(module->module), "hipModuleUnload");
  delete module;
}

ahal_status_t kernel_get(ahal_plugin_module_t* module, const char* entry,
                         ahal_plugin_kernel_t** out_kernel) {
  ahal_plugin_device_t* dev = module->device;
  return guarded(dev->instance->host, [&]() -> ahal_status_t {
    std::lock_guard<std::mutex> lock(module->mutex);
    auto found = module->kernels.find(entry);
    if (found != module->kernels.end()) {
      *out_kernel = found->second.get();
      return AHAL_SUCCESS;
    }
    if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
    auto kernel = std::make_unique<ahal_plugin_kernel_t>();
    kernel->module = module;
    const Runtime& rt = *dev->rt;
    hipError_t err = rt.hipModuleGetFunction(&kernel->function, module->module, entry);
    if (err == hipErrorNotFound || err == hipErrorInvalidDeviceFunction)
      return fail(dev, AHAL_ERROR_NOT_FOUND,
                  std::string("no kernel '") + entry + "' in the module (" +
                      ahal_hip::error_text(rt, err) + ")");
    if (err != hipSuccess) return hip_fail(dev, err, "hipModuleGetFunction", entry);
    AHAL_HIP_CALL(
        dev, rt.hipFuncGetAttribute(&kernel->max_threads, HIP_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK,
                                    kernel->function));
    AHAL_HIP_CALL(
        dev, rt.hipFuncGetAttribute(&kernel->static_shared, HIP_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES,
                                    kernel->function));
    for (const ahal_kernel_info_t& info : module->infos) {
      if (std::strcmp(info.name, entry) == 0) {
        kernel->has_metadata = true;
        kernel->info = info;
      }
    }
    *out_kernel = kernel.get();
    module->kernels.emplace(entry, std::move(kernel));
    return AHAL_SUCCESS;
  });
}

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* kernel, ahal_kernel_attributes_t* out) {
  ahal_kernel_attributes_t a{};
  a.struct_size = out->struct_size;
  a.max_workgroup_size = static_cast<uint32_t>(std::max(kernel->max_threads, 0));
  a.static_shared_bytes = static_cast<uint32_t>(std::max(kernel->static_shared, 0));
  a.preferred_workgroup_multiple =
      static_cast<uint32_t>(std::max(kernel->module->device->prop.warpSize, 1));
  if (kernel->has_metadata) {
    a.has_metadata = 1;
    a.binding_count = kernel->info.binding_count;
    a.constants_size = kernel->info.constants_size;
    a.flags = kernel->info.flags;
  }
  std::memcpy(out, &a, std::min(out->struct_size, sizeof(a)));
  return AHAL_SUCCESS;
}

ahal_status_t image_score(ahal_plugin_device_t* dev, ahal_module_format_t format,
                          const char* target, int32_t* out_score) {
  std::string t = target ? target : "";
  switch (format) {
    case AHAL_MODULE_FORMAT_HSACO:
      *out_score = ahal_hip::hsaco_score(t, dev->arch_full);
      break;
    case AHAL_MODULE_FORMAT_HIP_FATBIN:
      *out_score = ahal_hip::fatbin_score(t, dev->arch_full);
      break;
    default:
      *out_score = 0;
  }
  return AHAL_SUCCESS;
}

ahal_plugin_api_t make_api() {
  ahal_plugin_api_t api{};
  api.struct_size = sizeof(api);
  api.abi_version = AHAL_PLUGIN_ABI_VERSION;
  api.name = "hip";
  api.description =
      "AMD GPUs and Hygon DCUs through the HIP runtime (libamdhip64, opened at run time)";
  AHAL_PLUGIN_SET_ENTRIES(api);
  AHAL_PLUGIN_SET_MODULE_ENTRIES(api);
  api.image_score = image_score;
  api.device_memory_usage = device_memory_usage;
  return api;
}

}  // namespace

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  static const ahal_plugin_api_t api = make_api();
  return ahal::plugin::query(loader_abi_version, api, out);
}
