// A test double of libamdhip64 and one AMD GPU (gfx90a:sramecc+:xnack-),
// for AHAL_HIP_RUNTIME_PATH: code objects are accepted when they are
// AMDGPU ELF files holding the kernel's descriptor symbol, and "kernels"
// are the standard kernels run on the host (emulated_kernels.hpp). Each
// stream is a thread that runs its commands in order. It is strict where
// the real runtime may be: the calling thread must have selected the
// device, launch parameters must be what the kernel takes, pointers must
// lie in allocations. Built with FAKE_HIP_HOST_FUNC it also exports
// hipLaunchHostFunc (as ROCm 6 does); without, it lacks it as ROCm 5.2
// does. Built with FAKE_HIP_NO_GRAPHS it lacks the stream capture and graph
// entries. Capture: while a stream captures, launches, device copies and
// fills become nodes of its graph (the launch's argument values copied
// then) instead of running; other enqueues are refused and invalidate the
// capture, as HIP's are. With FAKE_HIP_CAPTURE_NO_MODULE_LAUNCH set, a
// captured hipModuleLaunchKernel is refused too, as by a runtime whose
// capture does not take module launches. fake_hip_calls(name) counts calls
// for the tests. Test only.
#include <hip/hip_runtime_api.h>

#include "emulated_kernels.hpp"
#include "fake_device_memory.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr size_t kTotalMemory = size_t{4} << 30;  // enforced: allocations beyond fail
thread_local int t_current_device = -1;           // hipSetDevice not called yet

bool device_selected() { return t_current_device == 0; }

// ------------------------------------------------------------- memory

ahal_fake::FakeDeviceMemory g_memory(kTotalMemory);

void* allocate(size_t size, bool host) { return g_memory.allocate(size, 256, !host); }

hipError_t release(void* p, bool host) {
  return g_memory.release(p, !host) ? hipSuccess : hipErrorInvalidValue;
}

bool in_allocation(const void* p, size_t size) { return g_memory.contains(p, size); }

// ------------------------------------------------------------- counts

std::mutex g_count_mutex;
std::map<std::string, long> g_counts;

void count(const std::string& what) {
  std::lock_guard<std::mutex> lock(g_count_mutex);
  ++g_counts[what];
}

// ------------------------------------------------------------- events

std::mutex g_event_mutex;
std::condition_variable g_event_cv;

uint64_t now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

struct ihipEvent_t {
  unsigned flags = 0;
  uint64_t recorded = 0;   // records made (guarded by g_event_mutex)
  uint64_t completed = 0;  // records the stream reached
  uint64_t time_ns = 0;
};

// A captured graph: its nodes run in order (a capture of one stream).
struct ihipGraph {
  std::vector<std::function<void()>> nodes;
};

struct hipGraphExec {
  std::shared_ptr<const std::vector<std::function<void()>>> nodes;
};

// A stream: its commands run in order on its own thread.
struct ihipStream_t {
  std::mutex mutex;
  std::condition_variable cv;
  // A command and whether it is a completion marker (event record): a marker
  // runs under the stream's lock, so a host that saw the stream's last event
  // complete also sees the stream idle, as on a real GPU.
  std::deque<std::pair<std::function<void()>, bool>> queue;
  bool busy = false;
  bool stopping = false;
  std::thread worker;
  // Capture (guarded by mutex): the graph being made, by which thread.
  ihipGraph* capture = nullptr;
  std::thread::id capture_thread;
  bool invalidated = false;

  ihipStream_t() {
    worker = std::thread([this] {
      std::unique_lock<std::mutex> lock(mutex);
      for (;;) {
        cv.wait(lock, [this] { return stopping || !queue.empty(); });
        if (queue.empty()) return;
        std::function<void()> command = std::move(queue.front().first);
        const bool marker = queue.front().second;
        queue.pop_front();
        if (marker) {
          command();
          cv.notify_all();
          continue;
        }
        busy = true;
        lock.unlock();
        command();
        lock.lock();
        busy = false;
        cv.notify_all();
      }
    });
  }
  void enqueue(std::function<void()> command, bool marker = false) {
    std::lock_guard<std::mutex> lock(mutex);
    queue.emplace_back(std::move(command), marker);
    cv.notify_all();
  }
  // Appends `command` to the graph when capturing.
  bool captured(std::function<void()>& command) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!capture) return false;
    capture->nodes.push_back(std::move(command));
    return true;
  }
  // An enqueue that capture does not take: refused, and the capture is void.
  bool refuse_in_capture() {
    std::lock_guard<std::mutex> lock(mutex);
    if (capture) invalidated = true;
    return capture != nullptr;
  }
  void drain() {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [this] { return queue.empty() && !busy; });
  }
  bool idle() {
    std::lock_guard<std::mutex> lock(mutex);
    return queue.empty() && !busy;
  }
  ~ihipStream_t() {
    delete capture;  // destroyed while capturing
    drain();
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    cv.notify_all();
    worker.join();
  }
};

struct ihipModuleSymbol_t {
  const ahal_fake::EmulatedKernel* emulated = nullptr;
};

struct ihipModule_t {
  std::vector<uint8_t> image;
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<ihipModuleSymbol_t>> functions;  // owned, as in HIP
};

namespace {

// Runs `command` when the stream gets there, or captures it; `call` counts
// the calls whose command runs (not captured).
void submit(hipStream_t stream, std::function<void()> command, const char* call) {
  if (stream->captured(command)) {
    count(std::string("captured ") + call);
    return;
  }
  count(call);
  stream->enqueue(std::move(command));
}

// Fills count elements of T with value when the stream gets there.
template <typename T>
hipError_t memset_async(void* dst, T value, size_t n, hipStream_t stream, const char* call) {
  if (!in_allocation(dst, n * sizeof(T))) return hipErrorInvalidValue;
  submit(
      stream,
      [=] {
        for (size_t i = 0; i < n; ++i) std::memcpy(static_cast<T*>(dst) + i, &value, sizeof(T));
      },
      call);
  return hipSuccess;
}

}  // namespace

extern "C" {

hipError_t hipInit(unsigned int flags) { return flags == 0 ? hipSuccess : hipErrorInvalidValue; }

hipError_t hipDriverGetVersion(int* v) {
  *v = 60032830;
  return hipSuccess;
}

hipError_t hipRuntimeGetVersion(int* v) {
  *v = 60032830;
  return hipSuccess;
}

hipError_t hipGetDeviceCount(int* count) {
  *count = 1;
  return hipSuccess;
}

hipError_t hipDeviceGet(hipDevice_t* device, int ordinal) {
  if (ordinal != 0) return hipErrorInvalidDevice;
  *device = 0;
  return hipSuccess;
}

hipError_t hipSetDevice(int ordinal) {
  if (ordinal != 0) return hipErrorInvalidDevice;
  t_current_device = ordinal;
  return hipSuccess;
}

hipError_t hipGetDeviceProperties(hipDeviceProp_t* p, int ordinal) {
  if (ordinal != 0) return hipErrorInvalidDevice;
  std::memset(p, 0, sizeof(*p));
  std::snprintf(p->name, sizeof(p->name), "Fake AMD Instinct");
  std::snprintf(p->gcnArchName, sizeof(p->gcnArchName), "gfx90a:sramecc+:xnack-");
  p->totalGlobalMem = kTotalMemory;
  p->sharedMemPerBlock = 65536;
  p->warpSize = 64;
  p->maxThreadsPerBlock = 1024;
  p->maxThreadsDim[0] = p->maxThreadsDim[1] = p->maxThreadsDim[2] = 1024;
  p->maxGridSize[0] = 2147483647;
  p->maxGridSize[1] = p->maxGridSize[2] = 65536;
  p->clockRate = 1700000;
  p->memoryClockRate = 1600000;
  p->memoryBusWidth = 4096;
  p->multiProcessorCount = 104;
  return hipSuccess;
}

hipError_t hipDeviceGetUuid(hipUUID* uuid, hipDevice_t device) {
  if (device != 0) return hipErrorInvalidDevice;
  std::memcpy(uuid->bytes, "fakegpu012345678", 16);
  return hipSuccess;
}

hipError_t hipDeviceGetStreamPriorityRange(int* least, int* greatest) {
  if (!device_selected()) return hipErrorInvalidDevice;
  *least = 0;
  *greatest = -1;
  return hipSuccess;
}

hipError_t hipMemGetInfo(size_t* free_bytes, size_t* total) {
  if (!device_selected()) return hipErrorInvalidDevice;
  *total = kTotalMemory;
  *free_bytes = kTotalMemory - g_memory.device_bytes();
  return hipSuccess;
}

const char* hipGetErrorName(hipError_t err) {
  switch (err) {
    case hipSuccess:
      return "hipSuccess";
    case hipErrorInvalidValue:
      return "hipErrorInvalidValue";
    case hipErrorOutOfMemory:
      return "hipErrorOutOfMemory";
    case hipErrorInvalidDevice:
      return "hipErrorInvalidDevice";
    case hipErrorInvalidImage:
      return "hipErrorInvalidImage";
    case hipErrorNotFound:
      return "hipErrorNotFound";
    case hipErrorNotReady:
      return "hipErrorNotReady";
    case hipErrorInvalidHandle:
      return "hipErrorInvalidHandle";
    case hipErrorInvalidConfiguration:
      return "hipErrorInvalidConfiguration";
    case hipErrorIllegalState:
      return "hipErrorIllegalState";
    case hipErrorStreamCaptureUnsupported:
      return "hipErrorStreamCaptureUnsupported";
    case hipErrorStreamCaptureInvalidated:
      return "hipErrorStreamCaptureInvalidated";
    case hipErrorStreamCaptureWrongThread:
      return "hipErrorStreamCaptureWrongThread";
    default:
      return "hipErrorUnknown";
  }
}

const char* hipGetErrorString(hipError_t err) {
  return err == hipSuccess ? "no error" : "fake HIP runtime error";
}

hipError_t hipMalloc(void** p, size_t size) {
  if (!device_selected()) return hipErrorInvalidDevice;
  if (size > kTotalMemory) return hipErrorOutOfMemory;
  *p = allocate(size, false);
  return *p ? hipSuccess : hipErrorOutOfMemory;
}

hipError_t hipFree(void* p) { return release(p, false); }

hipError_t hipHostMalloc(void** p, size_t size, unsigned int flags) {
  if (!device_selected()) return hipErrorInvalidDevice;
  if (flags & ~(hipHostMallocPortable | hipHostMallocMapped | hipHostMallocCoherent))
    return hipErrorInvalidValue;
  *p = allocate(size, true);
  return *p ? hipSuccess : hipErrorOutOfMemory;
}

hipError_t hipHostFree(void* p) { return release(p, true); }

hipError_t hipHostGetDevicePointer(void** device_pointer, void* host_pointer, unsigned int flags) {
  if (flags != 0 || !in_allocation(host_pointer, 1)) return hipErrorInvalidValue;
  *device_pointer = host_pointer;  // unified addressing
  return hipSuccess;
}

hipError_t hipStreamCreateWithPriority(hipStream_t* stream, unsigned int flags, int priority) {
  if (!device_selected()) return hipErrorInvalidDevice;
  if (flags != hipStreamNonBlocking || priority < -1 || priority > 0) return hipErrorInvalidValue;
  *stream = new ihipStream_t();
  return hipSuccess;
}

hipError_t hipStreamDestroy(hipStream_t stream) {
  delete stream;
  return hipSuccess;
}

hipError_t hipStreamSynchronize(hipStream_t stream) {
  if (stream->refuse_in_capture()) return hipErrorStreamCaptureUnsupported;
  stream->drain();
  return hipSuccess;
}

hipError_t hipStreamQuery(hipStream_t stream) {
  if (stream->refuse_in_capture()) return hipErrorStreamCaptureUnsupported;
  return stream->idle() ? hipSuccess : hipErrorNotReady;
}

hipError_t hipStreamWaitEvent(hipStream_t stream, hipEvent_t event, unsigned int flags) {
  if (stream->refuse_in_capture()) return hipErrorStreamCaptureUnsupported;
  if (flags != 0) return hipErrorInvalidValue;
  uint64_t target;
  {
    std::lock_guard<std::mutex> lock(g_event_mutex);
    target = event->recorded;  // the record made before this call
  }
  stream->enqueue([event, target] {
    std::unique_lock<std::mutex> lock(g_event_mutex);
    g_event_cv.wait(lock, [&] { return event->completed >= target; });
  });
  return hipSuccess;
}

hipError_t hipStreamAddCallback(hipStream_t stream, hipStreamCallback_t callback, void* user_data,
                                unsigned int flags) {
  if (stream->refuse_in_capture()) return hipErrorStreamCaptureUnsupported;
  if (flags != 0) return hipErrorInvalidValue;
  stream->enqueue([=] { callback(stream, hipSuccess, user_data); });
  return hipSuccess;
}

#ifdef FAKE_HIP_HOST_FUNC
hipError_t hipLaunchHostFunc(hipStream_t stream, hipHostFn_t fn, void* user_data) {
  if (stream->refuse_in_capture()) return hipErrorStreamCaptureUnsupported;
  stream->enqueue([=] { fn(user_data); });
  return hipSuccess;
}
#endif

hipError_t hipMemcpyHtoDAsync(hipDeviceptr_t dst, void* src, size_t size, hipStream_t stream) {
  if (stream->refuse_in_capture()) return hipErrorStreamCaptureUnsupported;
  if (!in_allocation(dst, size)) return hipErrorInvalidValue;
  stream->enqueue([=] { std::memcpy(dst, src, size); });
  return hipSuccess;
}

hipError_t hipMemcpyDtoHAsync(void* dst, hipDeviceptr_t src, size_t size, hipStream_t stream) {
  if (stream->refuse_in_capture()) return hipErrorStreamCaptureUnsupported;
  if (!in_allocation(src, size)) return hipErrorInvalidValue;
  stream->enqueue([=] { std::memcpy(dst, src, size); });
  return hipSuccess;
}

hipError_t hipMemcpyDtoDAsync(hipDeviceptr_t dst, hipDeviceptr_t src, size_t size,
                              hipStream_t stream) {
  if (!in_allocation(dst, size) || !in_allocation(src, size)) return hipErrorInvalidValue;
  submit(
      stream, [=] { std::memmove(dst, src, size); }, "hipMemcpyDtoDAsync");
  return hipSuccess;
}

hipError_t hipMemsetD8Async(hipDeviceptr_t dst, unsigned char value, size_t count,
                            hipStream_t stream) {
  return memset_async(dst, value, count, stream, "hipMemsetD8Async");
}

hipError_t hipMemsetD16Async(hipDeviceptr_t dst, unsigned short value, size_t count,
                             hipStream_t stream) {
  return memset_async(dst, value, count, stream, "hipMemsetD16Async");
}

hipError_t hipMemsetD32Async(hipDeviceptr_t dst, int value, size_t count, hipStream_t stream) {
  return memset_async(dst, value, count, stream, "hipMemsetD32Async");
}

hipError_t hipEventCreateWithFlags(hipEvent_t* event, unsigned flags) {
  if (!device_selected()) return hipErrorInvalidDevice;
  if (flags & ~hipEventDisableTiming) return hipErrorInvalidValue;
  *event = new ihipEvent_t();
  (*event)->flags = flags;
  return hipSuccess;
}

hipError_t hipEventDestroy(hipEvent_t event) {
  delete event;
  return hipSuccess;
}

hipError_t hipEventRecord(hipEvent_t event, hipStream_t stream) {
  if (stream->refuse_in_capture()) return hipErrorStreamCaptureUnsupported;
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(g_event_mutex);
    generation = ++event->recorded;
  }
  stream->enqueue(
      [event, generation] {
        std::lock_guard<std::mutex> lock(g_event_mutex);
        event->time_ns = now_ns();
        event->completed = generation;
        g_event_cv.notify_all();
      },
      /*marker=*/true);
  return hipSuccess;
}

hipError_t hipEventQuery(hipEvent_t event) {
  std::lock_guard<std::mutex> lock(g_event_mutex);
  return event->completed >= event->recorded ? hipSuccess : hipErrorNotReady;
}

hipError_t hipEventSynchronize(hipEvent_t event) {
  std::unique_lock<std::mutex> lock(g_event_mutex);
  g_event_cv.wait(lock, [&] { return event->completed >= event->recorded; });
  return hipSuccess;
}

hipError_t hipEventElapsedTime(float* ms, hipEvent_t start, hipEvent_t stop) {
  std::lock_guard<std::mutex> lock(g_event_mutex);
  if ((start->flags | stop->flags) & hipEventDisableTiming) return hipErrorInvalidHandle;
  if (start->completed < start->recorded || stop->completed < stop->recorded ||
      start->recorded == 0 || stop->recorded == 0)
    return hipErrorNotReady;
  *ms = static_cast<float>((static_cast<double>(stop->time_ns) - start->time_ns) / 1e6);
  return hipSuccess;
}

hipError_t hipModuleLoadData(hipModule_t* module, const void* image) {
  if (!device_selected()) return hipErrorInvalidDevice;
  const auto* bytes = static_cast<const uint8_t*>(image);
  uint16_t machine = 0;
  std::memcpy(&machine, bytes + 18, 2);
  if (std::memcmp(bytes,
                  "\x7f"
                  "ELF",
                  4) != 0 ||
      machine != 224)
    return hipErrorInvalidImage;
  // The ELF's size from its section headers' end, a lower bound that holds
  // for code objects (section headers come last).
  uint64_t shoff = 0;
  uint16_t shentsize = 0, shnum = 0;
  std::memcpy(&shoff, bytes + 40, 8);
  std::memcpy(&shentsize, bytes + 58, 2);
  std::memcpy(&shnum, bytes + 60, 2);
  *module = new ihipModule_t();
  (*module)->image.assign(bytes, bytes + shoff + uint64_t{shentsize} * shnum);
  return hipSuccess;
}

hipError_t hipModuleUnload(hipModule_t module) {
  delete module;
  return hipSuccess;
}

hipError_t hipModuleGetFunction(hipFunction_t* function, hipModule_t module, const char* name) {
  if (!device_selected()) return hipErrorInvalidDevice;
  const ahal_fake::EmulatedKernel* k = ahal_fake::find_emulated_kernel(name);
  // The kernel descriptor symbol "<name>.kd" must be in the code object.
  std::string symbol = std::string(name) + ".kd";
  auto found = std::search(module->image.begin(), module->image.end(), symbol.c_str(),
                           symbol.c_str() + symbol.size() + 1);
  if (!k || found == module->image.end()) return hipErrorNotFound;
  std::lock_guard<std::mutex> lock(module->mutex);
  auto& slot = module->functions[name];
  if (!slot) slot = std::make_unique<ihipModuleSymbol_t>(ihipModuleSymbol_t{k});
  *function = slot.get();
  return hipSuccess;
}

hipError_t hipFuncGetAttribute(int* value, hipFunction_attribute attribute, hipFunction_t f) {
  switch (attribute) {
    case HIP_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
      *value = 1024;
      return hipSuccess;
    case HIP_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES:
      *value = static_cast<int>(f->emulated->static_shared);
      return hipSuccess;
    default:
      return hipErrorInvalidValue;
  }
}

hipError_t hipModuleLaunchKernel(hipFunction_t f, unsigned gx, unsigned gy, unsigned gz,
                                 unsigned bx, unsigned by, unsigned bz, unsigned shared,
                                 hipStream_t stream, void** params, void** extra) {
  const ahal_fake::EmulatedKernel& k = *f->emulated;
  if (extra) return hipErrorInvalidValue;
  if (uint64_t{bx} * by * bz > 1024 || uint64_t{gx} * bx > UINT32_MAX ||
      uint64_t{gy} * by > UINT32_MAX || uint64_t{gz} * bz > UINT32_MAX)
    return hipErrorInvalidConfiguration;
  if (shared > 65536) return hipErrorInvalidValue;
  const uint32_t param_count = k.bindings + (k.constants_size > 0 ? 1 : 0);
  if (param_count > 0 && !params) return hipErrorInvalidValue;
  ahal_fake::Launch launch;
  const unsigned grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
  std::copy(grid, grid + 3, launch.grid);
  std::copy(block, block + 3, launch.wg);
  launch.dynamic_shared = shared;
  for (uint32_t i = 0; i < k.bindings; ++i) {
    void* p;
    std::memcpy(&p, params[i], sizeof(p));
    if (!in_allocation(p, 4)) return hipErrorInvalidValue;
    launch.buffers.push_back(p);
  }
  if (k.constants_size > 0) {
    const auto* c = static_cast<const uint8_t*>(params[k.bindings]);
    launch.constants.assign(c, c + k.constants_size);
  }
  if (std::getenv("FAKE_HIP_CAPTURE_NO_MODULE_LAUNCH") && stream->refuse_in_capture())
    return hipErrorStreamCaptureUnsupported;
  // `launch` holds the argument values: a captured node keeps them.
  submit(
      stream, [launch, run = k.run] { run(launch); }, "hipModuleLaunchKernel");
  return hipSuccess;
}

#ifndef FAKE_HIP_NO_GRAPHS
hipError_t hipStreamBeginCapture(hipStream_t stream, hipStreamCaptureMode mode) {
  if (!device_selected()) return hipErrorInvalidDevice;
  // Strict: the plugin must leave other threads' HIP calls alone.
  if (mode != hipStreamCaptureModeThreadLocal) return hipErrorInvalidValue;
  std::lock_guard<std::mutex> lock(stream->mutex);
  if (stream->capture) return hipErrorIllegalState;
  count("hipStreamBeginCapture");
  stream->capture = new ihipGraph();
  stream->capture_thread = std::this_thread::get_id();
  stream->invalidated = false;
  return hipSuccess;
}

hipError_t hipStreamEndCapture(hipStream_t stream, hipGraph_t* graph) {
  std::lock_guard<std::mutex> lock(stream->mutex);
  if (!stream->capture) return hipErrorIllegalState;
  if (stream->capture_thread != std::this_thread::get_id()) return hipErrorStreamCaptureWrongThread;
  std::unique_ptr<ihipGraph> made(stream->capture);
  stream->capture = nullptr;
  *graph = nullptr;
  if (stream->invalidated) return hipErrorStreamCaptureInvalidated;
  *graph = made.release();
  return hipSuccess;
}

hipError_t hipGraphInstantiate(hipGraphExec_t* exec, hipGraph_t graph, hipGraphNode_t* error_node,
                               char* log, size_t log_size) {
  if (!device_selected()) return hipErrorInvalidDevice;
  if (!graph || error_node || log || log_size) return hipErrorInvalidValue;
  count("hipGraphInstantiate");
  *exec =
      new hipGraphExec{std::make_shared<const std::vector<std::function<void()>>>(graph->nodes)};
  return hipSuccess;
}

hipError_t hipGraphLaunch(hipGraphExec_t exec, hipStream_t stream) {
  // One stream command, whatever the node count.
  submit(
      stream,
      [nodes = exec->nodes] {
        for (const auto& node : *nodes) node();
      },
      "hipGraphLaunch");
  return hipSuccess;
}

hipError_t hipGraphExecDestroy(hipGraphExec_t exec) {
  delete exec;
  return hipSuccess;
}

hipError_t hipGraphDestroy(hipGraph_t graph) {
  delete graph;
  return hipSuccess;
}
#endif

long fake_hip_calls(const char* what) {
  std::lock_guard<std::mutex> lock(g_count_mutex);
  auto it = g_counts.find(what);
  return it == g_counts.end() ? 0 : it->second;
}

}  // extern "C"
