// The plugin's one export, ahal_plugin_query, the dispatch table and the
// instance: the CUDA driver and its device count. docs/gpu/README.md
// describes the choices (host-visible memory, priorities, shared memory).
#include "objects.hpp"

#include <cstddef>

// Every entry behind the SDK's guard (ahal::plugin::entry); the optional
// ones this plugin has:
#define AHAL_CUDA_TABLE_OPTIONAL_ENTRIES(X, api) \
  X(api, command_buffer_create)                  \
  X(api, command_buffer_destroy)                 \
  X(api, command_buffer_submit)                  \
  X(api, command_buffer_update)                  \
  AHAL_PLUGIN_MODULE_ENTRIES(X, api)             \
  X(api, image_score)                            \
  X(api, device_memory_usage) X(api, buffer_get_native) X(api, buffer_import_native)
AHAL_PLUGIN_GUARDED_QUERY(
    ahal_cuda, "cuda", "NVIDIA GPUs through the CUDA driver API (libcuda.so.1, opened at run time)",
    AHAL_CUDA_TABLE_OPTIONAL_ENTRIES)

namespace ahal_cuda {

void plugin_shutdown(ahal_plugin_instance_t* instance) { delete instance; }

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance) {
  auto instance = std::make_unique<ahal_plugin_instance_t>();
  std::string error;
  const ahal_status_t status = instance->driver.load(&error);
  if (status != AHAL_SUCCESS) return fail(status, error);
  const Driver& drv = instance->driver;
  int count = 0;
  const CUresult result = drv.cuDeviceGetCount(&count);
  if (result != CUDA_SUCCESS)
    return fail(status_of(result), drv.message("cuDeviceGetCount", result));
  if (count <= 0)
    return fail(AHAL_ERROR_NOT_FOUND, "CUDA driver " + drv.path() + " reports no device");
  instance->device_count = static_cast<uint32_t>(count);
  *out_instance = instance.release();
  return AHAL_SUCCESS;
}

std::string cu_message(const ahal_plugin_device_t* d, CUresult result, const std::string& what) {
  std::string message = d->drv().message(what.c_str(), result);
  if (is_sticky(result))
    message += "; the CUDA context of " + std::string(d->props.name) +
               " is unusable from now on (a sticky error: CUDA recovers only in a new process)";
  return message;
}

ahal_status_t cu_fail(const ahal_plugin_device_t* d, CUresult result, const std::string& what) {
  return fail(status_of(result), cu_message(d, result, what));
}

void cu_raise(const ahal_plugin_device_t* d, CUresult result, const std::string& what) {
  throw ahal::plugin::Error(status_of(result), cu_message(d, result, what));
}

void log_failure(const ahal_plugin_device_t* d, const char* what, CUresult result) {
  ahal::plugin::log(AHAL_LOG_WARNING, d->drv().message(what, result));
}

}  // namespace ahal_cuda
