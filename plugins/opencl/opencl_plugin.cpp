// The plugin's one export, ahal_plugin_query, and the dispatch table. Every
// entry runs behind a guard so that no C++ exception leaves the plugin.
#include "opencl_plugin.hpp"

#include "cl_errors.hpp"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

namespace ahal_opencl {
namespace {

std::atomic<void (*)(const char*)> g_set_error_message{nullptr};
std::atomic<void (*)(ahal_log_level_t, const char*, const char*)> g_log{nullptr};

// Wraps an entry point: exceptions become a status with a message.
template <auto Fn>
struct Guard;

template <typename... Args, ahal_status_t (*Fn)(Args...)>
struct Guard<Fn> {
  static ahal_status_t call(Args... args) noexcept {
    try {
      return Fn(args...);
    } catch (const std::bad_alloc&) {
      return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    } catch (const std::exception& e) {
      return fail(AHAL_ERROR_PLUGIN, std::string("unexpected exception: ") + e.what());
    } catch (...) {
      return fail(AHAL_ERROR_PLUGIN, "unexpected exception");
    }
  }
};

template <typename... Args, void (*Fn)(Args...)>
struct Guard<Fn> {
  static void call(Args... args) noexcept {
    try {
      Fn(args...);
    } catch (const std::exception& e) {
      log(AHAL_LOG_ERROR, std::string("unexpected exception while freeing: ") + e.what());
    } catch (...) {
      log(AHAL_LOG_ERROR, "unexpected exception while freeing");
    }
  }
};

}  // namespace

void set_host(const ahal_plugin_host_t* host) {
  if (AHAL_PLUGIN_HAS_FIELD(host, ahal_plugin_host_t, set_error_message)) {
    g_set_error_message.store(host->set_error_message);
  }
  if (AHAL_PLUGIN_HAS_FIELD(host, ahal_plugin_host_t, log)) g_log.store(host->log);
}

ahal_status_t fail(ahal_status_t status, const std::string& message) {
  if (auto fn = g_set_error_message.load()) fn(message.c_str());
  return status;
}

ahal_status_t fail_cl(cl_int error, const char* call, const std::string& what) {
  std::string message =
      std::string(call) + " failed: " + cl_error_name(error) + " (" + std::to_string(error) + ")";
  if (!what.empty()) message += ": " + what;
  return fail(cl_error_status(error), message);
}

void log(ahal_log_level_t level, const std::string& message) {
  if (auto fn = g_log.load()) fn(level, "opencl", message.c_str());
}

unsigned parse_cl_version(const std::string& version) {
  unsigned major = 0, minor = 0;
  if (std::sscanf(version.c_str(), "OpenCL %u.%u", &major, &minor) != 2) return 0;
  return major * 100 + minor * 10;
}

}  // namespace ahal_opencl

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  using namespace ahal_opencl;
  if (AHAL_PLUGIN_ABI_VERSION_MAJOR_OF(loader_abi_version) != AHAL_PLUGIN_ABI_MAJOR || !out) {
    return AHAL_ERROR_INCOMPATIBLE;
  }
  ahal_plugin_api_t api{};
  api.struct_size = sizeof(api);
  api.abi_version = AHAL_PLUGIN_ABI_VERSION;
  api.name = "opencl";
  api.description = "OpenCL devices of every installed platform (ICD loader)";
  api.plugin_init = Guard<plugin_init>::call;
  api.plugin_shutdown = Guard<plugin_shutdown>::call;
  api.device_count = Guard<device_count>::call;
  api.device_open = Guard<device_open>::call;
  api.device_close = Guard<device_close>::call;
  api.device_get_properties = Guard<device_get_properties>::call;
  api.buffer_create = Guard<buffer_create>::call;
  api.buffer_destroy = Guard<buffer_destroy>::call;
  api.buffer_map = Guard<buffer_map>::call;
  api.buffer_unmap = Guard<buffer_unmap>::call;
  api.host_alloc = Guard<host_alloc>::call;
  api.host_free = Guard<host_free>::call;
  api.stream_create = Guard<stream_create>::call;
  api.stream_destroy = Guard<stream_destroy>::call;
  api.stream_copy_h2d = Guard<stream_copy_h2d>::call;
  api.stream_copy_d2h = Guard<stream_copy_d2h>::call;
  api.stream_copy_d2d = Guard<stream_copy_d2d>::call;
  api.stream_fill = Guard<stream_fill>::call;
  api.stream_launch = Guard<stream_launch>::call;
  api.stream_host_callback = Guard<stream_host_callback>::call;
  api.stream_record_event = Guard<stream_record_event>::call;
  api.stream_wait_event = Guard<stream_wait_event>::call;
  api.stream_synchronize = Guard<stream_synchronize>::call;
  api.stream_query = Guard<stream_query>::call;
  api.event_create = Guard<event_create>::call;
  api.event_destroy = Guard<event_destroy>::call;
  api.event_query = Guard<event_query>::call;
  api.event_wait = Guard<event_wait>::call;
  api.event_elapsed_ns = Guard<event_elapsed_ns>::call;
  api.module_create = Guard<module_create>::call;
  api.module_destroy = Guard<module_destroy>::call;
  api.kernel_get = Guard<kernel_get>::call;
  api.kernel_get_attributes = Guard<kernel_get_attributes>::call;
  api.image_score = Guard<image_score>::call;
  // The loader zeroed out->struct_size bytes; copy what fits (ABI rule 1).
  size_t size = out->struct_size < sizeof(api) ? out->struct_size : sizeof(api);
  api.struct_size = size;
  std::memcpy(out, &api, size);
  return AHAL_SUCCESS;
}
