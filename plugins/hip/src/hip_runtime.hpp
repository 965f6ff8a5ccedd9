// The HIP runtime (libamdhip64), opened with dlopen at run time: the plugin
// is built against the HIP headers only and links no part of ROCm.
#pragma once

#include <ahal/ahal.h>

#include <hip/hip_runtime_api.h>

#include <string>

namespace ahal_hip {

// Every entry point the plugin needs; a runtime missing one is refused.
// hipGetDeviceProperties is the unsuffixed export, which keeps the layout of
// these (5.x) headers in ROCm 6 too (the R0600 layout is a new symbol).
// X(name) takes the C declaration's type; T(name, type) spells the type out
// where the header also declares C++ template overloads.
#define AHAL_HIP_REQUIRED_ENTRIES(X, T) \
  X(hipInit)                            \
  X(hipDriverGetVersion)                \
  X(hipRuntimeGetVersion)               \
  X(hipGetDeviceCount)                  \
  X(hipDeviceGet)                       \
  X(hipSetDevice)                       \
  X(hipGetDeviceProperties)             \
  X(hipDeviceGetUuid)                   \
  X(hipDeviceGetStreamPriorityRange)    \
  X(hipMemGetInfo)                      \
  X(hipGetErrorName)                    \
  X(hipGetErrorString)                  \
  T(hipMalloc, HipMallocFn)             \
  X(hipFree)                            \
  T(hipHostMalloc, HipHostMallocFn)     \
  X(hipHostFree)                        \
  X(hipHostGetDevicePointer)            \
  X(hipStreamCreateWithPriority)        \
  X(hipStreamDestroy)                   \
  X(hipStreamSynchronize)               \
  X(hipStreamQuery)                     \
  X(hipStreamWaitEvent)                 \
  X(hipStreamAddCallback)               \
  X(hipMemcpyHtoDAsync)                 \
  X(hipMemcpyDtoHAsync)                 \
  X(hipMemcpyDtoDAsync)                 \
  X(hipMemsetD8Async)                   \
  X(hipMemsetD16Async)                  \
  X(hipMemsetD32Async)                  \
  X(hipEventCreateWithFlags)            \
  X(hipEventDestroy)                    \
  X(hipEventRecord)                     \
  X(hipEventQuery)                      \
  X(hipEventSynchronize)                \
  X(hipEventElapsedTime)                \
  X(hipModuleLoadData)                  \
  X(hipModuleUnload)                    \
  X(hipModuleGetFunction)               \
  X(hipFuncGetAttribute)                \
  X(hipModuleLaunchKernel)

// Used when present: ROCm 5.2 declares hipLaunchHostFunc but does not export
// it, so host callbacks fall back to hipStreamAddCallback there. The graph
// entries make command buffers native (command_buffer.cpp); without them the
// loader replays command buffers through the stream.
#define AHAL_HIP_OPTIONAL_ENTRIES(X) \
  X(hipLaunchHostFunc)               \
  X(hipStreamBeginCapture)           \
  X(hipStreamEndCapture)             \
  X(hipGraphInstantiate)             \
  X(hipGraphLaunch)                  \
  X(hipGraphExecDestroy)             \
  X(hipGraphDestroy)

using HipMallocFn = hipError_t (*)(void**, size_t);
using HipHostMallocFn = hipError_t (*)(void**, size_t, unsigned int);

struct Runtime {
#define AHAL_HIP_DECLARE(name) decltype(&::name) name = nullptr;
#define AHAL_HIP_DECLARE_TYPED(name, type) type name = nullptr;
  AHAL_HIP_REQUIRED_ENTRIES(AHAL_HIP_DECLARE, AHAL_HIP_DECLARE_TYPED)
  AHAL_HIP_OPTIONAL_ENTRIES(AHAL_HIP_DECLARE)
#undef AHAL_HIP_DECLARE
#undef AHAL_HIP_DECLARE_TYPED

  std::string path;  // the file actually loaded
};

// Opens the runtime: $AHAL_HIP_RUNTIME_PATH alone when set, else
// libamdhip64.so.5, .so.6, .so, then $ROCM_PATH/lib and /opt/rocm/lib; the
// first that opens is used. AHAL_ERROR_NOT_FOUND when none opens,
// AHAL_ERROR_INCOMPATIBLE when it lacks entry points; *error says which.
// The loaded library stays open for the life of the process: libamdhip64
// tears down its own threads at exit and must not be unloaded earlier.
ahal_status_t load_runtime(Runtime* rt, std::string* error);

// "hipErrorOutOfMemory (out of memory)" style text for an error code.
std::string error_text(const Runtime& rt, hipError_t err);

}  // namespace ahal_hip
