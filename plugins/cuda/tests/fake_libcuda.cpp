// TEST ONLY: a fake libcuda.so.1 that checks how the CUDA plugin drives the
// driver API on machines without a GPU. Memory is host memory, each stream is
// a host thread running its commands in order, and a launch runs the kernel's
// real CUDA source (kernels/cuda/ahal_kernels.cu) compiled for the host:
// blocks one after another, each CUDA thread a fiber, __syncthreads() a
// barrier among them, __shared__ per block (cuda_host_runtime.hpp). It is
// strict where the real driver is (uninitialized calls, the current context,
// allocation ranges, kernel parameter sizes read from the PTX and checked
// against the host build, the PTX ISA a driver version takes, dynamic shared
// memory limits, sticky errors). A kernel argument outside this context's
// memory, or an access past the end of an allocation (each ends at an
// inaccessible page), is a sticky CUDA_ERROR_ILLEGAL_ADDRESS. It is no GPU:
// warps, memory ordering, timing and the PTX itself are not checked. Graphs:
// kernel nodes only, run in the order added.
//
// Exports cuGetProcAddress_v2 only, plus fake_cuda_* controls for tests.
// Environment: FAKE_CUDA_DEVICE_COUNT (default 1), FAKE_CUDA_DRIVER_VERSION
// (default 12040), both read at every cuInit / cuDriverGetVersion.
#include "cuda_host_runtime.hpp"

#include <cuda.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
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

#define FAKE_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

constexpr int kMaxDevices = 4;
constexpr size_t kTotalMemory = size_t{1} << 30;
constexpr int kDefaultSharedPerBlock = 48 * 1024;
constexpr int kSharedOptin = 163 * 1024;

std::atomic<bool> g_initialized{false};
std::atomic<bool> g_hold{false};  // streams pause while set (fake_cuda_hold)

std::mutex g_stats_mutex;
std::map<std::string, long> g_calls;
std::map<std::string, int> g_forced_errors;

void count(const char* name) {
  std::lock_guard<std::mutex> lock(g_stats_mutex);
  ++g_calls[name];
}

CUresult forced(const char* name) {
  std::lock_guard<std::mutex> lock(g_stats_mutex);
  auto it = g_forced_errors.find(name);
  return it == g_forced_errors.end() ? CUDA_SUCCESS : static_cast<CUresult>(it->second);
}

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

int device_count() { return std::min(kMaxDevices, env_int("FAKE_CUDA_DEVICE_COUNT", 1)); }
int driver_version() { return env_int("FAKE_CUDA_DRIVER_VERSION", 12040); }

struct FakeCtx {
  int device = 0;
  int refs = 0;
  std::atomic<int> sticky{CUDA_SUCCESS};  // set by a faulting "kernel"
  std::map<int, bool> peers;              // peer device -> enabled
};
FakeCtx g_ctx[kMaxDevices];
thread_local FakeCtx* t_current = nullptr;

enum class Kind { kDevice, kHostMapped, kHostPinned };
struct Alloc {
  size_t size;
  Kind kind;
  FakeCtx* ctx;
};
std::mutex g_alloc_mutex;
std::map<uintptr_t, Alloc> g_allocs;

// The allocation holding [p, p + n), or nullptr.
const Alloc* find_alloc(uintptr_t p, size_t n, uintptr_t* base = nullptr) {
  std::lock_guard<std::mutex> lock(g_alloc_mutex);
  auto it = g_allocs.upper_bound(p);
  if (it == g_allocs.begin()) return nullptr;
  --it;
  if (p < it->first || p + n > it->first + it->second.size || p + n < p) return nullptr;
  if (base) *base = it->first;
  return &it->second;
}

#define FAKE_ENTRY(name)                                 \
  count(#name);                                          \
  if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED; \
  if (CUresult f_ = forced(#name); f_ != CUDA_SUCCESS) return f_

#define FAKE_NEED_CONTEXT()                                         \
  if (!t_current) return CUDA_ERROR_INVALID_CONTEXT;                \
  if (t_current->refs <= 0) return CUDA_ERROR_CONTEXT_IS_DESTROYED; \
  if (int s_ = t_current->sticky.load(); s_ != CUDA_SUCCESS) return static_cast<CUresult>(s_)

// Calls the driver documents with CUDA_ERROR_INVALID_CONTEXT but that do
// not name a context: some context must be current.
#define FAKE_NEED_ANY_CONTEXT() \
  if (!t_current || t_current->refs <= 0) return CUDA_ERROR_INVALID_CONTEXT

// ------------------------------------------------------------------ streams

struct FakeStream {
  FakeCtx* ctx;
  std::mutex mutex;
  std::condition_variable wake, idle;
  // An op and whether it is a completion marker: a marker (event record)
  // runs under the stream's lock together with the end of `busy`, so that a
  // host which saw the stream's last event complete also sees the stream
  // idle, as on a real GPU.
  std::deque<std::pair<std::function<void()>, bool>> ops;
  bool busy = false, stop = false;
  std::thread worker;

  explicit FakeStream(FakeCtx* c) : ctx(c) {
    worker = std::thread([this] { run(); });
  }
  ~FakeStream() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    wake.notify_all();
    worker.join();
  }
  void run() {
    for (;;) {
      std::function<void()> op;
      bool marker = false;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return stop || !ops.empty(); });
        if (ops.empty()) return;
        op = std::move(ops.front().first);
        marker = ops.front().second;
        ops.pop_front();
        busy = true;
      }
      while (g_hold) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (!marker) op();
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (marker) op();
        busy = false;
      }
      idle.notify_all();
    }
  }
  void push(std::function<void()> op, bool marker = false) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      ops.emplace_back(std::move(op), marker);
    }
    wake.notify_all();
  }
  bool pending() {
    std::lock_guard<std::mutex> lock(mutex);
    return busy || !ops.empty();
  }
  void drain() {
    std::unique_lock<std::mutex> lock(mutex);
    idle.wait(lock, [&] { return !busy && ops.empty(); });
  }
};

FakeStream* stream_of(CUstream s) { return reinterpret_cast<FakeStream*>(s); }

// Async commands need a real stream of the current context (no NULL stream
// in this fake: the plugin never uses it).
#define FAKE_NEED_STREAM(s)                   \
  FAKE_NEED_CONTEXT();                        \
  if (!(s)) return CUDA_ERROR_INVALID_HANDLE; \
  if (stream_of(s)->ctx != t_current) return CUDA_ERROR_INVALID_CONTEXT

// ------------------------------------------------------------------- events

struct FakeEvent {
  FakeCtx* ctx;
  bool timing;
  uint64_t recorded = 0, completed = 0;
  double ms = 0.0;
};
std::mutex g_event_mutex;
std::condition_variable g_event_cv;
const auto g_epoch = std::chrono::steady_clock::now();

FakeEvent* event_of(CUevent e) { return reinterpret_cast<FakeEvent*>(e); }

// ------------------------------------------------------------------ modules

struct FakeFunction {
  std::string name;
  const ahal_cuda_host::Kernel* host = nullptr;  // its host build; nullptr if none
  std::vector<size_t> param_sizes, param_offsets;
  int static_shared = 0;
  int max_dynamic = 0;
  struct FakeModule* module = nullptr;
};

struct FakeModule {
  FakeCtx* ctx;
  std::map<std::string, std::unique_ptr<FakeFunction>> functions;
};

// PTX ISA (x10) that a driver of `version` compiles.
int max_isa(int version) {
  const int major = version / 1000, minor = version % 1000 / 10;
  if (major >= 13) return 90;
  if (major == 12) return minor <= 4 ? 80 + minor : (minor <= 8 ? 79 + minor : 88);
  if (major == 11) return 70 + minor;
  return 63;
}

size_t param_size(const std::string& decl) {
  // ".param .u64 name" / ".param .align 8 .b8 name[16]"
  const size_t bracket = decl.find('[');
  if (bracket != std::string::npos) return std::strtoul(decl.c_str() + bracket + 1, nullptr, 10);
  for (const char* t : {".u64", ".s64", ".b64", ".f64"})
    if (decl.find(t) != std::string::npos) return 8;
  for (const char* t : {".u32", ".s32", ".b32", ".f32"})
    if (decl.find(t) != std::string::npos) return 4;
  return 0;
}

void write_log(unsigned n, CUjit_option* options, void** values, const std::string& text) {
  char* buffer = nullptr;
  size_t size = 0;
  for (unsigned i = 0; i < n; ++i) {
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER) buffer = static_cast<char*>(values[i]);
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES)
      size = reinterpret_cast<uintptr_t>(values[i]);
  }
  if (!buffer || size == 0) return;
  const size_t used = std::min(size - 1, text.size());
  std::memcpy(buffer, text.data(), used);
  buffer[used] = '\0';
}

// ------------------------------------------------------ kernel execution

// Copied at launch: the module may be unloaded before the stream runs it.
struct Launch {
  FakeCtx* ctx;
  std::string name;
  const ahal_cuda_host::Kernel* host;
  std::vector<size_t> param_sizes, param_offsets;
  ahal_cuda_host::Grid grid;
  std::vector<unsigned char> params;
};

// What a kernel argument may point into: this context's device memory or
// mapped host memory (unified addressing), not pinned-only host memory.
bool reachable(const Launch& l, uint64_t address) {
  const Alloc* a = find_alloc(address, 0);
  return a && a->kind != Kind::kHostPinned && (a->kind != Kind::kDevice || a->ctx == l.ctx);
}

void fail_launch(const Launch& l, CUresult result, const std::string& why) {
  std::fprintf(stderr, "fake libcuda: kernel %s: %s\n", l.name.c_str(), why.c_str());
  l.ctx->sticky = result;
}

// Runs the kernel's host build on this stream's thread. Faults are sticky, as
// on a GPU; a bad pointer argument faults before any thread runs.
void execute(const Launch& l) {
  if (!l.host) return fail_launch(l, CUDA_ERROR_LAUNCH_FAILED, "no host build of this kernel");
  if (l.host->param_sizes != l.param_sizes)
    return fail_launch(l, CUDA_ERROR_LAUNCH_FAILED,
                       "the host build's parameters differ from the PTX's");
  for (size_t i = 0; i < l.param_sizes.size(); ++i) {
    if (!l.host->param_is_pointer[i]) continue;
    uint64_t address;
    std::memcpy(&address, l.params.data() + l.param_offsets[i], 8);
    if (!reachable(l, address)) {
      l.ctx->sticky = CUDA_ERROR_ILLEGAL_ADDRESS;
      return;
    }
  }
  const ahal_cuda_host::RunStats stats =
      l.host->launch(l.grid, l.params.data(), l.param_offsets.data());
  if (stats.faulted) l.ctx->sticky = CUDA_ERROR_ILLEGAL_ADDRESS;
  std::lock_guard<std::mutex> lock(g_stats_mutex);
  g_calls["kernel threads"] += static_cast<long>(stats.threads);
  g_calls["kernel barriers"] += static_cast<long>(stats.barriers);
}

}  // namespace

// ======================================================== driver entries

namespace fake {

CUresult cuGetErrorName(CUresult error, const char** out) {
  count("cuGetErrorName");
  static const std::map<int, const char*> kNames = {
      {0, "CUDA_SUCCESS"},
      {1, "CUDA_ERROR_INVALID_VALUE"},
      {2, "CUDA_ERROR_OUT_OF_MEMORY"},
      {3, "CUDA_ERROR_NOT_INITIALIZED"},
      {100, "CUDA_ERROR_NO_DEVICE"},
      {101, "CUDA_ERROR_INVALID_DEVICE"},
      {200, "CUDA_ERROR_INVALID_IMAGE"},
      {201, "CUDA_ERROR_INVALID_CONTEXT"},
      {209, "CUDA_ERROR_NO_BINARY_FOR_GPU"},
      {218, "CUDA_ERROR_INVALID_PTX"},
      {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"},
      {400, "CUDA_ERROR_INVALID_HANDLE"},
      {500, "CUDA_ERROR_NOT_FOUND"},
      {600, "CUDA_ERROR_NOT_READY"},
      {700, "CUDA_ERROR_ILLEGAL_ADDRESS"},
      {709, "CUDA_ERROR_CONTEXT_IS_DESTROYED"},
      {719, "CUDA_ERROR_LAUNCH_FAILED"},
  };
  auto it = kNames.find(error);
  if (it == kNames.end()) return CUDA_ERROR_INVALID_VALUE;
  *out = it->second;
  return CUDA_SUCCESS;
}

CUresult cuGetErrorString(CUresult error, const char** out) {
  count("cuGetErrorString");
  const char* name = nullptr;
  if (fake::cuGetErrorName(error, &name) != CUDA_SUCCESS) return CUDA_ERROR_INVALID_VALUE;
  *out = "fake driver error text";
  return CUDA_SUCCESS;
}

CUresult cuInit(unsigned flags) {
  count("cuInit");
  if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
  if (device_count() <= 0) return CUDA_ERROR_NO_DEVICE;
  g_initialized = true;
  return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int* version) {
  count("cuDriverGetVersion");
  *version = driver_version();
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int* n) {
  FAKE_ENTRY(cuDeviceGetCount);
  *n = device_count();
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice* device, int ordinal) {
  FAKE_ENTRY(cuDeviceGet);
  if (ordinal < 0 || ordinal >= device_count()) return CUDA_ERROR_INVALID_DEVICE;
  *device = ordinal;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char* name, int len, CUdevice device) {
  FAKE_ENTRY(cuDeviceGetName);
  if (device < 0 || device >= device_count()) return CUDA_ERROR_INVALID_DEVICE;
  std::snprintf(name, static_cast<size_t>(len), "ahal fake CUDA device %d", device);
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int* value, CUdevice_attribute attribute, CUdevice device) {
  FAKE_ENTRY(cuDeviceGetAttribute);
  if (device < 0 || device >= device_count()) return CUDA_ERROR_INVALID_DEVICE;
  switch (attribute) {
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
      *value = 8;
      break;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
      *value = 0;
      break;
    case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT:
      *value = 108;
      break;
    case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
      *value = 1024;
      break;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X:
      *value = 1024;
      break;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y:
      *value = 1024;
      break;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z:
      *value = 64;
      break;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X:
      *value = 2147483647;
      break;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y:
      *value = 65535;
      break;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z:
      *value = 65535;
      break;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK:
      *value = kDefaultSharedPerBlock;
      break;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN:
      *value = kSharedOptin;
      break;
    case CU_DEVICE_ATTRIBUTE_WARP_SIZE:
      *value = 32;
      break;
    case CU_DEVICE_ATTRIBUTE_CLOCK_RATE:
      *value = 1410000;
      break;
    case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE:
      *value = 1215000;
      break;
    case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH:
      *value = 5120;
      break;
    case CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY:
      *value = 1;
      break;
    case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING:
      *value = 1;
      break;
    default:
      return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

CUresult cuDeviceTotalMem(size_t* bytes, CUdevice device) {
  FAKE_ENTRY(cuDeviceTotalMem);
  if (device < 0 || device >= device_count()) return CUDA_ERROR_INVALID_DEVICE;
  *bytes = kTotalMemory;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetUuid(CUuuid* uuid, CUdevice device) {
  FAKE_ENTRY(cuDeviceGetUuid);
  if (device < 0 || device >= device_count()) return CUDA_ERROR_INVALID_DEVICE;
  for (int i = 0; i < 16; ++i) uuid->bytes[i] = static_cast<char>(0xa0 + i + device);
  return CUDA_SUCCESS;
}

CUresult cuDeviceCanAccessPeer(int* can, CUdevice device, CUdevice peer) {
  FAKE_ENTRY(cuDeviceCanAccessPeer);
  *can = device != peer ? 1 : 0;
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext* ctx, CUdevice device) {
  FAKE_ENTRY(cuDevicePrimaryCtxRetain);
  if (device < 0 || device >= device_count()) return CUDA_ERROR_INVALID_DEVICE;
  FakeCtx& c = g_ctx[device];
  if (c.refs++ == 0) {
    c.device = device;
    c.sticky = CUDA_SUCCESS;  // a fresh primary context
    c.peers.clear();
  }
  *ctx = reinterpret_cast<CUcontext>(&c);
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease(CUdevice device) {
  FAKE_ENTRY(cuDevicePrimaryCtxRelease);
  if (device < 0 || device >= device_count() || g_ctx[device].refs <= 0)
    return CUDA_ERROR_INVALID_CONTEXT;
  if (--g_ctx[device].refs > 0) return CUDA_SUCCESS;
  // The context is destroyed: its memory goes with it, as on the driver.
  std::lock_guard<std::mutex> lock(g_alloc_mutex);
  for (auto it = g_allocs.begin(); it != g_allocs.end();) {
    if (it->second.ctx == &g_ctx[device]) {
      ahal_cuda_host::guarded_free(reinterpret_cast<void*>(it->first), it->second.size);
      it = g_allocs.erase(it);
    } else {
      ++it;
    }
  }
  return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext ctx) {
  FAKE_ENTRY(cuCtxSetCurrent);
  t_current = reinterpret_cast<FakeCtx*>(ctx);
  return CUDA_SUCCESS;
}

CUresult cuCtxGetStreamPriorityRange(int* least, int* greatest) {
  FAKE_ENTRY(cuCtxGetStreamPriorityRange);
  FAKE_NEED_CONTEXT();
  *least = 0;
  *greatest = -5;
  return CUDA_SUCCESS;
}

CUresult cuCtxEnablePeerAccess(CUcontext peer, unsigned flags) {
  FAKE_ENTRY(cuCtxEnablePeerAccess);
  FAKE_NEED_CONTEXT();
  FakeCtx* p = reinterpret_cast<FakeCtx*>(peer);
  if (flags != 0 || p == t_current) return CUDA_ERROR_INVALID_VALUE;
  if (t_current->peers[p->device]) return CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED;
  t_current->peers[p->device] = true;
  return CUDA_SUCCESS;
}

CUresult cuMemGetInfo(size_t* free_bytes, size_t* total) {
  FAKE_ENTRY(cuMemGetInfo);
  FAKE_NEED_CONTEXT();
  size_t used = 0;
  {
    std::lock_guard<std::mutex> lock(g_alloc_mutex);
    for (const auto& [base, a] : g_allocs)
      if (a.kind == Kind::kDevice && a.ctx == t_current) used += a.size;
  }
  *total = kTotalMemory;
  *free_bytes = kTotalMemory - std::min(used, kTotalMemory);
  return CUDA_SUCCESS;
}

CUresult allocate(void** out, size_t size, Kind kind) {
  if (size == 0) return CUDA_ERROR_INVALID_VALUE;
  std::lock_guard<std::mutex> lock(g_alloc_mutex);
  if (kind == Kind::kDevice) {  // each fake device has kTotalMemory
    size_t used = 0;
    for (const auto& [base, a] : g_allocs)
      if (a.kind == Kind::kDevice && a.ctx == t_current) used += a.size;
    if (size > kTotalMemory - used) return CUDA_ERROR_OUT_OF_MEMORY;
  }
  // Guarded: a kernel running past the end faults (see execute()).
  void* p = ahal_cuda_host::guarded_alloc(size);
  if (!p) return CUDA_ERROR_OUT_OF_MEMORY;
  g_allocs[reinterpret_cast<uintptr_t>(p)] = Alloc{size, kind, t_current};
  *out = p;
  return CUDA_SUCCESS;
}

CUresult release(uintptr_t p, bool host) {
  std::lock_guard<std::mutex> lock(g_alloc_mutex);
  auto it = g_allocs.find(p);
  if (it == g_allocs.end() || (it->second.kind == Kind::kDevice) == host)
    return CUDA_ERROR_INVALID_VALUE;
  ahal_cuda_host::guarded_free(reinterpret_cast<void*>(p), it->second.size);
  g_allocs.erase(it);
  return CUDA_SUCCESS;
}

CUresult cuMemAlloc(CUdeviceptr* out, size_t size) {
  FAKE_ENTRY(cuMemAlloc);
  FAKE_NEED_CONTEXT();
  void* p = nullptr;
  const CUresult r = allocate(&p, size, Kind::kDevice);
  if (r == CUDA_SUCCESS) *out = reinterpret_cast<CUdeviceptr>(p);
  return r;
}

CUresult cuMemFree(CUdeviceptr p) {
  FAKE_ENTRY(cuMemFree);
  FAKE_NEED_CONTEXT();
  return release(p, false);
}

CUresult cuMemHostAlloc(void** out, size_t size, unsigned flags) {
  FAKE_ENTRY(cuMemHostAlloc);
  FAKE_NEED_CONTEXT();
  if (flags & ~(CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP))
    return CUDA_ERROR_INVALID_VALUE;
  return allocate(out, size,
                  flags & CU_MEMHOSTALLOC_DEVICEMAP ? Kind::kHostMapped : Kind::kHostPinned);
}

CUresult cuMemFreeHost(void* p) {
  FAKE_ENTRY(cuMemFreeHost);
  FAKE_NEED_ANY_CONTEXT();
  return release(reinterpret_cast<uintptr_t>(p), true);
}

CUresult cuMemHostGetDevicePointer(CUdeviceptr* out, void* p, unsigned flags) {
  FAKE_ENTRY(cuMemHostGetDevicePointer);
  FAKE_NEED_CONTEXT();
  const Alloc* a = find_alloc(reinterpret_cast<uintptr_t>(p), 1);
  if (flags != 0 || !a || a->kind != Kind::kHostMapped) return CUDA_ERROR_INVALID_VALUE;
  *out = reinterpret_cast<CUdeviceptr>(p);  // unified addressing: the same address
  return CUDA_SUCCESS;
}

// Explicit-direction copies take device allocations of this context only;
// host-mapped memory must go through the unified-addressing cuMemcpyAsync.
bool device_range(CUdeviceptr p, size_t n) {
  const Alloc* a = find_alloc(p, n);
  return a && a->kind == Kind::kDevice && a->ctx == t_current;
}

CUresult cuMemcpyHtoDAsync(CUdeviceptr dst, const void* src, size_t n, CUstream s) {
  FAKE_ENTRY(cuMemcpyHtoDAsync);
  FAKE_NEED_STREAM(s);
  if (!device_range(dst, n)) return CUDA_ERROR_INVALID_VALUE;
  stream_of(s)->push([=] { std::memcpy(reinterpret_cast<void*>(dst), src, n); });
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoHAsync(void* dst, CUdeviceptr src, size_t n, CUstream s) {
  FAKE_ENTRY(cuMemcpyDtoHAsync);
  FAKE_NEED_STREAM(s);
  if (!device_range(src, n)) return CUDA_ERROR_INVALID_VALUE;
  stream_of(s)->push([=] { std::memcpy(dst, reinterpret_cast<void*>(src), n); });
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoDAsync(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s) {
  FAKE_ENTRY(cuMemcpyDtoDAsync);
  FAKE_NEED_STREAM(s);
  if (!device_range(dst, n) || !device_range(src, n)) return CUDA_ERROR_INVALID_VALUE;
  stream_of(s)->push(
      [=] { std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<void*>(src), n); });
  return CUDA_SUCCESS;
}

CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s) {
  FAKE_ENTRY(cuMemcpyAsync);
  FAKE_NEED_STREAM(s);
  // Unknown addresses are pageable host memory; known ones must fit.
  for (CUdeviceptr p : {dst, src}) {
    uintptr_t base = 0;
    if (find_alloc(p, 1, &base) && !find_alloc(p, n)) return CUDA_ERROR_INVALID_VALUE;
  }
  stream_of(s)->push(
      [=] { std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<void*>(src), n); });
  return CUDA_SUCCESS;
}

CUresult cuMemcpyPeerAsync(CUdeviceptr dst, CUcontext dst_ctx, CUdeviceptr src, CUcontext src_ctx,
                           size_t n, CUstream s) {
  FAKE_ENTRY(cuMemcpyPeerAsync);
  FAKE_NEED_CONTEXT();
  if (!s) return CUDA_ERROR_INVALID_HANDLE;
  const Alloc* d = find_alloc(dst, n);
  const Alloc* r = find_alloc(src, n);
  if (!d || !r || d->kind != Kind::kDevice || r->kind != Kind::kDevice ||
      d->ctx != reinterpret_cast<FakeCtx*>(dst_ctx) ||
      r->ctx != reinterpret_cast<FakeCtx*>(src_ctx))
    return CUDA_ERROR_INVALID_VALUE;
  stream_of(s)->push(
      [=] { std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<void*>(src), n); });
  return CUDA_SUCCESS;
}

template <typename T>
CUresult memset_async(CUdeviceptr dst, T value, size_t n, CUstream s) {
  FAKE_NEED_STREAM(s);
  const Alloc* a = find_alloc(dst, n * sizeof(T));
  if (!a || a->kind == Kind::kHostPinned || dst % sizeof(T) != 0) return CUDA_ERROR_INVALID_VALUE;
  stream_of(s)->push([=] {
    T* p = reinterpret_cast<T*>(dst);
    for (size_t i = 0; i < n; ++i) p[i] = value;
  });
  return CUDA_SUCCESS;
}

CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, CUstream s) {
  FAKE_ENTRY(cuMemsetD8Async);
  return memset_async<uint8_t>(dst, v, n, s);
}
CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short v, size_t n, CUstream s) {
  FAKE_ENTRY(cuMemsetD16Async);
  return memset_async<uint16_t>(dst, v, n, s);
}
CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned v, size_t n, CUstream s) {
  FAKE_ENTRY(cuMemsetD32Async);
  return memset_async<uint32_t>(dst, v, n, s);
}

CUresult cuStreamCreateWithPriority(CUstream* out, unsigned flags, int priority) {
  FAKE_ENTRY(cuStreamCreateWithPriority);
  FAKE_NEED_CONTEXT();
  if (flags != CU_STREAM_NON_BLOCKING || priority > 0 || priority < -5)
    return CUDA_ERROR_INVALID_VALUE;
  *out = reinterpret_cast<CUstream>(new FakeStream(t_current));
  return CUDA_SUCCESS;
}

CUresult cuStreamDestroy(CUstream s) {
  FAKE_ENTRY(cuStreamDestroy);
  if (!s) return CUDA_ERROR_INVALID_HANDLE;
  delete stream_of(s);  // finishes what is queued, as the driver does
  return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(CUstream s) {
  FAKE_ENTRY(cuStreamSynchronize);
  FAKE_NEED_ANY_CONTEXT();
  if (!s) return CUDA_ERROR_INVALID_HANDLE;
  stream_of(s)->drain();
  return static_cast<CUresult>(stream_of(s)->ctx->sticky.load());
}

CUresult cuStreamQuery(CUstream s) {
  FAKE_ENTRY(cuStreamQuery);
  FAKE_NEED_ANY_CONTEXT();
  if (!s) return CUDA_ERROR_INVALID_HANDLE;
  if (int sticky = stream_of(s)->ctx->sticky.load(); sticky) return static_cast<CUresult>(sticky);
  return stream_of(s)->pending() ? CUDA_ERROR_NOT_READY : CUDA_SUCCESS;
}

CUresult cuStreamWaitEvent(CUstream s, CUevent e, unsigned flags) {
  FAKE_ENTRY(cuStreamWaitEvent);
  FAKE_NEED_STREAM(s);
  if (!e || flags != 0) return CUDA_ERROR_INVALID_VALUE;
  FakeEvent* ev = event_of(e);
  uint64_t target;
  {
    std::lock_guard<std::mutex> lock(g_event_mutex);
    target = ev->recorded;
  }
  stream_of(s)->push([=] {
    std::unique_lock<std::mutex> lock(g_event_mutex);
    g_event_cv.wait(lock, [&] { return ev->completed >= target; });
  });
  return CUDA_SUCCESS;
}

CUresult cuLaunchHostFunc(CUstream s, CUhostFn fn, void* user) {
  FAKE_ENTRY(cuLaunchHostFunc);
  FAKE_NEED_STREAM(s);
  if (!fn) return CUDA_ERROR_INVALID_VALUE;
  stream_of(s)->push([=] { fn(user); });
  return CUDA_SUCCESS;
}

CUresult cuEventCreate(CUevent* out, unsigned flags) {
  FAKE_ENTRY(cuEventCreate);
  FAKE_NEED_CONTEXT();
  if (flags & ~static_cast<unsigned>(CU_EVENT_DISABLE_TIMING)) return CUDA_ERROR_INVALID_VALUE;
  *out = reinterpret_cast<CUevent>(new FakeEvent{t_current, !(flags & CU_EVENT_DISABLE_TIMING)});
  return CUDA_SUCCESS;
}

CUresult cuEventDestroy(CUevent e) {
  FAKE_ENTRY(cuEventDestroy);
  if (!e) return CUDA_ERROR_INVALID_HANDLE;
  delete event_of(e);
  return CUDA_SUCCESS;
}

CUresult cuEventRecord(CUevent e, CUstream s) {
  FAKE_ENTRY(cuEventRecord);
  FAKE_NEED_STREAM(s);
  FakeEvent* ev = event_of(e);
  if (!ev || ev->ctx != t_current) return CUDA_ERROR_INVALID_HANDLE;
  uint64_t seq;
  {
    std::lock_guard<std::mutex> lock(g_event_mutex);
    seq = ++ev->recorded;
  }
  stream_of(s)->push(
      [=] {
        {
          std::lock_guard<std::mutex> lock(g_event_mutex);
          ev->completed = std::max(ev->completed, seq);
          ev->ms =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - g_epoch)
                  .count();
        }
        g_event_cv.notify_all();
      },
      /*marker=*/true);
  return CUDA_SUCCESS;
}

CUresult cuEventQuery(CUevent e) {
  FAKE_ENTRY(cuEventQuery);
  if (!e) return CUDA_ERROR_INVALID_HANDLE;
  std::lock_guard<std::mutex> lock(g_event_mutex);
  return event_of(e)->completed >= event_of(e)->recorded ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

CUresult cuEventSynchronize(CUevent e) {
  FAKE_ENTRY(cuEventSynchronize);
  FAKE_NEED_ANY_CONTEXT();
  if (!e) return CUDA_ERROR_INVALID_HANDLE;
  FakeEvent* ev = event_of(e);
  std::unique_lock<std::mutex> lock(g_event_mutex);
  const uint64_t target = ev->recorded;
  g_event_cv.wait(lock, [&] { return ev->completed >= target; });
  return CUDA_SUCCESS;
}

CUresult cuEventElapsedTime(float* ms, CUevent start, CUevent end) {
  FAKE_ENTRY(cuEventElapsedTime);
  FAKE_NEED_ANY_CONTEXT();
  FakeEvent* a = event_of(start);
  FakeEvent* b = event_of(end);
  if (!a || !b || !a->timing || !b->timing) return CUDA_ERROR_INVALID_HANDLE;
  std::lock_guard<std::mutex> lock(g_event_mutex);
  if (a->recorded == 0 || b->recorded == 0) return CUDA_ERROR_INVALID_HANDLE;
  if (a->completed < a->recorded || b->completed < b->recorded) return CUDA_ERROR_NOT_READY;
  *ms = static_cast<float>(b->ms - a->ms);
  return CUDA_SUCCESS;
}

CUresult cuModuleLoadDataEx(CUmodule* out, const void* image, unsigned n, CUjit_option* options,
                            void** values) {
  FAKE_ENTRY(cuModuleLoadDataEx);
  FAKE_NEED_CONTEXT();
  if (!image) return CUDA_ERROR_INVALID_VALUE;
  if (std::memcmp(image,
                  "\x7f"
                  "ELF",
                  4) == 0) {
    write_log(n, options, values, "fake driver: no SASS support");
    return CUDA_ERROR_NO_BINARY_FOR_GPU;
  }
  const std::string ptx(static_cast<const char*>(image));  // PTX must be NUL-terminated
  const size_t version_at = ptx.find(".version ");
  if (version_at == std::string::npos) {
    write_log(n, options, values, "fake ptxas: missing .version directive");
    return CUDA_ERROR_INVALID_PTX;
  }
  const double version = std::strtod(ptx.c_str() + version_at + 9, nullptr);
  if (static_cast<int>(version * 10 + 0.5) > max_isa(driver_version())) {
    write_log(n, options, values, "fake ptxas: unsupported PTX version");
    return CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
  }
  const size_t target_at = ptx.find(".target sm_");
  if (target_at != std::string::npos && std::atoi(ptx.c_str() + target_at + 11) > 80)
    return CUDA_ERROR_NO_BINARY_FOR_GPU;  // the fake device is sm_80
  const size_t bad = ptx.find("fake_syntax_error");
  if (bad != std::string::npos) {
    const long line = std::count(ptx.begin(), ptx.begin() + static_cast<long>(bad), '\n') + 1;
    write_log(n, options, values,
              "ptxas application ptx input, line " + std::to_string(line) +
                  "; error   : fake syntax error\nptxas fatal   : Ptx assembly aborted");
    return CUDA_ERROR_INVALID_PTX;
  }
  auto module = std::make_unique<FakeModule>();
  module->ctx = t_current;
  for (size_t at = ptx.find(".entry "); at != std::string::npos; at = ptx.find(".entry ", at + 1)) {
    const size_t name_start = at + 7;
    const size_t open = ptx.find('(', name_start);
    const size_t close = ptx.find(')', open);
    if (open == std::string::npos || close == std::string::npos) return CUDA_ERROR_INVALID_PTX;
    auto f = std::make_unique<FakeFunction>();
    f->name = ptx.substr(name_start, open - name_start);
    while (!f->name.empty() && f->name.back() == ' ') f->name.pop_back();
    size_t offset = 0;
    for (size_t p = ptx.find(".param", open); p != std::string::npos && p < close;
         p = ptx.find(".param", p + 1)) {
      const size_t eol = std::min(ptx.find_first_of(",\n)", p), close);
      const size_t size = param_size(ptx.substr(p, eol - p));
      const size_t align = size >= 8 ? 8 : 4;
      offset = (offset + align - 1) / align * align;
      f->param_sizes.push_back(size);
      f->param_offsets.push_back(offset);
      offset += size;
    }
    // Static shared memory: ".shared .align A .b8 name[N]" in the body.
    const size_t body_end = ptx.find(".entry ", close);
    for (size_t p = ptx.find(".shared .align", close); p != std::string::npos && p < body_end;
         p = ptx.find(".shared .align", p + 1)) {
      if (p >= 8 && ptx.compare(p - 8, 8, ".extern ") == 0) continue;
      const size_t bracket = ptx.find('[', p);
      if (bracket != std::string::npos) f->static_shared += std::atoi(ptx.c_str() + bracket + 1);
    }
    f->max_dynamic = kDefaultSharedPerBlock - f->static_shared;
    f->host = ahal_cuda_host::find_kernel(f->name);
    f->module = module.get();
    module->functions[f->name] = std::move(f);
  }
  *out = reinterpret_cast<CUmodule>(module.release());
  return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule m) {
  FAKE_ENTRY(cuModuleUnload);
  FAKE_NEED_ANY_CONTEXT();
  if (!m) return CUDA_ERROR_INVALID_HANDLE;
  delete reinterpret_cast<FakeModule*>(m);
  return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction* out, CUmodule m, const char* name) {
  FAKE_ENTRY(cuModuleGetFunction);
  FAKE_NEED_CONTEXT();
  FakeModule* module = reinterpret_cast<FakeModule*>(m);
  if (!module || module->ctx != t_current) return CUDA_ERROR_INVALID_HANDLE;
  auto it = module->functions.find(name);
  if (it == module->functions.end()) return CUDA_ERROR_NOT_FOUND;
  *out = reinterpret_cast<CUfunction>(it->second.get());
  return CUDA_SUCCESS;
}

CUresult cuFuncGetAttribute(int* value, CUfunction_attribute attribute, CUfunction fn) {
  FAKE_ENTRY(cuFuncGetAttribute);
  FAKE_NEED_ANY_CONTEXT();
  const FakeFunction* f = reinterpret_cast<const FakeFunction*>(fn);
  if (!f) return CUDA_ERROR_INVALID_HANDLE;
  switch (attribute) {
    case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
      *value = 1024;
      break;
    case CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES:
      *value = f->static_shared;
      break;
    case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
      *value = f->max_dynamic;
      break;
    default:
      return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

CUresult cuFuncSetAttribute(CUfunction fn, CUfunction_attribute attribute, int value) {
  FAKE_ENTRY(cuFuncSetAttribute);
  FAKE_NEED_ANY_CONTEXT();
  FakeFunction* f = reinterpret_cast<FakeFunction*>(fn);
  if (!f) return CUDA_ERROR_INVALID_HANDLE;
  if (attribute != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES || value < 0 ||
      value + f->static_shared > kSharedOptin)
    return CUDA_ERROR_INVALID_VALUE;
  f->max_dynamic = value;
  return CUDA_SUCCESS;
}

CUresult cuFuncGetParamInfo(CUfunction fn, size_t index, size_t* offset, size_t* size) {
  FAKE_ENTRY(cuFuncGetParamInfo);
  const FakeFunction* f = reinterpret_cast<const FakeFunction*>(fn);
  if (!f) return CUDA_ERROR_INVALID_HANDLE;
  if (index >= f->param_sizes.size()) return CUDA_ERROR_INVALID_VALUE;
  *offset = f->param_offsets[index];
  *size = f->param_sizes[index];
  return CUDA_SUCCESS;
}

// Checks a launch and copies its argument values by the kernel's sizes, as
// the driver does.
CUresult make_launch(CUfunction fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                     unsigned bz, unsigned shared, void** params, void** extra, Launch* out) {
  const FakeFunction* f = reinterpret_cast<const FakeFunction*>(fn);
  if (!f) return CUDA_ERROR_INVALID_HANDLE;
  if (f->module->ctx != t_current) return CUDA_ERROR_INVALID_CONTEXT;
  if (extra || gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 ||
      uint64_t{bx} * by * bz > 1024)
    return CUDA_ERROR_INVALID_VALUE;
  if (static_cast<int>(shared) > f->max_dynamic) return CUDA_ERROR_INVALID_VALUE;
  if (!f->param_sizes.empty() && !params) return CUDA_ERROR_INVALID_VALUE;
  Launch l{t_current,
           f->name,
           f->host,
           f->param_sizes,
           f->param_offsets,
           {{gx, gy, gz}, {bx, by, bz}, shared},
           {}};
  const size_t bytes = f->param_sizes.empty() ? 0 : f->param_offsets.back() + f->param_sizes.back();
  l.params.resize(bytes);
  for (size_t i = 0; i < f->param_sizes.size(); ++i)
    std::memcpy(l.params.data() + f->param_offsets[i], params[i], f->param_sizes[i]);
  *out = std::move(l);
  return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(CUfunction fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                        unsigned by, unsigned bz, unsigned shared, CUstream s, void** params,
                        void** extra) {
  FAKE_ENTRY(cuLaunchKernel);
  FAKE_NEED_STREAM(s);
  Launch l{};
  if (CUresult r = make_launch(fn, gx, gy, gz, bx, by, bz, shared, params, extra, &l)) return r;
  stream_of(s)->push([l = std::move(l)] { execute(l); });
  return CUDA_SUCCESS;
}

// ------------------------------------------------------------------ graphs
//
// Kernel nodes only, run in the order added (the plugin chains each node
// after the one before). A node handle is its index + 1.

struct FakeGraph {
  FakeCtx* ctx;
  std::vector<Launch> launches;
};

CUresult node_launch(const CUDA_KERNEL_NODE_PARAMS_v1* p, Launch* out) {
  if (!p) return CUDA_ERROR_INVALID_VALUE;
  return make_launch(p->func, p->gridDimX, p->gridDimY, p->gridDimZ, p->blockDimX, p->blockDimY,
                     p->blockDimZ, p->sharedMemBytes, p->kernelParams, p->extra, out);
}

CUresult cuGraphCreate(CUgraph* out, unsigned flags) {
  FAKE_ENTRY(cuGraphCreate);
  FAKE_NEED_CONTEXT();
  if (!out || flags) return CUDA_ERROR_INVALID_VALUE;
  *out = reinterpret_cast<CUgraph>(new FakeGraph{t_current, {}});
  return CUDA_SUCCESS;
}

CUresult cuGraphAddKernelNode(CUgraphNode* out, CUgraph g, const CUgraphNode* deps, size_t ndeps,
                              const CUDA_KERNEL_NODE_PARAMS_v1* p) {
  FAKE_ENTRY(cuGraphAddKernelNode);
  FAKE_NEED_CONTEXT();
  auto* graph = reinterpret_cast<FakeGraph*>(g);
  if (!out || !graph || (ndeps && !deps)) return CUDA_ERROR_INVALID_VALUE;
  Launch l{};
  if (CUresult r = node_launch(p, &l)) return r;
  graph->launches.push_back(std::move(l));
  *out = reinterpret_cast<CUgraphNode>(graph->launches.size());
  return CUDA_SUCCESS;
}

CUresult cuGraphInstantiateWithFlags(CUgraphExec* out, CUgraph g, unsigned long long flags) {
  FAKE_ENTRY(cuGraphInstantiateWithFlags);
  FAKE_NEED_CONTEXT();
  auto* graph = reinterpret_cast<FakeGraph*>(g);
  if (!out || !graph || flags) return CUDA_ERROR_INVALID_VALUE;
  *out = reinterpret_cast<CUgraphExec>(new FakeGraph(*graph));  // later edits do not reach it
  return CUDA_SUCCESS;
}

CUresult cuGraphLaunch(CUgraphExec e, CUstream s) {
  FAKE_ENTRY(cuGraphLaunch);
  FAKE_NEED_STREAM(s);
  auto* exec = reinterpret_cast<FakeGraph*>(e);
  if (!exec) return CUDA_ERROR_INVALID_VALUE;
  // The values as of this launch: a later update does not change it.
  stream_of(s)->push([launches = exec->launches] {
    for (const Launch& l : launches) execute(l);
  });
  return CUDA_SUCCESS;
}

CUresult cuGraphExecKernelNodeSetParams(CUgraphExec e, CUgraphNode node,
                                        const CUDA_KERNEL_NODE_PARAMS_v1* p) {
  FAKE_ENTRY(cuGraphExecKernelNodeSetParams);
  FAKE_NEED_CONTEXT();
  auto* exec = reinterpret_cast<FakeGraph*>(e);
  const size_t index = reinterpret_cast<size_t>(node);
  if (!exec || index == 0 || index > exec->launches.size()) return CUDA_ERROR_INVALID_VALUE;
  Launch l{};
  if (CUresult r = node_launch(p, &l)) return r;
  if (l.name != exec->launches[index - 1].name) return CUDA_ERROR_INVALID_VALUE;  // same function
  exec->launches[index - 1] = std::move(l);
  return CUDA_SUCCESS;
}

CUresult cuGraphExecDestroy(CUgraphExec e) {
  FAKE_ENTRY(cuGraphExecDestroy);
  delete reinterpret_cast<FakeGraph*>(e);
  return CUDA_SUCCESS;
}

CUresult cuGraphDestroy(CUgraph g) {
  FAKE_ENTRY(cuGraphDestroy);
  delete reinterpret_cast<FakeGraph*>(g);
  return CUDA_SUCCESS;
}

// ------------------------------------------------------------ the lookup

struct Symbol {
  const char* name;
  void* fn;
  int since;  // the CUDA version of the ABI this fake implements
};

#define FAKE_SYMBOL(name, since) \
  { #name, reinterpret_cast < void*>(&fake::name), since }
const Symbol kSymbols[] = {
    FAKE_SYMBOL(cuGetErrorName, 6000),
    FAKE_SYMBOL(cuGetErrorString, 6000),
    FAKE_SYMBOL(cuInit, 2000),
    FAKE_SYMBOL(cuDriverGetVersion, 2020),
    FAKE_SYMBOL(cuDeviceGetCount, 2000),
    FAKE_SYMBOL(cuDeviceGet, 2000),
    FAKE_SYMBOL(cuDeviceGetName, 2000),
    FAKE_SYMBOL(cuDeviceGetAttribute, 2000),
    FAKE_SYMBOL(cuDeviceTotalMem, 3020),  // _v2: size_t
    FAKE_SYMBOL(cuDeviceGetUuid, 9020),
    FAKE_SYMBOL(cuDeviceCanAccessPeer, 4000),
    FAKE_SYMBOL(cuDevicePrimaryCtxRetain, 7000),
    FAKE_SYMBOL(cuDevicePrimaryCtxRelease, 11000),  // _v2
    FAKE_SYMBOL(cuCtxSetCurrent, 4000),
    FAKE_SYMBOL(cuCtxGetStreamPriorityRange, 5050),
    FAKE_SYMBOL(cuCtxEnablePeerAccess, 4000),
    FAKE_SYMBOL(cuMemGetInfo, 3020),
    FAKE_SYMBOL(cuMemAlloc, 3020),
    FAKE_SYMBOL(cuMemFree, 3020),
    FAKE_SYMBOL(cuMemHostAlloc, 2020),
    FAKE_SYMBOL(cuMemFreeHost, 2000),
    FAKE_SYMBOL(cuMemHostGetDevicePointer, 3020),
    FAKE_SYMBOL(cuMemcpyAsync, 4000),
    FAKE_SYMBOL(cuMemcpyHtoDAsync, 3020),
    FAKE_SYMBOL(cuMemcpyDtoHAsync, 3020),
    FAKE_SYMBOL(cuMemcpyDtoDAsync, 3020),
    FAKE_SYMBOL(cuMemcpyPeerAsync, 4000),
    FAKE_SYMBOL(cuMemsetD8Async, 3020),
    FAKE_SYMBOL(cuMemsetD16Async, 3020),
    FAKE_SYMBOL(cuMemsetD32Async, 3020),
    FAKE_SYMBOL(cuStreamCreateWithPriority, 5050),
    FAKE_SYMBOL(cuStreamDestroy, 4000),  // _v2
    FAKE_SYMBOL(cuStreamSynchronize, 2000),
    FAKE_SYMBOL(cuStreamQuery, 2000),
    FAKE_SYMBOL(cuStreamWaitEvent, 3020),
    FAKE_SYMBOL(cuLaunchHostFunc, 10000),
    FAKE_SYMBOL(cuEventCreate, 2000),
    FAKE_SYMBOL(cuEventDestroy, 4000),  // _v2
    FAKE_SYMBOL(cuEventRecord, 2000),
    FAKE_SYMBOL(cuEventQuery, 2000),
    FAKE_SYMBOL(cuEventSynchronize, 2000),
    FAKE_SYMBOL(cuEventElapsedTime, 2000),
    FAKE_SYMBOL(cuModuleLoadDataEx, 2010),
    FAKE_SYMBOL(cuModuleUnload, 2000),
    FAKE_SYMBOL(cuModuleGetFunction, 2000),
    FAKE_SYMBOL(cuFuncGetAttribute, 2020),
    FAKE_SYMBOL(cuFuncSetAttribute, 9000),
    FAKE_SYMBOL(cuFuncGetParamInfo, 12040),
    FAKE_SYMBOL(cuLaunchKernel, 4000),
    FAKE_SYMBOL(cuGraphCreate, 10000),
    FAKE_SYMBOL(cuGraphAddKernelNode, 10000),
    FAKE_SYMBOL(cuGraphInstantiateWithFlags, 11040),
    FAKE_SYMBOL(cuGraphLaunch, 10000),
    FAKE_SYMBOL(cuGraphExecKernelNodeSetParams, 10010),
    FAKE_SYMBOL(cuGraphExecDestroy, 10000),
    FAKE_SYMBOL(cuGraphDestroy, 10000),
};
#undef FAKE_SYMBOL

}  // namespace fake

// cuGetProcAddress as documented: a version above the driver's is an error;
// one below the symbol's ABI finds nothing. The fake implements only the
// newest ABI of each symbol, so asking for an older one fails the plugin's
// load — which is how a wrong version in cuda_driver.hpp shows up.
FAKE_EXPORT CUresult cuGetProcAddress_v2(const char* symbol, void** pfn, int cuda_version,
                                         cuuint64_t flags, CUdriverProcAddressQueryResult* status) {
  count("cuGetProcAddress");
  {
    std::lock_guard<std::mutex> lock(g_stats_mutex);
    ++g_calls[std::string("cuGetProcAddress:") + symbol + "@" + std::to_string(cuda_version)];
  }
  if (!symbol || !pfn) return CUDA_ERROR_INVALID_VALUE;
  *pfn = nullptr;
  if (status) *status = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
  if (cuda_version > driver_version()) return CUDA_ERROR_INVALID_VALUE;
  if (flags != CU_GET_PROC_ADDRESS_LEGACY_STREAM && flags != CU_GET_PROC_ADDRESS_DEFAULT)
    return CUDA_SUCCESS;
  for (const fake::Symbol& s : fake::kSymbols) {
    if (std::strcmp(s.name, symbol) != 0) continue;
    // cuFuncGetParamInfo exists only from 12.4 drivers on.
    if (s.since > driver_version()) return CUDA_SUCCESS;
    if (cuda_version < s.since) {
      if (status) *status = CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT;
      return CUDA_SUCCESS;
    }
    *pfn = s.fn;
    if (status) *status = CU_GET_PROC_ADDRESS_SUCCESS;
    return CUDA_SUCCESS;
  }
  return CUDA_SUCCESS;
}

// ---------------------------------------------------------- test controls

// Calls of entry `name`; "kernel threads" and "kernel barriers" count the
// CUDA threads and __syncthreads() calls that launches ran.
FAKE_EXPORT long fake_cuda_calls(const char* name) {
  std::lock_guard<std::mutex> lock(g_stats_mutex);
  auto it = g_calls.find(name);
  return it == g_calls.end() ? 0 : it->second;
}

// Makes every later call of `name` return `result` (0 clears it).
FAKE_EXPORT void fake_cuda_force_error(const char* name, int result) {
  std::lock_guard<std::mutex> lock(g_stats_mutex);
  if (result == 0) {
    g_forced_errors.erase(name);
  } else {
    g_forced_errors[name] = result;
  }
}

// While on, streams take commands but do not run them.
FAKE_EXPORT void fake_cuda_hold(int on) { g_hold = on != 0; }

// Live allocations of any kind (leak checks).
FAKE_EXPORT long fake_cuda_live_allocations() {
  std::lock_guard<std::mutex> lock(g_alloc_mutex);
  return static_cast<long>(g_allocs.size());
}

// Primary-context references still held on `device`.
FAKE_EXPORT int fake_cuda_context_refs(int device) {
  return device >= 0 && device < kMaxDevices ? g_ctx[device].refs : -1;
}
