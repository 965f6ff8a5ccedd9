// The OpenCL plugin's objects and the entry points each source file defines.
// plugin.h declares the ahal_plugin_*_s types; they are defined here.
#pragma once

#include "cl_api.hpp"

#include <ahal/kernel_cache.hpp>
#include <ahal/plugin.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace ahal_opencl {

using ahal::plugin::fail;
using ahal::plugin::log;

// Failure of an OpenCL call: "<call> failed: CL_NAME (code)[: what]".
std::string cl_message(cl_int error, const char* call, const std::string& what = "");
ahal_status_t fail_cl(cl_int error, const char* call, const std::string& what = "");

// (major * 100 + minor * 10) of an "OpenCL <major>.<minor> ..." string, 0 if none.
unsigned parse_cl_version(const std::string& version);

}  // namespace ahal_opencl

struct ahal_plugin_instance_s {
  struct Entry {
    cl_platform_id platform;
    cl_device_id device;
  };
  std::string cache_dir;
  std::vector<Entry> devices;  // every device of every platform, in ICD order
};

// cl_khr_command_buffer 0.9.0 entries (all set, or none).
struct CommandBufferFunctions {
  clCreateCommandBufferKHR_fn create = nullptr;
  clFinalizeCommandBufferKHR_fn finalize = nullptr;
  clReleaseCommandBufferKHR_fn release = nullptr;
  clEnqueueCommandBufferKHR_fn enqueue = nullptr;
  clCommandBarrierWithWaitListKHR_fn barrier = nullptr;
  clCommandCopyBufferKHR_fn copy = nullptr;
  clCommandFillBufferKHR_fn fill = nullptr;
  clCommandNDRangeKernelKHR_fn launch = nullptr;
  bool simultaneous = false;  // may be enqueued while a submission is pending
};

struct ahal_plugin_device_s {
  cl_platform_id platform = nullptr;
  cl_device_id id = nullptr;
  cl_context context = nullptr;
  // For maps, unmaps and pinned allocations; streams have their own queues.
  cl_command_queue io_queue = nullptr;
  unsigned version = 0;  // device OpenCL version, e.g. 300
  bool compiler = false;
  bool profiling = false;
  bool priority_hints = false;
  // Buffers live in fine-grained SVM of host memory (device.cpp), so each
  // has a host address that stays valid while kernels use it.
  bool host_svm = false;
  // SPIR-V input: core clCreateProgramWithIL (2.1+) or cl_khr_il_program.
  bool takes_spirv = false;
  clCreateProgramWithILKHR_fn create_program_with_il_khr = nullptr;
  std::string cache_dir;
  // What a compiled binary depends on besides source and options.
  std::string cache_key;
  // Work-groups one launch may have in all (PoCL counts them in 32 bits).
  uint64_t max_groups_per_launch = UINT64_MAX;
  CommandBufferFunctions command_buffers;  // command_buffer.cpp
  // Command buffers without cl_khr_command_buffer are prepared ones
  // (command_buffer.cpp), unless AHAL_OPENCL_COMMAND_BUFFERS=0.
  bool prepared_command_buffers = true;
  ahal_device_properties_t props{};
};

struct ahal_plugin_buffer_s {
  ahal_plugin_device_s* device = nullptr;
  cl_mem mem = nullptr;
  void* svm = nullptr;  // mem's storage where the device has host_svm
  uint64_t size = 0;
  std::mutex mutex;  // guards views and mapped
  // Sub-buffers from an offset to the end, made once per offset and kept
  // until the buffer is destroyed, so launches with offsets allocate nothing.
  // At most kMaxViews; further offsets get a sub-buffer per launch.
  static constexpr size_t kMaxViews = 64;
  std::unordered_map<uint64_t, cl_mem> views;
  void* mapped = nullptr;

  // The buffer itself for offset 0, else the sub-buffer at `offset`; *owned
  // is set when the caller must release it (after the enqueue that uses it:
  // enqueued commands keep their memory objects alive).
  cl_int view(uint64_t offset, cl_mem* out, bool* owned);
};

struct ahal_plugin_host_alloc_s {
  cl_mem mem = nullptr;  // CL_MEM_ALLOC_HOST_PTR buffer, mapped for its whole life
  void* pointer = nullptr;
};

namespace ahal_opencl {

// Runs a stream's host callbacks, in order, on a thread of its own. OpenCL
// callbacks may run inside the enqueuing call (when the marker is already
// complete) or on a driver thread where blocking OpenCL calls are undefined;
// user functions run here instead, free to call ahal. Jobs run in the order
// of their `seq` (0, 1, ...), whatever order they are posted in: a callback
// right after another is posted at once, ahead of the one it follows.
class CallbackThread {
 public:
  struct Job {
    ahal_host_fn_t fn;  // nullptr: a callback that was never set up, skipped
    void* user_data;
    cl_event gate;  // completed after fn returns; later stream work waits on it
    uint64_t seq;
  };
  CallbackThread();
  ~CallbackThread();  // runs the jobs still queued, then joins
  void post(const Job& job);

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<uint64_t, Job> jobs_;
  uint64_t next_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

// Enqueues a stream's submissions of prepared command buffers
// (command_buffer.cpp) on a queue of its own, so that the submitting thread
// pays a marker and a barrier instead of one enqueue per command. Each job's
// commands wait on `start` (a marker at the submission's place on the
// stream); `gate`, a user event the stream's later work waits on, is
// completed when they have run. Jobs are enqueued in the order posted.
class ReplayThread {
 public:
  struct Job {
    ahal_plugin_command_buffer_t* cb;  // its `pending` counts this job
    cl_event start;                    // released by the thread
    cl_event gate;                     // completed and released by the thread
  };
  explicit ReplayThread(cl_command_queue queue);  // takes the queue
  ~ReplayThread();                                // enqueues the jobs still queued, then joins
  void post(const Job& job);
  // The first failure of an enqueue since the last call, or AHAL_SUCCESS.
  ahal_status_t take_error();

 private:
  void run();
  void replay(const Job& job);
  cl_command_queue queue_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  cl_int error_ = CL_SUCCESS;  // the first failed enqueue not yet reported
  const char* error_call_ = "";
  std::string error_what_;
  std::thread thread_;
};

}  // namespace ahal_opencl

struct ahal_plugin_stream_s {
  ahal_plugin_device_s* device = nullptr;
  int32_t priority = 0;
  std::mutex mutex;  // serializes enqueues and the switch to a profiling queue
  cl_command_queue queue = nullptr;
  bool profiling = false;
  // Queues replaced by a profiling one; their work may still be pending.
  std::vector<cl_command_queue> retired;
  // Started by the first host callback on the stream.
  std::unique_ptr<ahal_opencl::CallbackThread> callbacks;
  uint64_t callback_seq = 0;  // host callbacks enqueued so far
  // Started by the first deferred command-buffer submission on the stream.
  std::unique_ptr<ahal_opencl::ReplayThread> replays;
  // For stream_query without a marker per call: commands enqueued so far,
  // their count when the stream was last seen idle, and the latest marker
  // or barrier event with the count when it was enqueued.
  uint64_t commands = 0;
  uint64_t idle_at = 0;
  cl_event tail = nullptr;
  uint64_t tail_at = 0;

  // The last host callback's gate while only host callbacks came since it
  // (retained): no barrier holds later work on it yet. The next other
  // command first enqueues that barrier (close_gate), so a run of
  // callbacks costs the driver one barrier, not one each.
  cl_event open_gate = nullptr;

  // Records `event` (enqueued last, under `mutex`) as the stream's tail.
  void set_tail(cl_event event);
  // Under `mutex`, before enqueueing anything else: the barrier on
  // open_gate, if there is one.
  cl_int close_gate();
};

struct ahal_plugin_event_s {
  ahal_plugin_device_s* device = nullptr;
  uint32_t flags = 0;
  std::mutex mutex;
  cl_event event = nullptr;  // marker of the last record, nullptr before one

  // The last record's marker, retained (release it), or nullptr.
  cl_event current();
};

struct ahal_plugin_kernel_s {
  ~ahal_plugin_kernel_s();
  cl_kernel kernel = nullptr;
  std::string name;
  // clSetKernelArg on one cl_kernel is not thread-safe: arguments are set
  // and the launch enqueued under this lock.
  std::mutex mutex;
  cl_uint arg_count = 0;
  ahal_kernel_attributes_t attributes{};
};

struct ahal_plugin_module_s {
  ahal_plugin_device_s* device = nullptr;
  cl_program program = nullptr;
  ahal_module_format_t format = AHAL_MODULE_FORMAT_UNKNOWN;
  ahal::plugin::KernelInfos infos;
  ahal::plugin::KernelCache<ahal_plugin_kernel_s> kernels;
};

// The entries, one source file per object (plugin, device, buffer,
// host_alloc, stream, event, module, command_buffer). Each may throw; the table installs
// each behind ahal::plugin::entry.
namespace ahal_opencl {

AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_MODULE_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_DECLARE_ENTRY(_, image_score)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_get_native)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_host_address)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_create)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_destroy)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_submit)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_update)

// command_buffer.cpp: sets device->command_buffers where the device has
// cl_khr_command_buffer at version 0.9.0 and AHAL_OPENCL_COMMAND_BUFFERS=1
// (otherwise command buffers are prepared ones, or with =0 the loader's
// replay); and enqueues a prepared command buffer's commands on a queue.
void detect_command_buffers(ahal_plugin_device_t* device);
// Enqueues cb's commands on `queue`; on failure, the command's index and
// the OpenCL call that failed.
cl_int enqueue_prepared(ahal_plugin_command_buffer_t* cb, cl_command_queue queue,
                        uint32_t* failed_index, const char** failed_call);
// A job of cb's is done with it (ReplayThread).
void replay_finished(ahal_plugin_command_buffer_t* cb);

// device.cpp: string queries ("" where the driver gives none), and an
// in-order queue on the device, with profiling only when asked.
std::string device_string(cl_device_id device, cl_device_info param);
std::string platform_string(cl_platform_id platform, cl_platform_info param);
cl_int create_queue(ahal_plugin_device_t* device, bool profiling, int32_t priority,
                    cl_command_queue* out_queue);

// event.cpp: the status of one cl_event (success, not ready, or the failure
// that ended it), and the status for work that failed on the device.
ahal_status_t event_status(cl_event event);
ahal_status_t device_failed(cl_int error, const char* what);

}  // namespace ahal_opencl
