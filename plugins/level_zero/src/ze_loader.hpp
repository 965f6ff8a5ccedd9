// The Level Zero loader (libze_loader.so.1), opened with dlopen at run
// time: the plugin is built against the headers only.
#pragma once

#include <ahal/ahal.h>

#include <level_zero/ze_api.h>

#include <string>

namespace ahal_ze {

// Every entry point the plugin uses; a loader missing one is refused.
#define AHAL_ZE_ENTRIES(X)                   \
  X(zeInit)                                  \
  X(zeDriverGet)                             \
  X(zeDriverGetApiVersion)                   \
  X(zeDriverGetProperties)                   \
  X(zeDeviceGet)                             \
  X(zeDeviceGetSubDevices)                   \
  X(zeDeviceGetProperties)                   \
  X(zeDeviceGetComputeProperties)            \
  X(zeDeviceGetModuleProperties)             \
  X(zeDeviceGetMemoryProperties)             \
  X(zeDeviceGetCommandQueueGroupProperties)  \
  X(zeContextCreate)                         \
  X(zeContextDestroy)                        \
  X(zeMemAllocDevice)                        \
  X(zeMemAllocHost)                          \
  X(zeMemAllocShared)                        \
  X(zeMemFree)                               \
  X(zeCommandListCreateImmediate)            \
  X(zeCommandListDestroy)                    \
  X(zeCommandListAppendMemoryCopy)           \
  X(zeCommandListAppendMemoryFill)           \
  X(zeCommandListAppendBarrier)              \
  X(zeCommandListAppendWriteGlobalTimestamp) \
  X(zeCommandListAppendLaunchKernel)         \
  X(zeEventPoolCreate)                       \
  X(zeEventPoolDestroy)                      \
  X(zeEventCreate)                           \
  X(zeEventDestroy)                          \
  X(zeEventHostSignal)                       \
  X(zeEventHostSynchronize)                  \
  X(zeEventQueryStatus)                      \
  X(zeEventHostReset)                        \
  X(zeModuleCreate)                          \
  X(zeModuleDestroy)                         \
  X(zeModuleBuildLogGetString)               \
  X(zeModuleBuildLogDestroy)                 \
  X(zeKernelCreate)                          \
  X(zeKernelDestroy)                         \
  X(zeKernelGetProperties)                   \
  X(zeKernelSetGroupSize)                    \
  X(zeKernelSetArgumentValue)

// Entries of one feature only, null when missing: regular command lists
// and queues, for command buffers (command_buffer.cpp).
#define AHAL_ZE_OPTIONAL_ENTRIES(X) \
  X(zeCommandListCreate)            \
  X(zeCommandListClose)             \
  X(zeCommandListReset)             \
  X(zeCommandQueueCreate)           \
  X(zeCommandQueueDestroy)          \
  X(zeCommandQueueExecuteCommandLists)

struct Loader {
#define AHAL_ZE_DECLARE(name) decltype(&::name) name = nullptr;
  AHAL_ZE_ENTRIES(AHAL_ZE_DECLARE)
  AHAL_ZE_OPTIONAL_ENTRIES(AHAL_ZE_DECLARE)
#undef AHAL_ZE_DECLARE

  std::string path;  // the file actually loaded
};

// Opens $AHAL_ZE_LOADER_PATH when set, else libze_loader.so.1:
// AHAL_ERROR_NOT_FOUND when it does not open, AHAL_ERROR_INCOMPATIBLE when
// it lacks entry points; *error says which. The loader stays open for the
// life of the process (drivers it loaded keep threads).
ahal_status_t load_loader(Loader* ze, std::string* error);

// "ZE_RESULT_ERROR_DEVICE_LOST" for a result code (hex for unknown ones).
std::string result_name(ze_result_t result);

}  // namespace ahal_ze
