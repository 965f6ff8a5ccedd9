// The plugin's one export, ahal_plugin_query, the dispatch table and the
// instance: every device of every OpenCL platform.
#include "objects.hpp"

#include "cl_errors.hpp"

#include <cstdio>

// Every entry behind the SDK's guard (ahal::plugin::entry); the optional
// ones this plugin has:
#define AHAL_OPENCL_TABLE_OPTIONAL_ENTRIES(X, api) \
  AHAL_PLUGIN_MODULE_ENTRIES(X, api)               \
  X(api, image_score)                              \
  X(api, command_buffer_create)                    \
  X(api, command_buffer_destroy)                   \
  X(api, command_buffer_submit)                    \
  X(api, command_buffer_update) X(api, buffer_get_native) X(api, buffer_host_address)
AHAL_PLUGIN_GUARDED_QUERY(
    ahal_opencl, "opencl",
    "OpenCL devices of every installed platform (ICD loader, opened at run time)",
    AHAL_OPENCL_TABLE_OPTIONAL_ENTRIES)

namespace ahal_opencl {

std::string cl_message(cl_int error, const char* call, const std::string& what) {
  std::string message =
      std::string(call) + " failed: " + cl_error_name(error) + " (" + std::to_string(error) + ")";
  if (!what.empty()) message += ": " + what;
  return message;
}

ahal_status_t fail_cl(cl_int error, const char* call, const std::string& what) {
  return fail(cl_error_status(error), cl_message(error, call, what));
}

unsigned parse_cl_version(const std::string& version) {
  unsigned major = 0, minor = 0;
  if (std::sscanf(version.c_str(), "OpenCL %u.%u", &major, &minor) != 2) return 0;
  return major * 100 + minor * 10;
}

void plugin_shutdown(ahal_plugin_instance_t* instance) { delete instance; }

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance) {
  open_icd_loader();
  auto instance = std::make_unique<ahal_plugin_instance_s>();
  if (AHAL_PLUGIN_HAS_FIELD(args, ahal_plugin_init_args_t, cache_dir) && args->cache_dir) {
    instance->cache_dir = args->cache_dir;
  }
  cl_uint platform_count = 0;
  cl_int err = cl.GetPlatformIDs(0, nullptr, &platform_count);
  // The ICD loader answers CL_PLATFORM_NOT_FOUND_KHR when no ICD is installed.
  if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS && platform_count == 0)) {
    return fail(AHAL_ERROR_NOT_FOUND, "no OpenCL platforms");
  }
  if (err != CL_SUCCESS) return fail_cl(err, "clGetPlatformIDs");
  std::vector<cl_platform_id> platforms(platform_count);
  err = cl.GetPlatformIDs(platform_count, platforms.data(), nullptr);
  if (err != CL_SUCCESS) return fail_cl(err, "clGetPlatformIDs");

  for (cl_platform_id platform : platforms) {
    cl_uint count = 0;
    err = cl.GetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &count);
    std::string platform_name = platform_string(platform, CL_PLATFORM_NAME);
    if (err != CL_SUCCESS || count == 0) {
      log(AHAL_LOG_INFO, "platform '" + platform_name + "' has no devices");
      continue;
    }
    std::vector<cl_device_id> ids(count);
    if (cl.GetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, count, ids.data(), nullptr) != CL_SUCCESS) {
      continue;
    }
    for (cl_device_id id : ids) {
      // Streams, events and fills need OpenCL 1.2 (markers, barriers, fill).
      std::string version = device_string(id, CL_DEVICE_VERSION);
      if (parse_cl_version(version) < 120) {
        log(AHAL_LOG_INFO, "skipping '" + device_string(id, CL_DEVICE_NAME) + "' on '" +
                               platform_name + "': " + version + " is older than OpenCL 1.2");
        continue;
      }
      instance->devices.push_back({platform, id});
    }
  }
  if (instance->devices.empty()) {
    return fail(AHAL_ERROR_NOT_FOUND, "no OpenCL 1.2+ devices on " +
                                          std::to_string(platform_count) + " OpenCL platform(s)");
  }
  *out_instance = instance.release();
  return AHAL_SUCCESS;
}

}  // namespace ahal_opencl
