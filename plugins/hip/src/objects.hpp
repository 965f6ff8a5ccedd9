// The HIP plugin's objects, the helpers its entries share, and the entries
// each source file defines. Devices are "hip:<n>" in HIP's own ordinal
// order (HIP_VISIBLE_DEVICES applies); the runtime is opened at run time
// (hip_runtime.cpp).
#pragma once

#include "hip_runtime.hpp"

#include <ahal/kernel_cache.hpp>
#include <ahal/plugin.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

struct ahal_plugin_instance_s {
  ahal_hip::Runtime rt;
  int device_count = 0;
};

struct ahal_plugin_device_s {
  ahal_plugin_instance_t* instance = nullptr;
  const ahal_hip::Runtime* rt = nullptr;
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
  bool imported = false;  // the caller's memory (native_handle.cpp): never freed here
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
  const ahal_kernel_info_t* info = nullptr;  // the module's metadata for it, if any
};

struct ahal_plugin_module_s {
  ahal_plugin_device_t* device = nullptr;
  hipModule_t module = nullptr;
  // hipModuleLoadData may keep referring to the image: keep our own copy.
  std::vector<uint8_t> image;
  ahal::plugin::KernelInfos infos;
  ahal::plugin::KernelCache<ahal_plugin_kernel_t> kernels;
};

namespace ahal_hip {

using ahal::plugin::fail;

// The constants a launch may pass (max_constants_size): HIP caps kernel
// arguments at 4 KiB, and 32 pointers and the runtime's hidden arguments
// must fit beside them.
constexpr uint32_t kMaxConstantsSize = 2048;

// "<call> failed: hipErrorX (text)[ (context)]" with the status that error
// maps to; errors that leave the device unusable say so.
ahal_status_t hip_fail(const ahal_plugin_device_t* dev, hipError_t err, const char* call,
                       const std::string& context = "");
// The same, thrown as an ahal::plugin::Error.
[[noreturn]] void hip_raise(const ahal_plugin_device_t* dev, hipError_t err, const char* call,
                            const std::string& context = "");
ahal_status_t status_of(hipError_t err);
// Destroy entries cannot return a status: a failure there is logged.
void log_failure(const ahal_plugin_device_t* dev, hipError_t err, const char* call);
// HIP keeps a current device per host thread; ahal entries come from any
// thread, so each entry that creates or allocates selects its device first.
ahal_status_t activate(const ahal_plugin_device_t* dev);

#define AHAL_HIP_CALL(dev, call)                                               \
  do {                                                                         \
    hipError_t ahal_hip_err = (call);                                          \
    if (ahal_hip_err != hipSuccess) return hip_fail(dev, ahal_hip_err, #call); \
  } while (0)

// What the stream entries and the command buffers' capture share
// (stream.cpp): the enqueues return the runtime's error, naming the call.
void* device_address(const ahal_plugin_buffer_t* buffer, uint64_t offset);
// HIP's limit on a launch's grid (work-items per dimension); a refusal's
// message begins with `context`.
ahal_status_t check_launch(const ahal_plugin_launch_t* launch, const std::string& context = "");
hipError_t enqueue_launch(const Runtime& rt, hipStream_t stream, const ahal_plugin_kernel_t* kernel,
                          const ahal_plugin_launch_t* launch);
// pattern_size is 1, 2 or 4.
hipError_t enqueue_fill(const Runtime& rt, hipStream_t stream, void* dst, uint64_t size,
                        uint32_t pattern, uint32_t pattern_size, const char** call);

// The entries, one source file per object (plugin, device, buffer,
// host_alloc, stream, event, module, command_buffer). Each may throw; the
// table installs each behind ahal::plugin::entry.
AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_MODULE_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_DECLARE_ENTRY(_, image_score)
AHAL_PLUGIN_DECLARE_ENTRY(_, device_memory_usage)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_get_native)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_import_native)
// No command_buffer_update: the loader builds the graph again instead.
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_create)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_destroy)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_submit)

}  // namespace ahal_hip
