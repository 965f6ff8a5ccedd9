// The CPU plugin's objects: host memory as device memory, kernels from
// cpu-so modules run on a thread pool, in-order asynchronous streams. One
// source file per object (plugin, device, buffer, host_alloc, stream,
// event, module, command_buffer; launch holds the launch decoding both
// streams and command buffers use).
#pragma once

#include "machine_info.hpp"
#include "thread_pool.hpp"

#include <ahal/cpu_kernel.h>
#include <ahal/kernel_cache.hpp>
#include <ahal/plugin.hpp>

#include <algorithm>
#include <atomic>
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

namespace ahal_cpu {

namespace plugin = ahal::plugin;

// Limits the device reports and enforces.
constexpr uint32_t kMaxWorkgroupSize = 1024;
constexpr uint32_t kBufferAlignment = 64;
constexpr uint32_t kBindingOffsetAlignment = 16;

class CpuDevice;

class CpuBuffer final : public plugin::Buffer {
 public:
  CpuBuffer(CpuDevice& device, uint64_t size);
  // An imported host allocation (ahal_buffer_import_native): not freed.
  CpuBuffer(CpuDevice& device, unsigned char* imported, uint64_t size)
      : device_(device), data_(imported), size_(size), owned_(false) {}
  ~CpuBuffer() override;
  void* map(uint64_t offset, uint64_t size) override;
  void unmap() override;
  void native(ahal_native_buffer_t& out) override {
    out.kind = AHAL_NATIVE_HANDLE_HOST_POINTER;
    out.handle = reinterpret_cast<uintptr_t>(data_);
  }
  void* host_address() override { return data_; }
  unsigned char* data() const { return data_; }
  uint64_t size() const { return size_; }

 private:
  CpuDevice& device_;
  unsigned char* data_ = nullptr;
  uint64_t size_;
  bool owned_ = true;
  std::atomic<bool> mapped_{false};
};

class CpuHostAlloc final : public plugin::HostAlloc {
 public:
  explicit CpuHostAlloc(uint64_t size);
  ~CpuHostAlloc() override;
  void* pointer() override { return data_; }

 private:
  void* data_;
};

// Shared by an event and the stream commands that record or wait for it, so
// destroying the event with such commands still queued is safe.
struct EventState {
  std::mutex mutex;
  std::condition_variable cv;
  uint64_t recorded = 0;      // generation of the last record enqueued
  uint64_t completed = 0;     // highest generation that has run
  uint64_t timestamp_ns = 0;  // steady_clock time of `completed`

  // At enqueue time (in stream order): the generation a new record gets,
  // and the one a wait enqueued now waits for (0: nothing to wait for).
  uint64_t next_record();
  uint64_t last_record();
  // When the command runs.
  void complete(uint64_t generation);
  void wait_for(uint64_t generation);
};

class CpuEvent final : public plugin::Event {
 public:
  explicit CpuEvent(uint32_t flags) : timing_(flags & AHAL_EVENT_TIMING) {}
  bool query() override;
  bool wait(uint64_t timeout_ns) override;
  uint64_t elapsed_ns(plugin::Event& end) override;
  const std::shared_ptr<EventState>& state() const { return state_; }

 private:
  bool timing_;
  std::shared_ptr<EventState> state_ = std::make_shared<EventState>();
};

void check_range(const CpuBuffer& buffer, uint64_t offset, uint64_t size, const char* what);

// A launch as it runs; everything copied when it is enqueued or recorded.
struct Launch {
  ahal_cpu_kernel_fn fn;
  uint32_t grid[3];
  uint32_t workgroup_size[3];
  uint32_t shared_bytes;
  uint32_t binding_count;
  void* bindings[AHAL_MAX_BINDINGS];
  uint64_t binding_sizes[AHAL_MAX_BINDINGS];
  std::vector<unsigned char> constants;
};

// Checks `args` against the device's limits and resolves it into `out`.
void decode_launch(plugin::Kernel& kernel, const ahal_plugin_launch_t& args, Launch& out);
// Runs all workgroups of `launch` on the pool (this thread included).
void run_launch(const Launch& launch, ThreadPool& pool, Scratch& scratch);

class CpuKernel final : public plugin::Kernel {
 public:
  CpuKernel(ahal_cpu_kernel_fn fn, const ahal_kernel_info_t* info);
  void attributes(ahal_kernel_attributes_t& out) override;
  ahal_cpu_kernel_fn function() const { return fn_; }

 private:
  ahal_cpu_kernel_fn fn_;
  const ahal_kernel_info_t* info_;  // the module's metadata for it, or nullptr
};

// A loaded cpu-so image.
class CpuModule final : public plugin::Module {
 public:
  CpuModule(const ahal_plugin_module_args_t& args, const std::string& arch);
  ~CpuModule() override;
  plugin::Kernel& kernel(const char* entry) override;

 private:
  void* handle_ = nullptr;
  int fd_ = -1;                // the memfd stays open so /proc/self/fd/N names only this image
  plugin::KernelInfos infos_;  // metadata the loader gave
  plugin::KernelCache<CpuKernel> kernels_;
};

// A finalized command buffer, pre-decoded: buffer pointers resolved,
// constants copied, kernels' entry points looked up. A submission runs the
// whole list as one stream command.
class CpuCommandBuffer final : public plugin::CommandBuffer {
 public:
  struct Step {
    ahal_plugin_command_type_t type;
    unsigned char* dst = nullptr;        // copies, fill
    const unsigned char* src = nullptr;  // copies
    uint64_t size = 0;
    uint32_t pattern = 0, pattern_size = 0;
    uint32_t launch = 0;                // index into launches()
    std::shared_ptr<EventState> event;  // record, wait
  };

  CpuCommandBuffer(const ahal_plugin_command_t* commands, uint32_t count);
  void update(uint32_t index, const ahal_plugin_command_t& command) override;
  const std::vector<Step>& steps() const { return steps_; }
  const std::vector<Launch>& launches() const { return launches_; }
  // Records and waits, in order; a submission marks one generation each.
  uint32_t event_steps() const { return event_steps_; }
  // Assigns those generations as the stream enqueues the submission.
  void mark_events(uint64_t* marks) const;

 private:
  std::vector<Step> steps_;
  std::vector<Launch> launches_;
  uint32_t event_steps_ = 0;
};

// One in-order queue with its own thread; launches fan out to the pool.
// ahal_stream_synchronize runs the commands it waits for itself when the
// stream's thread is not already running one: a short launch then costs no
// thread switch even where the two threads share a CPU.
class CpuStream final : public plugin::Stream {
 public:
  explicit CpuStream(CpuDevice& device);
  ~CpuStream() override;
  void copy_h2d(const void* src, plugin::Buffer& dst, uint64_t dst_offset, uint64_t size) override;
  void copy_d2h(plugin::Buffer& src, uint64_t src_offset, void* dst, uint64_t size) override;
  void copy_d2d(plugin::Buffer& src, uint64_t src_offset, plugin::Buffer& dst, uint64_t dst_offset,
                uint64_t size) override;
  void fill(plugin::Buffer& buffer, uint64_t offset, uint64_t size, uint32_t pattern,
            uint32_t pattern_size) override;
  void launch(plugin::Kernel& kernel, const ahal_plugin_launch_t& launch) override;
  void host_callback(ahal_host_fn_t fn, void* user_data) override;
  void record_event(plugin::Event& event) override;
  void wait_event(plugin::Event& event) override;
  // Between cpu devices (AHAL_CPU_DEVICES): all host memory, so as within one.
  void copy_peer(plugin::Buffer& src, uint64_t src_offset, plugin::Buffer& dst, uint64_t dst_offset,
                 uint64_t size) override {
    copy_d2d(src, src_offset, dst, dst_offset, size);
  }
  void wait_event_peer(plugin::Event& event) override { wait_event(event); }
  void synchronize() override;
  bool query() override;
  void submit(plugin::CommandBuffer& command_buffer) override;

 private:
  using Command = std::function<void()>;
  // on_queued runs under the queue lock once the command is in the queue,
  // before any thread can run it.
  void enqueue(Command command, const std::function<void()>& on_queued = nullptr);
  void thread_main();
  // True when a command is queued and no thread is running one.
  bool runnable_locked() const { return !queue_.empty() && !executing_; }
  // Pops and runs the front command; `lock` is held on entry and on return.
  void run_front(std::unique_lock<std::mutex>& lock);
  // Large copies and fills are split over the pool like launches.
  void copy(void* dst, const void* src, uint64_t size);
  void fill_bytes(unsigned char* dst, uint64_t size, uint32_t pattern, uint32_t pattern_size);
  // A submission of a command buffer, on the thread running the stream.
  void run_commands(const CpuCommandBuffer& command_buffer, const uint64_t* marks);

  CpuDevice& device_;
  Scratch scratch_{kSharedMemoryBytes};  // for whichever thread runs a command
  std::mutex mutex_;
  std::condition_variable work_cv_;  // stream thread: a command became runnable
  std::condition_variable idle_cv_;  // synchronize: a command completed
  std::deque<Command> queue_;
  std::atomic<bool> executing_{false};  // a thread is running a command
  std::atomic<uint64_t> enqueued_{0};
  std::atomic<uint64_t> completed_{0};
  std::atomic<bool> stop_{false};
  bool sleeping_ = false;
  unsigned waiters_ = 0;
  std::thread thread_;
};

class CpuDevice final : public plugin::Device {
 public:
  explicit CpuDevice(const MachineInfo& machine);
  void properties(ahal_device_properties_t& out) override;
  std::unique_ptr<plugin::Buffer> create_buffer(const ahal_buffer_args_t& args) override;
  std::unique_ptr<plugin::Buffer> import_buffer(const ahal_native_buffer_t& native) override;
  std::unique_ptr<plugin::HostAlloc> host_alloc(uint64_t size, uint32_t flags) override;
  std::unique_ptr<plugin::Stream> create_stream(const ahal_stream_args_t& args) override;
  std::unique_ptr<plugin::Event> create_event(uint32_t flags) override;
  std::unique_ptr<plugin::Module> create_module(const ahal_plugin_module_args_t& args) override;
  void memory_usage(uint64_t* used, uint64_t* total) override;
  std::unique_ptr<plugin::CommandBuffer> create_command_buffer(
      const ahal_plugin_command_t* commands, uint32_t command_count, uint32_t flags) override;
  uint32_t peer_flags(plugin::Device& /*peer*/) override {
    return AHAL_PEER_COPY_NATIVE | AHAL_PEER_WAIT_NATIVE;
  }

  ThreadPool& pool() { return pool_; }
  // Counts `size` against the machine's memory; false when it would not fit.
  // Linux over-commits, so without this an oversized allocation "succeeds"
  // and the process is killed on first touch instead of getting a status.
  bool reserve_buffer_bytes(uint64_t size) {
    uint64_t used = buffer_bytes_.load();
    do {
      if (machine_.memory_bytes &&
          size > machine_.memory_bytes - std::min(used, machine_.memory_bytes))
        return false;
    } while (!buffer_bytes_.compare_exchange_weak(used, used + size));
    uint64_t peak = peak_bytes_.load();
    while (used + size > peak && !peak_bytes_.compare_exchange_weak(peak, used + size)) {
    }
    return true;
  }
  void release_buffer_bytes(uint64_t size) { buffer_bytes_ -= size; }
  uint64_t memory_peak(uint32_t flags) override {
    if (!(flags & AHAL_MEMORY_PEAK_RESET)) return peak_bytes_.load();
    return peak_bytes_.exchange(buffer_bytes_.load());
  }

 private:
  MachineInfo machine_;
  ThreadPool pool_;
  std::atomic<uint64_t> buffer_bytes_{0};
  std::atomic<uint64_t> peak_bytes_{0};  // most of buffer_bytes_ since open or reset
};

// 64-byte aligned host memory (size rounded up), or nullptr.
void* aligned_allocation(uint64_t size);

// Worker threads for a machine: AHAL_CPU_THREADS if set, else its cores.
unsigned worker_threads(const MachineInfo& machine);

}  // namespace ahal_cpu
