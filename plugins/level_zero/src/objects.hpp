// The Level Zero plugin's objects and the helpers its files share.
//
// Streams are immediate command lists on the device's compute engine. Level
// Zero does not promise that commands of one list run in order, so every
// command waits on the event the previous one signals: each stream is a
// chain of "signals" (events from host-visible pools, recycled once nothing
// refers to them). ahal events are the signal of their last record; a timed
// record also writes the device's global timestamp next to its signal.
#pragma once

#include <ahal/plugin.h>

#include "ze_loader.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct ahal_plugin_instance_s {
  const ahal_plugin_host_t* host = nullptr;
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
  bool has_metadata = false;
  ahal_kernel_info_t info{};
  // Arguments and group size live in the kernel object until the launch is
  // appended, so launches of one kernel are serialized.
  std::mutex launch_mutex;
};

struct ahal_plugin_module_s {
  ahal_plugin_device_t* device = nullptr;
  ze_module_handle_t module = nullptr;
  std::vector<std::string> info_names;
  std::vector<ahal_kernel_info_t> infos;
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<ahal_plugin_kernel_t>> kernels;
};

namespace ahal_ze {

ahal_status_t fail(const ahal_plugin_host_t* host, ahal_status_t status, const std::string& msg);
ahal_status_t fail(const ahal_plugin_device_t* dev, ahal_status_t status, const std::string& msg);
// The ahal status a Level Zero result maps to.
ahal_status_t status_of(ze_result_t result);
// "<call> failed: ZE_RESULT_... (context)" with the mapped status.
ahal_status_t ze_fail(const ahal_plugin_device_t* dev, ze_result_t result, const char* call,
                      const std::string& context = "");
// Destroy entries cannot return a status: a failure there is logged.
void log_failure(const ahal_plugin_device_t* dev, ze_result_t result, const char* call);

#define AHAL_ZE_CALL(dev, call)                                                                   \
  do {                                                                                            \
    ze_result_t ahal_ze_result = (call);                                                          \
    if (ahal_ze_result != ZE_RESULT_SUCCESS) return ahal_ze::ze_fail(dev, ahal_ze_result, #call); \
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

// Entries, by file.
// ze_device.cpp
ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance);
void plugin_shutdown(ahal_plugin_instance_t* instance);
ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count);
ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out_device);
void device_close(ahal_plugin_device_t* device);
ahal_status_t device_get_properties(ahal_plugin_device_t* dev, ahal_device_properties_t* props);
ahal_status_t buffer_create(ahal_plugin_device_t* dev, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out_buffer);
void buffer_destroy(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer);
ahal_status_t buffer_map(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer, uint64_t offset,
                         uint64_t size, void** out_pointer);
ahal_status_t buffer_unmap(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer);
ahal_status_t host_alloc(ahal_plugin_device_t* dev, uint64_t size, uint32_t flags,
                         void** out_pointer, ahal_plugin_host_alloc_t** out_alloc);
void host_free(ahal_plugin_device_t* dev, ahal_plugin_host_alloc_t* alloc);
// ze_module.cpp
ahal_status_t module_create(ahal_plugin_device_t* dev, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out_module);
void module_destroy(ahal_plugin_module_t* module);
ahal_status_t kernel_get(ahal_plugin_module_t* module, const char* entry,
                         ahal_plugin_kernel_t** out_kernel);
ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* kernel, ahal_kernel_attributes_t* out);
ahal_status_t image_score(ahal_plugin_device_t* dev, ahal_module_format_t format,
                          const char* target, int32_t* out_score);
// ze_stream.cpp
void destroy_signal_pools(ahal_plugin_device_t* dev);
ahal_status_t stream_create(ahal_plugin_device_t* dev, const ahal_stream_args_t* args,
                            ahal_plugin_stream_t** out_stream);
void stream_destroy(ahal_plugin_stream_t* stream);
ahal_status_t stream_copy_h2d(ahal_plugin_stream_t* s, const void* src, ahal_plugin_buffer_t* dst,
                              uint64_t dst_offset, uint64_t size);
ahal_status_t stream_copy_d2h(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, void* dst, uint64_t size);
ahal_status_t stream_copy_d2d(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                              uint64_t size);
ahal_status_t stream_fill(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* buffer, uint64_t offset,
                          uint64_t size, uint32_t pattern, uint32_t pattern_size);
ahal_status_t stream_launch(ahal_plugin_stream_t* s, ahal_plugin_kernel_t* kernel,
                            const ahal_plugin_launch_t* launch);
ahal_status_t stream_host_callback(ahal_plugin_stream_t* s, ahal_host_fn_t fn, void* user_data);
ahal_status_t stream_record_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* event);
ahal_status_t stream_wait_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* event);
ahal_status_t stream_synchronize(ahal_plugin_stream_t* s);
ahal_status_t stream_query(ahal_plugin_stream_t* s);
ahal_status_t event_create(ahal_plugin_device_t* dev, uint32_t flags,
                           ahal_plugin_event_t** out_event);
void event_destroy(ahal_plugin_event_t* event);
ahal_status_t event_query(ahal_plugin_event_t* event);
ahal_status_t event_wait(ahal_plugin_event_t* event, uint64_t timeout_ns);
ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                               uint64_t* out_ns);

}  // namespace ahal_ze
