// The plugin's one export, ahal_plugin_query, the dispatch table, the
// instance (the runtime and its device count) and the error helpers.
// Launches follow docs/kernel-abi.md: pointer parameters (base + offset),
// then the constants struct by value, dynamic shared memory as the
// launch's shared bytes.
#include "objects.hpp"

#include <memory>

// Every entry behind the SDK's guard (ahal::plugin::entry); the optional
// ones this plugin has:
#define AHAL_HIP_TABLE_OPTIONAL_ENTRIES(X, api) \
  X(api, command_buffer_create)                 \
  X(api, command_buffer_destroy)                \
  X(api, command_buffer_submit)                 \
  AHAL_PLUGIN_MODULE_ENTRIES(X, api)            \
  X(api, image_score)                           \
  X(api, device_memory_usage) X(api, buffer_get_native) X(api, buffer_import_native)
AHAL_PLUGIN_GUARDED_QUERY(
    ahal_hip, "hip",
    "AMD GPUs and Hygon DCUs through the HIP runtime (libamdhip64, opened at run time)",
    AHAL_HIP_TABLE_OPTIONAL_ENTRIES)

namespace ahal_hip {

// Errors after which the device (context) is unusable.
bool is_device_lost(hipError_t err) {
  switch (err) {
    case hipErrorIllegalAddress:
    case hipErrorLaunchTimeOut:
    case hipErrorECCNotCorrectable:
    case hipErrorAssert:
    case hipErrorPriorLaunchFailure:
    case hipErrorContextIsDestroyed:
      return true;
    default:
      return false;
  }
}

ahal_status_t status_of(hipError_t err) {
  if (is_device_lost(err)) return AHAL_ERROR_DEVICE_LOST;
  switch (err) {
    case hipSuccess:
      return AHAL_SUCCESS;
    case hipErrorNotReady:
      return AHAL_NOT_READY;
    case hipErrorOutOfMemory:
      return AHAL_ERROR_OUT_OF_DEVICE_MEMORY;
    case hipErrorInvalidImage:
    case hipErrorNoBinaryForGpu:
    case hipErrorInvalidKernelFile:
    case hipErrorSharedObjectInitFailed:
    case hipErrorSharedObjectSymbolNotFound:
      return AHAL_ERROR_BUILD_FAILED;
    case hipErrorNotFound:
      return AHAL_ERROR_NOT_FOUND;
    case hipErrorNotSupported:
      return AHAL_ERROR_UNSUPPORTED;
    case hipErrorLaunchOutOfResources:
    case hipErrorInvalidConfiguration:
      return AHAL_ERROR_OUT_OF_RANGE;
    default:
      return AHAL_ERROR_PLUGIN;
  }
}

// "<call>: hipErrorX (text)" with the status that error maps to.
std::string hip_message(const ahal_plugin_device_t* dev, hipError_t err, const char* call,
                        const std::string& context) {
  std::string msg = std::string(call) + " failed: " + error_text(*dev->rt, err);
  if (is_device_lost(err)) msg += "; the device is lost and must be reopened";
  if (!context.empty()) msg += " (" + context + ")";
  return msg;
}

ahal_status_t hip_fail(const ahal_plugin_device_t* dev, hipError_t err, const char* call,
                       const std::string& context) {
  return fail(status_of(err), hip_message(dev, err, call, context));
}

void hip_raise(const ahal_plugin_device_t* dev, hipError_t err, const char* call,
               const std::string& context) {
  throw ahal::plugin::Error(status_of(err), hip_message(dev, err, call, context));
}

// HIP keeps a current device per host thread; ahal entries come from any
// thread, so each entry that creates or allocates selects its device first.
ahal_status_t activate(const ahal_plugin_device_t* dev) {
  hipError_t err = dev->rt->hipSetDevice(dev->ordinal);
  return err == hipSuccess ? AHAL_SUCCESS : hip_fail(dev, err, "hipSetDevice");
}

// Destroy entries cannot return a status: a failure there is logged.
void log_failure(const ahal_plugin_device_t* dev, hipError_t err, const char* call) {
  if (err == hipSuccess) return;
  ahal::plugin::log(AHAL_LOG_WARNING, std::string(call) + " failed: " + error_text(*dev->rt, err));
}

void plugin_shutdown(ahal_plugin_instance_t* instance) { delete instance; }

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance) {
  auto instance = std::make_unique<ahal_plugin_instance_t>();
  std::string error;
  if (ahal_status_t status = load_runtime(&instance->rt, &error); status != AHAL_SUCCESS)
    return fail(status, error);
  const Runtime& rt = instance->rt;
  hipError_t err = rt.hipInit(0);
  if (err != hipSuccess)
    return fail(AHAL_ERROR_NOT_FOUND, "no usable HIP device: hipInit failed: " +
                                          error_text(rt, err) + " (runtime " + rt.path + ")");
  int count = 0;
  err = rt.hipGetDeviceCount(&count);
  if (err != hipSuccess && err != hipErrorNoDevice)
    return fail(AHAL_ERROR_NOT_FOUND,
                "hipGetDeviceCount failed: " + error_text(rt, err) + " (runtime " + rt.path + ")");
  if (err == hipErrorNoDevice || count <= 0)
    return fail(AHAL_ERROR_NOT_FOUND, "no HIP devices (runtime " + rt.path + ")");
  instance->device_count = count;
  *out_instance = instance.release();
  return AHAL_SUCCESS;
}

}  // namespace ahal_hip
