// The plugin's one export, ahal_plugin_query, and the dispatch table. Every
// entry runs behind a guard so that no C++ exception leaves the plugin.
#include "objects.hpp"

#include "cl_errors.hpp"

#include <ahal/plugin.hpp>

#include <atomic>
#include <cstdio>
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

namespace {

// Every entry behind its Guard.
ahal_plugin_api_t make_api() {
  ahal_plugin_api_t api{};
  api.struct_size = sizeof(api);
  api.abi_version = AHAL_PLUGIN_ABI_VERSION;
  api.name = "opencl";
  api.description = "OpenCL devices of every installed platform (ICD loader)";
#define AHAL_OPENCL_GUARDED(table, entry) (table).entry = Guard<entry>::call;
  AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_OPENCL_GUARDED, api)
  AHAL_PLUGIN_MODULE_ENTRIES(AHAL_OPENCL_GUARDED, api)
#undef AHAL_OPENCL_GUARDED
  api.image_score = Guard<image_score>::call;
  return api;
}

}  // namespace
}  // namespace ahal_opencl

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  static const ahal_plugin_api_t api = ahal_opencl::make_api();
  return ahal::plugin::query(loader_abi_version, api, out);
}
