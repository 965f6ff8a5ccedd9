// The CUDA plugin's objects, the helpers its entries share, and the entries
// each source file defines. One device per GPU on its primary context,
// driven through the driver API that cuda_driver.cpp opens at run time.
#pragma once

#include "cuda_arch.hpp"
#include "cuda_driver.hpp"

#include <ahal/kernel_cache.hpp>
#include <ahal/plugin.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

struct ahal_plugin_instance_s {
  ahal_cuda::Driver driver;
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

  const ahal_cuda::Driver& drv() const { return instance->driver; }
};

struct ahal_plugin_buffer_s {
  ahal_plugin_device_t* device;
  CUdeviceptr ptr;  // device address (for host-visible buffers, of the mapped host memory)
  void* host;       // host-visible buffers only: pinned host memory, mapped to the device
  uint64_t size;
  bool imported = false;  // the caller's memory (native_handle.cpp): never freed here
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
  const ahal_kernel_info_t* info = nullptr;  // the module's metadata for it, if any
  // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES as last set; raised on demand.
  std::atomic<uint32_t> dynamic_limit{0};
  std::mutex dynamic_mutex;
};

struct ahal_plugin_module_s {
  ahal_plugin_device_t* device = nullptr;
  CUmodule module = nullptr;
  ahal::plugin::KernelInfos infos;
  ahal::plugin::KernelCache<ahal_plugin_kernel_t> kernels;
};

namespace ahal_cuda {

using ahal::plugin::fail;

// Numbers device opens, never reused: keys the current-context cache.
inline std::atomic<uint64_t> next_device_id{1};
// Device whose primary context this thread made current last, so the hot
// paths skip cuCtxSetCurrent. It assumes nothing else on the thread switches
// contexts behind the plugin's back (docs/gpu/README.md).
inline thread_local uint64_t current_device = 0;

inline CUresult make_current(ahal_plugin_device_t* d) noexcept {
  if (current_device == d->id) return CUDA_SUCCESS;
  const CUresult result = d->drv().cuCtxSetCurrent(d->context);
  if (result == CUDA_SUCCESS) current_device = d->id;
  return result;
}

// Fails with `result`'s status: "<what>: CUDA_ERROR_X (text)", and says so
// when the error leaves the context unusable.
ahal_status_t cu_fail(const ahal_plugin_device_t* d, CUresult result, const std::string& what);
// The same, thrown as an ahal::plugin::Error.
[[noreturn]] void cu_raise(const ahal_plugin_device_t* d, CUresult result, const std::string& what);
// Destroy entries cannot fail: a driver error there goes to the log.
void log_failure(const ahal_plugin_device_t* d, const char* what, CUresult result);

// Returns the failure of a driver call; the message is formatted only then.
#define AHAL_CU_CHECK(device, call, ...)                                     \
  do {                                                                       \
    const CUresult cu_result_ = (call);                                      \
    if (cu_result_ != CUDA_SUCCESS)                                          \
      return cu_fail(device, cu_result_, ahal::plugin::format(__VA_ARGS__)); \
  } while (0)

#define AHAL_MAKE_CURRENT(device)                                                       \
  AHAL_CU_CHECK(device, make_current(device), "cuCtxSetCurrent(primary context of %s)", \
                (device)->props.name)

// What stream_launch checks before launching (the kernel's device and
// parameter layout) and the dynamic shared memory it opts into; also used
// when a command buffer's graph is built (command_buffer.cpp).
ahal_status_t check_launch(ahal_plugin_device_t* d, ahal_plugin_kernel_t* k,
                           const ahal_plugin_launch_t* launch);

// The entries, one source file per object (plugin, device, buffer,
// host_alloc, stream, event, module, command_buffer). Each may throw; the
// table installs each behind ahal::plugin::entry.
AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_MODULE_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_DECLARE_ENTRY(_, image_score)
AHAL_PLUGIN_DECLARE_ENTRY(_, device_memory_usage)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_create)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_destroy)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_submit)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_update)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_get_native)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_import_native)

}  // namespace ahal_cuda
