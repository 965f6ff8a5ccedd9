// The OpenCL API as this plugin uses it: written against OpenCL 3.0, with
// the 1.2 entry points kept for devices older than 2.0 (the plugin checks
// each device's version before it calls a 2.x function). The ICD loader
// (libOpenCL.so.1) is opened at run time, so the plugin loads on machines
// without one and says so; every call goes through the table `cl`.
#pragma once

#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include <CL/cl_ext.h>

namespace ahal_opencl {

// The entry points the plugin calls, without their "cl" prefix: a loader
// missing one is refused.
#define AHAL_CL_REQUIRED_ENTRIES(X)         \
  X(GetPlatformIDs)                         \
  X(GetPlatformInfo)                        \
  X(GetDeviceIDs)                           \
  X(GetDeviceInfo)                          \
  X(GetExtensionFunctionAddressForPlatform) \
  X(CreateContext)                          \
  X(ReleaseContext)                         \
  X(CreateCommandQueue)                     \
  X(ReleaseCommandQueue)                    \
  X(Flush)                                  \
  X(Finish)                                 \
  X(CreateBuffer)                           \
  X(CreateSubBuffer)                        \
  X(ReleaseMemObject)                       \
  X(EnqueueMapBuffer)                       \
  X(EnqueueUnmapMemObject)                  \
  X(EnqueueReadBuffer)                      \
  X(EnqueueWriteBuffer)                     \
  X(EnqueueCopyBuffer)                      \
  X(EnqueueFillBuffer)                      \
  X(EnqueueNDRangeKernel)                   \
  X(EnqueueMarkerWithWaitList)              \
  X(EnqueueBarrierWithWaitList)             \
  X(CreateUserEvent)                        \
  X(SetUserEventStatus)                     \
  X(SetEventCallback)                       \
  X(GetEventInfo)                           \
  X(GetEventProfilingInfo)                  \
  X(WaitForEvents)                          \
  X(RetainEvent)                            \
  X(ReleaseEvent)                           \
  X(CreateProgramWithSource)                \
  X(CreateProgramWithBinary)                \
  X(BuildProgram)                           \
  X(GetProgramBuildInfo)                    \
  X(GetProgramInfo)                         \
  X(ReleaseProgram)                         \
  X(CreateKernel)                           \
  X(ReleaseKernel)                          \
  X(GetKernelInfo)                          \
  X(GetKernelWorkGroupInfo)                 \
  X(SetKernelArg)

// OpenCL 2.x entry points, used only on devices of that version: NULL in an
// ICD loader older than them.
#define AHAL_CL_OPTIONAL_ENTRIES(X) \
  X(CreateCommandQueueWithProperties) X(CreateProgramWithIL) X(SVMAlloc) X(SVMFree)

struct Api {
#define AHAL_CL_DECLARE(name) decltype(&::cl##name) name = nullptr;
  AHAL_CL_REQUIRED_ENTRIES(AHAL_CL_DECLARE)
  AHAL_CL_OPTIONAL_ENTRIES(AHAL_CL_DECLARE)
#undef AHAL_CL_DECLARE
};

// The ICD loader's entry points, filled by open_icd_loader().
extern Api cl;

// Opens the ICD loader once per process ($AHAL_OPENCL_LIBRARY_PATH, else
// libOpenCL.so.1) and fills `cl`. Throws ahal::plugin::Error:
// AHAL_ERROR_NOT_FOUND without a loader, AHAL_ERROR_INCOMPATIBLE when it
// lacks an entry point. The loader stays open for the life of the process.
void open_icd_loader();

}  // namespace ahal_opencl
