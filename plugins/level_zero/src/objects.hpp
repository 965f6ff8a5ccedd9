// The Level Zero plugin's objects, the helpers its files share, and the
// entries each source file defines.
//
// Streams are immediate command lists on the device's compute engine. Level
// Zero does not promise that commands of one list run in order, so every
// command waits on the event the previous one signals: each stream is a
// chain of "signals" (events from host-visible pools, recycled once nothing
// refers to them). ahal events are the signal of their last record; a timed
// record also writes the device's global timestamp next to its signal.
#pragma once

#include "ze_loader.hpp"

#include <ahal/kernel_cache.hpp>
#include <ahal/plugin.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct ahal_plugin_instance_s {
  ahal_ze::Loader ze;
  std::vector<ze_context_handle_t> contexts;  // one per driver with devices
  struct DeviceEntry {
    ze_driver_handle_t driver;
    ze_context_handle_t context;
    ze_device_handle_t device;
  };
  std::vector<DeviceEntry> devices;
};

namespace ahal_ze {

// One event of a pool, with the slot a timed record writes its timestamp to.
struct Signal {
  ze_event_handle_t event = nullptr;
  uint64_t* timestamp = nullptr;
};
// A signal in use; the last reference resets it and returns it to its pool,
// which is safe because whatever signals or waits on it holds a reference
// until that command completed.
using SignalRef = std::shared_ptr<Signal>;

}  // namespace ahal_ze

struct ahal_plugin_device_s {
  ahal_plugin_instance_t* instance = nullptr;
  const ahal_ze::Loader* ze = nullptr;
  ze_driver_handle_t driver = nullptr;
  ze_context_handle_t context = nullptr;
  ze_device_handle_t device = nullptr;
  ahal_device_properties_t properties{};   // complete, written at open
  uint32_t compute_ordinal = 0;            // command queue group for streams
  double ns_per_tick = 1.0;                // global timestamp period
  uint64_t timestamp_mask = ~uint64_t{0};  // valid timestamp bits

  // Signal pools.
  struct Pool {
    ze_event_pool_handle_t pool = nullptr;
    uint64_t* timestamps = nullptr;  // host USM, one slot per event
    std::vector<ahal_ze::Signal> signals;
  };
  std::mutex signal_mutex;
  std::vector<std::unique_ptr<Pool>> pools;
  std::vector<ahal_ze::Signal*> free_signals;
};

struct ahal_plugin_buffer_s {
  void* pointer = nullptr;
  uint64_t size = 0;
  bool host_visible = false;
  bool imported = false;  // the caller's memory (native_handle.cpp): never freed here
};

struct ahal_plugin_host_alloc_s {
  void* pointer = nullptr;
};

struct ahal_plugin_stream_s {
  ahal_plugin_device_t* device = nullptr;
  ze_command_list_handle_t list = nullptr;

  std::mutex mutex;  // the list, `last` and `pending`
  ahal_ze::SignalRef last;
  // Commands not known to be complete, oldest first: what each signals,
  // the signals it waits on, and data it reads at execution time.
  struct Pending {
    ahal_ze::SignalRef done;
    std::vector<ahal_ze::SignalRef> waits;
    std::unique_ptr<uint32_t> fill_pattern;
  };
  std::deque<Pending> pending;

  // Host callbacks run in order on this stream's own thread.
  struct Callback {
    ahal_ze::SignalRef after;    // run once this completed (may be empty)
    ahal_ze::SignalRef release;  // then signal this; the stream waits on it
    ahal_host_fn_t fn;
    void* user_data;
  };
  std::thread worker;
  std::mutex callback_mutex;
  std::condition_variable callback_cv;
  std::deque<Callback> callbacks;
  bool stopping = false;
};

struct ahal_plugin_event_s {
  ahal_plugin_device_t* device = nullptr;
  bool timing = false;
  std::mutex mutex;
  ahal_ze::SignalRef current;  // the last record's signal
};

struct ahal_plugin_kernel_s {
  ahal_plugin_module_t* module = nullptr;
  ze_kernel_handle_t kernel = nullptr;
  ze_kernel_properties_t properties{};
  const ahal_kernel_info_t* info = nullptr;  // the module's metadata for it, if any
  // Arguments and group size live in the kernel object until the launch is
  // appended, so launches of one kernel are serialized.
  std::mutex launch_mutex;
};

struct ahal_plugin_module_s {
  ahal_plugin_device_t* device = nullptr;
  ze_module_handle_t module = nullptr;
  ahal::plugin::KernelInfos infos;
  ahal::plugin::KernelCache<ahal_plugin_kernel_t> kernels;
};

namespace ahal_ze {

constexpr uint64_t kBufferAlignment = 256;
constexpr uint32_t kBindingOffsetAlignment = 64;

using ahal::plugin::fail;

// The ahal status a Level Zero result maps to.
ahal_status_t status_of(ze_result_t result);
// "<call> failed: ZE_RESULT_... (context)" with the mapped status.
ahal_status_t ze_fail(const ahal_plugin_device_t* dev, ze_result_t result, const char* call,
                      const std::string& context = "");
// The same, thrown as an ahal::plugin::Error.
[[noreturn]] void ze_raise(const ahal_plugin_device_t* dev, ze_result_t result, const char* call,
                           const std::string& context = "");
// Destroy entries cannot return a status: a failure there is logged.
void log_failure(const ahal_plugin_device_t* dev, ze_result_t result, const char* call);

#define AHAL_ZE_CALL(dev, call)                                                                   \
  do {                                                                                            \
    ze_result_t ahal_ze_result = (call);                                                          \
    if (ahal_ze_result != ZE_RESULT_SUCCESS) return ahal_ze::ze_fail(dev, ahal_ze_result, #call); \
  } while (0)

// stream.cpp: the device's signal pools, released when it closes, a
// signal from them, and whether a signal completed.
void destroy_signal_pools(ahal_plugin_device_t* dev);
ahal_status_t acquire_signal(ahal_plugin_device_t* dev, SignalRef* out);
bool is_complete(const ahal_plugin_device_t* dev, const SignalRef& signal);

// stream.cpp: a launch's arguments checked against the kernel (*dynamic:
// it takes a dynamic local memory argument), then set on the kernel object
// with the group size; the caller holds kernel->launch_mutex until the
// append that captures them.
ahal_status_t check_launch_arguments(const ahal_plugin_kernel_t* kernel,
                                     const ahal_plugin_launch_t* launch, bool* dynamic);
ahal_status_t set_launch_arguments(ahal_plugin_kernel_t* kernel, const ahal_plugin_launch_t* launch,
                                   bool dynamic);

// stream.cpp: appends what `body` issues as the stream's next command,
// under the stream's lock. `body` gets the stream's last signal (may be
// empty) and a fresh one that its last call must signal, which becomes the
// stream's last; `keep` is held until then.
using Sequence = std::function<ahal_status_t(const SignalRef& previous, const SignalRef& signal)>;
ahal_status_t append_sequence(ahal_plugin_stream_t* s, const Sequence& body,
                              std::vector<SignalRef> keep);

// The entries, one source file per object (plugin, device, buffer,
// host_alloc, stream, event, module, command_buffer). Each may throw; the table installs
// each behind ahal::plugin::entry.
AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_MODULE_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_DECLARE_ENTRY(_, image_score)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_get_native)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_import_native)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_create)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_destroy)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_submit)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_update)

}  // namespace ahal_ze
