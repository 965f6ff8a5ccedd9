// The CUDA driver API, opened at run time: libcuda.so.1 (or
// $AHAL_CUDA_DRIVER_PATH) through the SDK's VendorLibrary, then every entry
// point through cuGetProcAddress at the CUDA version whose ABI this code was
// written against. Nothing links libcuda, so the plugin and ahal-bench load
// on machines without it.
// Shared by plugins/cuda and bench/native_cuda.cpp.
#pragma once

#include <ahal/ahal.h>
#include <ahal/vendor_library.hpp>

#include <cuda.h>
#include <cudaTypedefs.h>

#include <string>

namespace ahal_cuda {

// X(name, PFN typedef, CUDA version). `name` is the base symbol; cuda.h
// #defines many of them to their _v2/_v3 ABI (cuMemAlloc -> cuMemAlloc_v2),
// so members get that spelling while #name stays the base name that
// cuGetProcAddress wants. The version picks the ABI: e.g. 3020 gives the
// 64-bit cuMemAlloc_v2, 2000 the pre-13.0 cuCtxSynchronize.
#define AHAL_CUDA_REQUIRED_ENTRIES(X)                                         \
  X(cuGetErrorName, PFN_cuGetErrorName_v6000, 6000)                           \
  X(cuGetErrorString, PFN_cuGetErrorString_v6000, 6000)                       \
  X(cuInit, PFN_cuInit_v2000, 2000)                                           \
  X(cuDeviceGetCount, PFN_cuDeviceGetCount_v2000, 2000)                       \
  X(cuDeviceGet, PFN_cuDeviceGet_v2000, 2000)                                 \
  X(cuDeviceGetName, PFN_cuDeviceGetName_v2000, 2000)                         \
  X(cuDeviceGetAttribute, PFN_cuDeviceGetAttribute_v2000, 2000)               \
  X(cuDeviceTotalMem, PFN_cuDeviceTotalMem_v3020, 3020)                       \
  X(cuDeviceCanAccessPeer, PFN_cuDeviceCanAccessPeer_v4000, 4000)             \
  X(cuDevicePrimaryCtxRetain, PFN_cuDevicePrimaryCtxRetain_v7000, 7000)       \
  X(cuDevicePrimaryCtxRelease, PFN_cuDevicePrimaryCtxRelease_v11000, 11000)   \
  X(cuCtxSetCurrent, PFN_cuCtxSetCurrent_v4000, 4000)                         \
  X(cuCtxGetStreamPriorityRange, PFN_cuCtxGetStreamPriorityRange_v5050, 5050) \
  X(cuCtxEnablePeerAccess, PFN_cuCtxEnablePeerAccess_v4000, 4000)             \
  X(cuMemGetInfo, PFN_cuMemGetInfo_v3020, 3020)                               \
  X(cuMemAlloc, PFN_cuMemAlloc_v3020, 3020)                                   \
  X(cuMemFree, PFN_cuMemFree_v3020, 3020)                                     \
  X(cuMemHostAlloc, PFN_cuMemHostAlloc_v2020, 2020)                           \
  X(cuMemFreeHost, PFN_cuMemFreeHost_v2000, 2000)                             \
  X(cuMemHostGetDevicePointer, PFN_cuMemHostGetDevicePointer_v3020, 3020)     \
  X(cuMemcpyAsync, PFN_cuMemcpyAsync_v4000, 4000)                             \
  X(cuMemcpyHtoDAsync, PFN_cuMemcpyHtoDAsync_v3020, 3020)                     \
  X(cuMemcpyDtoHAsync, PFN_cuMemcpyDtoHAsync_v3020, 3020)                     \
  X(cuMemcpyDtoDAsync, PFN_cuMemcpyDtoDAsync_v3020, 3020)                     \
  X(cuMemcpyPeerAsync, PFN_cuMemcpyPeerAsync_v4000, 4000)                     \
  X(cuMemsetD8Async, PFN_cuMemsetD8Async_v3020, 3020)                         \
  X(cuMemsetD16Async, PFN_cuMemsetD16Async_v3020, 3020)                       \
  X(cuMemsetD32Async, PFN_cuMemsetD32Async_v3020, 3020)                       \
  X(cuStreamCreateWithPriority, PFN_cuStreamCreateWithPriority_v5050, 5050)   \
  X(cuStreamDestroy, PFN_cuStreamDestroy_v4000, 4000)                         \
  X(cuStreamSynchronize, PFN_cuStreamSynchronize_v2000, 2000)                 \
  X(cuStreamQuery, PFN_cuStreamQuery_v2000, 2000)                             \
  X(cuStreamWaitEvent, PFN_cuStreamWaitEvent_v3020, 3020)                     \
  X(cuLaunchHostFunc, PFN_cuLaunchHostFunc_v10000, 10000)                     \
  X(cuEventCreate, PFN_cuEventCreate_v2000, 2000)                             \
  X(cuEventDestroy, PFN_cuEventDestroy_v4000, 4000)                           \
  X(cuEventRecord, PFN_cuEventRecord_v2000, 2000)                             \
  X(cuEventQuery, PFN_cuEventQuery_v2000, 2000)                               \
  X(cuEventSynchronize, PFN_cuEventSynchronize_v2000, 2000)                   \
  X(cuEventElapsedTime, PFN_cuEventElapsedTime_v2000, 2000)                   \
  X(cuModuleLoadDataEx, PFN_cuModuleLoadDataEx_v2010, 2010)                   \
  X(cuModuleUnload, PFN_cuModuleUnload_v2000, 2000)                           \
  X(cuModuleGetFunction, PFN_cuModuleGetFunction_v2000, 2000)                 \
  X(cuFuncGetAttribute, PFN_cuFuncGetAttribute_v2020, 2020)                   \
  X(cuFuncSetAttribute, PFN_cuFuncSetAttribute_v9000, 9000)                   \
  X(cuLaunchKernel, PFN_cuLaunchKernel_v4000, 4000)

// Newer than the oldest driver we take (CUDA 11.3, the first with
// cuGetProcAddress); NULL where the driver lacks them.
// The graph entries are in every driver we take; optional so that a
// driver (or test fake) without them still loads: command buffers then
// fall back to the loader's replay.
#define AHAL_CUDA_OPTIONAL_ENTRIES(X)                                                 \
  X(cuDeviceGetUuid, PFN_cuDeviceGetUuid_v9020, 9020)                                 \
  X(cuFuncGetParamInfo, PFN_cuFuncGetParamInfo_v12040, 12040)                         \
  X(cuGraphCreate, PFN_cuGraphCreate_v10000, 10000)                                   \
  X(cuGraphAddKernelNode, PFN_cuGraphAddKernelNode_v10000, 10000)                     \
  X(cuGraphInstantiateWithFlags, PFN_cuGraphInstantiateWithFlags_v11040, 11040)       \
  X(cuGraphLaunch, PFN_cuGraphLaunch_v10000, 10000)                                   \
  X(cuGraphExecKernelNodeSetParams, PFN_cuGraphExecKernelNodeSetParams_v10010, 10010) \
  X(cuGraphExecDestroy, PFN_cuGraphExecDestroy_v10000, 10000)                         \
  X(cuGraphDestroy, PFN_cuGraphDestroy_v10000, 10000)

class Driver {
 public:
  Driver() = default;
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;
  ~Driver();

  // Opens the driver, resolves every entry and calls cuInit(0).
  //   AHAL_ERROR_NOT_FOUND: no libcuda.so.1 ("CUDA driver not found (...)"),
  //     or the driver sees no device;
  //   AHAL_ERROR_INCOMPATIBLE: the library is not a usable CUDA driver
  //     (no cuGetProcAddress, a required entry missing);
  //   else cuInit's own failure, mapped.
  ahal_status_t load(std::string* error);

  // "CUDA_ERROR_OUT_OF_MEMORY (out of memory)".
  std::string describe(CUresult result) const;
  // "<what>: CUDA_ERROR_... (text)".
  std::string message(const char* what, CUresult result) const;

  const std::string& path() const { return path_; }
  int version() const { return version_; }  // cuDriverGetVersion: 12040 = 12.4

#define AHAL_CUDA_DECLARE_ENTRY(name, type, version) type name = nullptr;
  AHAL_CUDA_REQUIRED_ENTRIES(AHAL_CUDA_DECLARE_ENTRY)
  AHAL_CUDA_OPTIONAL_ENTRIES(AHAL_CUDA_DECLARE_ENTRY)
#undef AHAL_CUDA_DECLARE_ENTRY

 private:
  void* resolve(const char* name, int cuda_version) const;

  ahal::plugin::VendorLibrary library_;
  bool initialized_ = false;  // cuInit ran: libcuda stays mapped (its threads)
  std::string path_;
  int version_ = 0;
  PFN_cuGetProcAddress_v12000 get_proc_v2_ = nullptr;
  PFN_cuGetProcAddress_v11030 get_proc_v1_ = nullptr;
};

// ahal status for a CUresult. Errors that leave the context unusable
// (illegal address, launch failure, ECC, ...) are AHAL_ERROR_DEVICE_LOST.
ahal_status_t status_of(CUresult result);
bool is_sticky(CUresult result);

}  // namespace ahal_cuda
