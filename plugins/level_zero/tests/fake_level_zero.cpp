// A test double of the Level Zero loader and an Intel GPU, built as
// libze_loader.so.1 for AHAL_ZE_LOADER_PATH: one GPU with two sub-devices
// whose "kernels" are the standard kernels run on the host
// (emulated_kernels.hpp). It is strict where a driver may be: every
// appended command runs on a thread pool as soon as its wait events are
// signalled, in no particular order (Level Zero promises none within a
// list), descriptors must carry the right stype, kernel arguments must have
// the kernel's sizes and pointers must lie in USM allocations. Regular
// command lists keep their appends and run them when a command queue
// executes them, with Level Zero's minimum ordering: a barrier without
// wait events waits for the list's earlier commands, and every barrier
// holds back the commands after it. fake_ze_calls() counts calls. Test only.
#include <level_zero/ze_api.h>

#include "emulated_kernels.hpp"
#include "fake_device_memory.hpp"

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#define FAKE_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

// A misuse the plugin could not report (it happens in a destroy path):
// stop the test loudly.
[[noreturn]] void violation(const char* what) {
  std::fprintf(stderr, "fake Level Zero: %s\n", what);
  std::abort();
}

}  // namespace

struct _ze_driver_handle_t {};
struct _ze_device_handle_t {
  bool sub = false;
  uint32_t index = 0;
};
struct _ze_context_handle_t {};
struct _ze_event_handle_t {
  bool signaled = false;  // guarded by the executor mutex
};
struct _ze_event_pool_handle_t {
  std::vector<_ze_event_handle_t> events;
};
struct _ze_module_build_log_handle_t {
  std::string text;
};
struct _ze_module_handle_t {
  std::set<std::string> entry_points;
};
struct _ze_kernel_handle_t {
  const ahal_fake::EmulatedKernel* emulated = nullptr;
  uint32_t num_args = 0;
  std::vector<std::vector<uint8_t>> args;  // value bytes; empty = local size only
  std::vector<bool> set;
  std::vector<size_t> local_sizes;
  uint32_t group[3] = {1, 1, 1};
};
struct _ze_command_list_handle_t;

namespace {

constexpr uint32_t kTimestampBits = 36;
constexpr uint64_t kTimestampMask = (uint64_t{1} << kTimestampBits) - 1;

_ze_driver_handle_t g_driver;
_ze_device_handle_t g_root;
_ze_device_handle_t g_subs[2] = {{true, 0}, {true, 1}};

// ------------------------------------------------------------- memory

constexpr uint64_t kDeviceMemory = uint64_t{4} << 30;  // enforced for device and shared USM

ahal_fake::FakeDeviceMemory g_memory(kDeviceMemory);

void* allocate(size_t size, size_t alignment, bool device) {
  return g_memory.allocate(size, std::max<size_t>(alignment, 64), device);
}

bool in_allocation(const void* p, size_t size) { return g_memory.contains(p, size); }

// ------------------------------------------------------------- executor

struct Task {
  std::vector<ze_event_handle_t> waits;
  std::vector<std::shared_ptr<Task>> before;  // a barrier with no waits: the list so far
  ze_event_handle_t signal = nullptr;
  std::function<void()> action;
  bool done = false;
};

// Runs tasks on a few threads in whatever order their dependencies allow.
// Never destroyed: its threads may still wait at process exit.
struct Executor {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Task>> queue;
  std::mt19937 random{12345};

  Executor() {
    for (int i = 0; i < 3; ++i) std::thread([this] { work(); }).detach();
  }
  bool ready(const Task& t) const {
    for (ze_event_handle_t e : t.waits)
      if (!e->signaled) return false;
    for (const auto& b : t.before)
      if (!b->done) return false;
    return true;
  }
  void work() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      std::vector<size_t> ready_ones;
      for (size_t i = 0; i < queue.size(); ++i)
        if (ready(*queue[i])) ready_ones.push_back(i);
      if (ready_ones.empty()) {
        cv.wait(lock);
        continue;
      }
      size_t pick = ready_ones[random() % ready_ones.size()];
      std::shared_ptr<Task> task = queue[pick];
      queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(pick));
      lock.unlock();
      task->action();
      lock.lock();
      task->done = true;
      if (task->signal) task->signal->signaled = true;
      cv.notify_all();
    }
  }
};

Executor& executor() {
  static Executor* e = new Executor();
  return *e;
}

uint64_t now_ticks() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count()) &
         kTimestampMask;
}

}  // namespace

// A regular list's append, run when the list is executed.
struct Recorded {
  std::vector<ze_event_handle_t> waits;
  ze_event_handle_t signal = nullptr;
  std::function<void()> action;
  bool barrier = false;
};

struct _ze_command_list_handle_t {
  bool immediate = true;
  std::vector<std::shared_ptr<Task>> appended;  // guarded by the executor mutex
  // Regular lists only.
  uint32_t ordinal = 0;
  bool closed = false;
  std::vector<Recorded> recorded;
  std::vector<std::shared_ptr<Task>> executing;  // its last execution's tasks
};
struct _ze_command_queue_handle_t {
  uint32_t ordinal = 0;
};

namespace {

std::mutex g_calls_mutex;
std::map<std::string, long> g_calls;

void count(const std::string& what) {
  std::lock_guard<std::mutex> lock(g_calls_mutex);
  ++g_calls[what];
}

// Calls that fail (with ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY) the next
// times they are made: fake_ze_fail_next.
std::map<std::string, long> g_failures;

bool fails(const std::string& what) {
  std::lock_guard<std::mutex> lock(g_calls_mutex);
  auto it = g_failures.find(what);
  if (it == g_failures.end() || it->second == 0) return false;
  --it->second;
  return true;
}

bool all_done(const std::vector<std::shared_ptr<Task>>& tasks) {
  for (const auto& t : tasks)
    if (!t->done) return false;
  return true;
}

// Keeps a regular list's append (validated like an immediate one).
ze_result_t record(ze_command_list_handle_t list, ze_event_handle_t signal, uint32_t n,
                   ze_event_handle_t* waits, std::function<void()> action, bool barrier) {
  if (list->closed) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  Recorded r;
  for (uint32_t i = 0; i < n; ++i) {
    if (!waits[i]) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
    r.waits.push_back(waits[i]);
  }
  r.signal = signal;
  r.action = std::move(action);
  r.barrier = barrier;
  std::lock_guard<std::mutex> lock(executor().mutex);
  list->recorded.push_back(std::move(r));
  return ZE_RESULT_SUCCESS;
}

ze_result_t append(ze_command_list_handle_t list, ze_event_handle_t signal, uint32_t n,
                   ze_event_handle_t* waits, std::function<void()> action) {
  if (!list) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (n > 0 && !waits) return ZE_RESULT_ERROR_INVALID_SIZE;
  if (!list->immediate) return record(list, signal, n, waits, std::move(action), false);
  count("immediate appends");
  auto task = std::make_shared<Task>();
  for (uint32_t i = 0; i < n; ++i) {
    if (!waits[i]) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
    task->waits.push_back(waits[i]);
  }
  task->signal = signal;
  task->action = std::move(action);
  Executor& ex = executor();
  std::lock_guard<std::mutex> lock(ex.mutex);
  if (signal && signal->signaled) return ZE_RESULT_ERROR_INVALID_ARGUMENT;  // not reset
  list->appended.push_back(task);
  ex.queue.push_back(task);
  ex.cv.notify_all();
  return ZE_RESULT_SUCCESS;
}

// Entry point names of a SPIR-V module (OpEntryPoint), empty if none.
std::set<std::string> spirv_entry_points(const uint8_t* data, size_t size) {
  std::set<std::string> names;
  std::vector<uint32_t> w(size / 4);
  std::memcpy(w.data(), data, w.size() * 4);
  for (size_t at = 5; at < w.size();) {
    uint32_t count = w[at] >> 16, op = w[at] & 0xffff;
    if (count == 0 || at + count > w.size()) break;
    if (op == 15 && count > 3)
      names.insert(
          std::string(reinterpret_cast<const char*>(&w[at + 3]),
                      strnlen(reinterpret_cast<const char*>(&w[at + 3]), (count - 3) * 4)));
    at += count;
  }
  return names;
}

ze_device_handle_t all_devices[] = {&g_root, &g_subs[0], &g_subs[1]};

bool known_device(ze_device_handle_t d) {
  return std::find(std::begin(all_devices), std::end(all_devices), d) != std::end(all_devices);
}

}  // namespace

// ------------------------------------------------------------- driver

FAKE_EXPORT ze_result_t zeInit(ze_init_flags_t flags) {
  return flags & ~ZE_INIT_FLAG_GPU_ONLY ? ZE_RESULT_ERROR_INVALID_ENUMERATION : ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeDriverGet(uint32_t* count, ze_driver_handle_t* drivers) {
  if (!count) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (*count == 0 || !drivers) {
    *count = 1;
    return ZE_RESULT_SUCCESS;
  }
  drivers[0] = &g_driver;
  *count = 1;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeDriverGetApiVersion(ze_driver_handle_t, ze_api_version_t* version) {
  *version = ZE_API_VERSION_1_3;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeDriverGetProperties(ze_driver_handle_t, ze_driver_properties_t* p) {
  if (p->stype != ZE_STRUCTURE_TYPE_DRIVER_PROPERTIES) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  p->driverVersion = (1u << 24) | (2u << 16) | 345u;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeDeviceGet(ze_driver_handle_t driver, uint32_t* count,
                                    ze_device_handle_t* devices) {
  if (driver != &g_driver) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (*count == 0 || !devices) {
    *count = 1;
    return ZE_RESULT_SUCCESS;
  }
  devices[0] = &g_root;
  *count = 1;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeDeviceGetSubDevices(ze_device_handle_t device, uint32_t* count,
                                              ze_device_handle_t* subs) {
  uint32_t have = device == &g_root ? 2 : 0;
  if (*count == 0 || !subs) {
    *count = have;
    return ZE_RESULT_SUCCESS;
  }
  *count = std::min(*count, have);
  for (uint32_t i = 0; i < *count; ++i) subs[i] = &g_subs[i];
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeDeviceGetProperties(ze_device_handle_t device,
                                              ze_device_properties_t* p) {
  if (!known_device(device)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  const bool cycles = p->stype == ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES_1_2;
  if (!cycles && p->stype != ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES)
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  p->type = ZE_DEVICE_TYPE_GPU;
  p->vendorId = 0x8086;
  p->deviceId = 0x0bd5;
  p->flags = device->sub ? ZE_DEVICE_PROPERTY_FLAG_SUBDEVICE : 0;
  p->subdeviceId = device->index;
  p->coreClockRate = 1600;
  p->maxMemAllocSize = uint64_t{1} << 30;
  p->numThreadsPerEU = 8;
  p->physicalEUSimdWidth = 8;
  p->numEUsPerSubslice = 8;
  p->numSubslicesPerSlice = device->sub ? 2 : 4;
  p->numSlices = 1;
  p->timerResolution = cycles ? 1000000000u : 1u;  // 1 ns ticks either way
  p->timestampValidBits = kTimestampBits;
  p->kernelTimestampValidBits = 32;
  for (int i = 0; i < ZE_MAX_DEVICE_UUID_SIZE; ++i)
    p->uuid.id[i] = static_cast<uint8_t>(i + 16 * (device->sub ? device->index + 1 : 0));
  std::snprintf(p->name, sizeof(p->name), "Fake Level Zero GPU%s",
                device->sub ? (device->index ? " tile 1" : " tile 0") : "");
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeDeviceGetComputeProperties(ze_device_handle_t,
                                                     ze_device_compute_properties_t* p) {
  if (p->stype != ZE_STRUCTURE_TYPE_DEVICE_COMPUTE_PROPERTIES)
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  p->maxTotalGroupSize = 1024;
  p->maxGroupSizeX = 1024;
  p->maxGroupSizeY = 1024;
  p->maxGroupSizeZ = 64;
  p->maxGroupCountX = p->maxGroupCountY = p->maxGroupCountZ = 65535;
  p->maxSharedLocalMemory = 65536;
  p->numSubGroupSizes = 3;
  p->subGroupSizes[0] = 8;
  p->subGroupSizes[1] = 16;
  p->subGroupSizes[2] = 32;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeDeviceGetModuleProperties(ze_device_handle_t,
                                                    ze_device_module_properties_t* p) {
  if (p->stype != ZE_STRUCTURE_TYPE_DEVICE_MODULE_PROPERTIES)
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  p->spirvVersionSupported = ZE_MAKE_VERSION(1, 2);
  p->flags =
      ZE_DEVICE_MODULE_FLAG_FP16 | ZE_DEVICE_MODULE_FLAG_FP64 | ZE_DEVICE_MODULE_FLAG_INT64_ATOMICS;
  p->fp64flags = ZE_DEVICE_FP_FLAG_FMA | ZE_DEVICE_FP_FLAG_ROUND_TO_NEAREST;
  p->maxArgumentsSize = 2048;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeDeviceGetMemoryProperties(ze_device_handle_t, uint32_t* count,
                                                    ze_device_memory_properties_t* p) {
  if (*count == 0 || !p) {
    *count = 1;
    return ZE_RESULT_SUCCESS;
  }
  if (p[0].stype != ZE_STRUCTURE_TYPE_DEVICE_MEMORY_PROPERTIES)
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  p[0].totalSize = uint64_t{4} << 30;
  p[0].maxClockRate = 1000;
  p[0].maxBusWidth = 256;
  *count = 1;
  return ZE_RESULT_SUCCESS;
}

// Group 0 copies only, group 1 computes: streams must pick group 1.
FAKE_EXPORT ze_result_t zeDeviceGetCommandQueueGroupProperties(
    ze_device_handle_t, uint32_t* count, ze_command_queue_group_properties_t* p) {
  if (*count == 0 || !p) {
    *count = 2;
    return ZE_RESULT_SUCCESS;
  }
  *count = std::min<uint32_t>(*count, 2);
  for (uint32_t i = 0; i < *count; ++i) {
    if (p[i].stype != ZE_STRUCTURE_TYPE_COMMAND_QUEUE_GROUP_PROPERTIES)
      return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    p[i].flags = i == 0 ? ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COPY
                        : ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE |
                              ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COPY;
    p[i].maxMemoryFillPatternSize = i == 0 ? 1 : 128;
    p[i].numQueues = 1;
  }
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeContextCreate(ze_driver_handle_t, const ze_context_desc_t* desc,
                                        ze_context_handle_t* out) {
  if (desc->stype != ZE_STRUCTURE_TYPE_CONTEXT_DESC) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  *out = new _ze_context_handle_t();
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeContextDestroy(ze_context_handle_t context) {
  delete context;
  return ZE_RESULT_SUCCESS;
}

// ------------------------------------------------------------- memory

FAKE_EXPORT ze_result_t zeMemAllocDevice(ze_context_handle_t,
                                         const ze_device_mem_alloc_desc_t* desc, size_t size,
                                         size_t alignment, ze_device_handle_t device, void** out) {
  if (desc->stype != ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC || !known_device(device))
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  if (size > (uint64_t{1} << 30)) return ZE_RESULT_ERROR_UNSUPPORTED_SIZE;
  *out = allocate(size, alignment, true);
  return *out ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY;
}

FAKE_EXPORT ze_result_t zeMemAllocHost(ze_context_handle_t, const ze_host_mem_alloc_desc_t* desc,
                                       size_t size, size_t alignment, void** out) {
  if (desc->stype != ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  *out = allocate(size, alignment, false);
  return *out ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
}

FAKE_EXPORT ze_result_t zeMemAllocShared(ze_context_handle_t,
                                         const ze_device_mem_alloc_desc_t* device_desc,
                                         const ze_host_mem_alloc_desc_t* host_desc, size_t size,
                                         size_t alignment, ze_device_handle_t device, void** out) {
  if (device_desc->stype != ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC ||
      host_desc->stype != ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC || !known_device(device))
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  if (size > (uint64_t{1} << 30)) return ZE_RESULT_ERROR_UNSUPPORTED_SIZE;
  *out = allocate(size, alignment, true);
  return *out ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY;
}

FAKE_EXPORT ze_result_t zeMemFree(ze_context_handle_t, void* p) {
  return g_memory.release_any(p) ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_INVALID_ARGUMENT;
}

// ------------------------------------------------------------- command lists

FAKE_EXPORT ze_result_t zeCommandListCreateImmediate(ze_context_handle_t, ze_device_handle_t device,
                                                     const ze_command_queue_desc_t* desc,
                                                     ze_command_list_handle_t* out) {
  if (desc->stype != ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC || !known_device(device))
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  if (desc->ordinal != 1) return ZE_RESULT_ERROR_INVALID_ARGUMENT;  // kernels need group 1
  if (desc->priority > ZE_COMMAND_QUEUE_PRIORITY_PRIORITY_HIGH)
    return ZE_RESULT_ERROR_INVALID_ENUMERATION;
  *out = new _ze_command_list_handle_t();
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeCommandListCreate(ze_context_handle_t, ze_device_handle_t device,
                                            const ze_command_list_desc_t* desc,
                                            ze_command_list_handle_t* out) {
  count("zeCommandListCreate");
  if (desc->stype != ZE_STRUCTURE_TYPE_COMMAND_LIST_DESC || !known_device(device))
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  if (desc->commandQueueGroupOrdinal != 1) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  auto* list = new _ze_command_list_handle_t();
  list->immediate = false;
  list->ordinal = desc->commandQueueGroupOrdinal;
  *out = list;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeCommandListClose(ze_command_list_handle_t list) {
  if (list->immediate || list->closed) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  list->closed = true;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeCommandListReset(ze_command_list_handle_t list) {
  count("zeCommandListReset");
  if (list->immediate) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  std::lock_guard<std::mutex> lock(executor().mutex);
  if (!all_done(list->executing)) violation("zeCommandListReset on a list still executing");
  list->recorded.clear();
  list->executing.clear();
  list->closed = false;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeCommandQueueCreate(ze_context_handle_t, ze_device_handle_t device,
                                             const ze_command_queue_desc_t* desc,
                                             ze_command_queue_handle_t* out) {
  if (desc->stype != ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC || !known_device(device))
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  if (desc->ordinal != 1) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  *out = new _ze_command_queue_handle_t{desc->ordinal};
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeCommandQueueDestroy(ze_command_queue_handle_t queue) {
  delete queue;
  return ZE_RESULT_SUCCESS;
}

// Queues the recorded commands as tasks, ordered only as Level Zero
// promises (see the top of the file).
FAKE_EXPORT ze_result_t zeCommandQueueExecuteCommandLists(ze_command_queue_handle_t queue,
                                                          uint32_t n,
                                                          ze_command_list_handle_t* lists,
                                                          ze_fence_handle_t fence) {
  count("zeCommandQueueExecuteCommandLists");
  if (!queue || n == 0 || !lists || fence) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  if (fails("zeCommandQueueExecuteCommandLists")) return ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY;
  Executor& ex = executor();
  std::lock_guard<std::mutex> lock(ex.mutex);
  for (uint32_t l = 0; l < n; ++l) {
    ze_command_list_handle_t list = lists[l];
    if (list->immediate) return ZE_RESULT_ERROR_INVALID_COMMAND_LIST_TYPE;
    if (!list->closed || list->ordinal != queue->ordinal) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    if (!all_done(list->executing))
      violation("zeCommandQueueExecuteCommandLists on a list the device still references");
    for (const Recorded& r : list->recorded)
      if (r.signal && r.signal->signaled)
        violation("zeCommandQueueExecuteCommandLists with a signal event not reset");
    list->executing.clear();
    std::shared_ptr<Task> last_barrier;
    // A barrier without waits depends on the last such barrier and what
    // came after it, which covers every earlier task.
    std::vector<std::shared_ptr<Task>> since_full;
    for (const Recorded& r : list->recorded) {
      auto task = std::make_shared<Task>();
      task->waits = r.waits;
      task->signal = r.signal;
      task->action = r.action;
      const bool full = r.barrier && r.waits.empty();
      if (full)
        task->before = std::move(since_full);
      else if (last_barrier)
        task->before.push_back(last_barrier);
      if (full) since_full.clear();
      since_full.push_back(task);
      if (r.barrier) last_barrier = task;
      list->executing.push_back(task);
      ex.queue.push_back(task);
    }
  }
  ex.cv.notify_all();
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeCommandListDestroy(ze_command_list_handle_t list) {
  Executor& ex = executor();
  std::unique_lock<std::mutex> lock(ex.mutex);
  for (const auto& t : list->appended)
    if (!t->done) violation("zeCommandListDestroy on a list with commands still to run");
  if (!all_done(list->executing)) violation("zeCommandListDestroy on a list still executing");
  lock.unlock();
  delete list;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeCommandListAppendMemoryCopy(ze_command_list_handle_t list, void* dst,
                                                      const void* src, size_t size,
                                                      ze_event_handle_t signal, uint32_t n,
                                                      ze_event_handle_t* waits) {
  // One side at least is USM; the other may be any host memory.
  if (!in_allocation(dst, size) && !in_allocation(src, size))
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  return append(list, signal, n, waits, [=] { std::memcpy(dst, src, size); });
}

FAKE_EXPORT ze_result_t zeCommandListAppendMemoryFill(ze_command_list_handle_t list, void* ptr,
                                                      const void* pattern, size_t pattern_size,
                                                      size_t size, ze_event_handle_t signal,
                                                      uint32_t n, ze_event_handle_t* waits) {
  if (!in_allocation(ptr, size)) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  if (pattern_size == 0 || (pattern_size & (pattern_size - 1)) || pattern_size > 128 ||
      size % pattern_size)
    return ZE_RESULT_ERROR_INVALID_SIZE;
  // The pattern is read when the fill runs, so it must live until then.
  return append(list, signal, n, waits, [=] {
    for (size_t i = 0; i < size; ++i)
      static_cast<uint8_t*>(ptr)[i] = static_cast<const uint8_t*>(pattern)[i % pattern_size];
  });
}

FAKE_EXPORT ze_result_t zeCommandListAppendBarrier(ze_command_list_handle_t list,
                                                   ze_event_handle_t signal, uint32_t n,
                                                   ze_event_handle_t* waits) {
  if (!list->immediate) {
    if (n > 0 && !waits) return ZE_RESULT_ERROR_INVALID_SIZE;
    return record(
        list, signal, n, waits, [] {}, true);
  }
  if (n > 0) return append(list, signal, n, waits, [] {});
  count("immediate appends");
  // No wait events: everything appended to the list before.
  auto task = std::make_shared<Task>();
  task->signal = signal;
  task->action = [] {};
  Executor& ex = executor();
  std::lock_guard<std::mutex> lock(ex.mutex);
  task->before = list->appended;
  list->appended.push_back(task);
  ex.queue.push_back(task);
  ex.cv.notify_all();
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeCommandListAppendWriteGlobalTimestamp(ze_command_list_handle_t list,
                                                                uint64_t* dst,
                                                                ze_event_handle_t signal,
                                                                uint32_t n,
                                                                ze_event_handle_t* waits) {
  if (!in_allocation(dst, 8) || reinterpret_cast<uintptr_t>(dst) % 8)
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  return append(list, signal, n, waits, [=] { *dst = now_ticks(); });
}

FAKE_EXPORT ze_result_t zeCommandListAppendLaunchKernel(ze_command_list_handle_t list,
                                                        ze_kernel_handle_t kernel,
                                                        const ze_group_count_t* groups,
                                                        ze_event_handle_t signal, uint32_t n,
                                                        ze_event_handle_t* waits) {
  count("zeCommandListAppendLaunchKernel");
  const ahal_fake::EmulatedKernel& k = *kernel->emulated;
  ahal_fake::Launch launch;
  launch.grid[0] = groups->groupCountX;
  launch.grid[1] = groups->groupCountY;
  launch.grid[2] = groups->groupCountZ;
  std::copy(kernel->group, kernel->group + 3, launch.wg);
  for (uint32_t i = 0; i < kernel->num_args; ++i)
    if (!kernel->set[i]) return ZE_RESULT_ERROR_INVALID_ARGUMENT;  // an argument never set
  // Each buffer must hold what the launch's work-items can reach.
  for (uint32_t i = 0; i < k.bindings; ++i) {
    void* p;
    std::memcpy(&p, kernel->args[i].data(), sizeof(p));
    if (!in_allocation(p, 4)) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    launch.buffers.push_back(p);
  }
  if (k.constants_size > 0) launch.constants = kernel->args[k.bindings];
  if (k.dynamic_shared)
    launch.dynamic_shared = static_cast<uint32_t>(kernel->local_sizes[kernel->num_args - 1]);
  return append(list, signal, n, waits, [launch, run = k.run] { run(launch); });
}

// ------------------------------------------------------------- events

FAKE_EXPORT ze_result_t zeEventPoolCreate(ze_context_handle_t, const ze_event_pool_desc_t* desc,
                                          uint32_t, ze_device_handle_t*,
                                          ze_event_pool_handle_t* out) {
  if (desc->stype != ZE_STRUCTURE_TYPE_EVENT_POOL_DESC || desc->count == 0)
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  if (!(desc->flags & ZE_EVENT_POOL_FLAG_HOST_VISIBLE)) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  auto* pool = new _ze_event_pool_handle_t();
  pool->events.resize(desc->count);
  *out = pool;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeEventPoolDestroy(ze_event_pool_handle_t pool) {
  delete pool;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeEventCreate(ze_event_pool_handle_t pool, const ze_event_desc_t* desc,
                                      ze_event_handle_t* out) {
  if (desc->stype != ZE_STRUCTURE_TYPE_EVENT_DESC || desc->index >= pool->events.size())
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  *out = &pool->events[desc->index];
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeEventDestroy(ze_event_handle_t) { return ZE_RESULT_SUCCESS; }

FAKE_EXPORT ze_result_t zeEventHostSignal(ze_event_handle_t event) {
  Executor& ex = executor();
  std::lock_guard<std::mutex> lock(ex.mutex);
  event->signaled = true;
  ex.cv.notify_all();
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeEventHostSynchronize(ze_event_handle_t event, uint64_t timeout) {
  Executor& ex = executor();
  std::unique_lock<std::mutex> lock(ex.mutex);
  auto done = [&] { return event->signaled; };
  if (timeout == UINT64_MAX) {
    ex.cv.wait(lock, done);
    return ZE_RESULT_SUCCESS;
  }
  return ex.cv.wait_for(lock, std::chrono::nanoseconds(timeout), done) ? ZE_RESULT_SUCCESS
                                                                       : ZE_RESULT_NOT_READY;
}

FAKE_EXPORT ze_result_t zeEventQueryStatus(ze_event_handle_t event) {
  Executor& ex = executor();
  std::lock_guard<std::mutex> lock(ex.mutex);
  return event->signaled ? ZE_RESULT_SUCCESS : ZE_RESULT_NOT_READY;
}

FAKE_EXPORT ze_result_t zeEventHostReset(ze_event_handle_t event) {
  Executor& ex = executor();
  std::lock_guard<std::mutex> lock(ex.mutex);
  // Resetting an event a queued command still waits on or will signal is
  // the bug this double is here to catch.
  for (const auto& t : ex.queue) {
    if (t->signal == event) violation("zeEventHostReset on an event a queued command signals");
    for (ze_event_handle_t w : t->waits)
      if (w == event) violation("zeEventHostReset on an event a queued command waits on");
  }
  event->signaled = false;
  return ZE_RESULT_SUCCESS;
}

// ------------------------------------------------------------- modules

FAKE_EXPORT ze_result_t zeModuleCreate(ze_context_handle_t, ze_device_handle_t device,
                                       const ze_module_desc_t* desc, ze_module_handle_t* out,
                                       ze_module_build_log_handle_t* log) {
  if (desc->stype != ZE_STRUCTURE_TYPE_MODULE_DESC || !known_device(device))
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  std::string error;
  std::set<std::string> entries;
  if (desc->format == ZE_MODULE_FORMAT_IL_SPIRV) {
    uint32_t magic = 0;
    if (desc->inputSize >= 4) std::memcpy(&magic, desc->pInputModule, 4);
    if (magic != 0x07230203) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    entries = spirv_entry_points(desc->pInputModule, desc->inputSize);
    if (entries.empty()) error = "fake driver: error: the SPIR-V module has no kernel entry points";
  } else {
    error = "fake driver: error: this device takes no native binaries";
  }
  if (log) *log = new _ze_module_build_log_handle_t{error};
  if (!error.empty())
    return desc->format == ZE_MODULE_FORMAT_NATIVE ? ZE_RESULT_ERROR_INVALID_NATIVE_BINARY
                                                   : ZE_RESULT_ERROR_MODULE_BUILD_FAILURE;
  *out = new _ze_module_handle_t{entries};
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeModuleDestroy(ze_module_handle_t module) {
  delete module;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeModuleBuildLogGetString(ze_module_build_log_handle_t log, size_t* size,
                                                  char* text) {
  if (!text) {
    *size = log->text.size() + 1;
    return ZE_RESULT_SUCCESS;
  }
  if (*size < log->text.size() + 1) return ZE_RESULT_ERROR_INVALID_SIZE;
  std::memcpy(text, log->text.c_str(), log->text.size() + 1);
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeModuleBuildLogDestroy(ze_module_build_log_handle_t log) {
  delete log;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeKernelCreate(ze_module_handle_t module, const ze_kernel_desc_t* desc,
                                       ze_kernel_handle_t* out) {
  if (desc->stype != ZE_STRUCTURE_TYPE_KERNEL_DESC) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  const ahal_fake::EmulatedKernel* k = ahal_fake::find_emulated_kernel(desc->pKernelName);
  if (!k || module->entry_points.count(desc->pKernelName) == 0)
    return ZE_RESULT_ERROR_INVALID_KERNEL_NAME;
  auto* kernel = new _ze_kernel_handle_t();
  kernel->emulated = k;
  kernel->num_args = k->bindings + (k->constants_size > 0) + (k->dynamic_shared ? 1 : 0);
  kernel->args.resize(kernel->num_args);
  kernel->set.resize(kernel->num_args);
  kernel->local_sizes.resize(kernel->num_args);
  *out = kernel;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeKernelDestroy(ze_kernel_handle_t kernel) {
  delete kernel;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeKernelGetProperties(ze_kernel_handle_t kernel,
                                              ze_kernel_properties_t* p) {
  if (p->stype != ZE_STRUCTURE_TYPE_KERNEL_PROPERTIES) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  p->numKernelArgs = kernel->num_args;
  p->maxSubgroupSize = 32;
  p->maxNumSubgroups = 32;
  p->localMemSize = kernel->emulated->static_shared;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeKernelSetGroupSize(ze_kernel_handle_t kernel, uint32_t x, uint32_t y,
                                             uint32_t z) {
  if (x == 0 || y == 0 || z == 0 || uint64_t{x} * y * z > 1024 || z > 64)
    return ZE_RESULT_ERROR_INVALID_GROUP_SIZE_DIMENSION;
  kernel->group[0] = x;
  kernel->group[1] = y;
  kernel->group[2] = z;
  return ZE_RESULT_SUCCESS;
}

FAKE_EXPORT ze_result_t zeKernelSetArgumentValue(ze_kernel_handle_t kernel, uint32_t index,
                                                 size_t size, const void* value) {
  const ahal_fake::EmulatedKernel& k = *kernel->emulated;
  if (index >= kernel->num_args) return ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_INDEX;
  if (index < k.bindings) {
    if (size != sizeof(void*) || !value) return ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE;
  } else if (k.constants_size > 0 && index == k.bindings) {
    if (size != k.constants_size || !value) return ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE;
  } else {  // the local memory argument: a size, no value
    if (value || size == 0) return ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE;
  }
  kernel->args[index].assign(static_cast<const uint8_t*>(value),
                             value ? static_cast<const uint8_t*>(value) + size : nullptr);
  kernel->local_sizes[index] = size;
  kernel->set[index] = true;
  return ZE_RESULT_SUCCESS;
}

// ------------------------------------------------------------- test controls

// The next `times` calls of `what` (only zeCommandQueueExecuteCommandLists
// looks) fail.
FAKE_EXPORT void fake_ze_fail_next(const char* what, long times) {
  std::lock_guard<std::mutex> lock(g_calls_mutex);
  g_failures[what] = times;
}

FAKE_EXPORT long fake_ze_calls(const char* what) {
  std::lock_guard<std::mutex> lock(g_calls_mutex);
  auto it = g_calls.find(what);
  return it == g_calls.end() ? 0 : it->second;
}
