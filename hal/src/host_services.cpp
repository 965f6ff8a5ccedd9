#include "host_services.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <typeinfo>

#include "environment.hpp"

namespace ahal {
namespace {

// The text of the plugin's last message on this thread; whether it belongs
// to the current call is plugin_message_set().
thread_local std::string t_plugin_message;

void host_set_error_message(const char* message) {
  try {
    t_plugin_message = message ? message : "";
    plugin_message_set() = true;
  } catch (...) {
  }
}

const char* level_name(ahal_log_level_t level) {
  switch (level) {
    case AHAL_LOG_DEBUG:
      return "debug";
    case AHAL_LOG_INFO:
      return "info";
    case AHAL_LOG_WARNING:
      return "warning";
    case AHAL_LOG_ERROR:
      return "error";
    case AHAL_LOG_MAX_ENUM:
      break;
  }
  return "log";
}

// AHAL_LOG_LEVEL: debug, info, warning (default), error, none, or 0..4.
int threshold() {
  static const int value = [] {
    const char* env = environment("AHAL_LOG_LEVEL");
    if (!env) return int(AHAL_LOG_WARNING);
    const char* names[] = {"debug", "info", "warning", "error", "none"};
    for (int i = 0; i < 5; ++i)
      if (std::strcmp(env, names[i]) == 0 || (env[0] == '0' + i && env[1] == 0)) return i;
    std::fprintf(stderr,
                 "ahal: warning: loader: AHAL_LOG_LEVEL=%s is not one of "
                 "debug, info, warning, error, none\n",
                 env);
    return int(AHAL_LOG_WARNING);
  }();
  return value;
}

// A plugin (or a loop over a broken plugin's devices) must not flood
// stderr: after a burst of kLogBurst lines, kLogPerSecond lines a second
// get through and the rest are counted, then reported in one line.
constexpr double kLogBurst = 100, kLogPerSecond = 20;

void write_log(ahal_log_level_t level, const char* source, const char* message) {
  static std::mutex mutex;
  static double tokens = kLogBurst;
  static auto last = std::chrono::steady_clock::now();
  static unsigned long long suppressed = 0;
  std::lock_guard<std::mutex> lock(mutex);
  const auto now = std::chrono::steady_clock::now();
  tokens = std::min(kLogBurst,
                    tokens + std::chrono::duration<double>(now - last).count() * kLogPerSecond);
  last = now;
  if (tokens < 1) {
    ++suppressed;
    return;
  }
  tokens -= 1;
  if (suppressed)
    std::fprintf(stderr,
                 "ahal: warning: loader: %llu log lines suppressed (more than %g a second)\n",
                 suppressed, kLogPerSecond);
  suppressed = 0;
  std::fprintf(stderr, "ahal: %s: %s: %s\n", level_name(level), source ? source : "?",
               message ? message : "");
}

void host_log(ahal_log_level_t level, const char* plugin_name, const char* message) {
  if (log_enabled(level)) write_log(level, plugin_name, message);
}

const ahal_plugin_host_t kHost = {
    sizeof(ahal_plugin_host_t),
    AHAL_PLUGIN_ABI_VERSION,
    AHAL_API_VERSION,
    host_set_error_message,
    host_log,
};

}  // namespace

bool is_status(ahal_status_t status) noexcept {
  return int(status) >= int(AHAL_SUCCESS) && int(status) <= int(AHAL_ERROR_INTERNAL);
}

const ahal_plugin_host_t* host_table() { return &kHost; }

bool log_enabled(ahal_log_level_t level) { return int(level) >= threshold(); }

void log(ahal_log_level_t level, const char* source, const char* fmt, ...) {
  if (!log_enabled(level)) return;
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  write_log(level, source, buf);
}

const char* plugin_message() noexcept {
  return plugin_message_set() ? t_plugin_message.c_str() : nullptr;
}

ahal_status_t plugin_failed(const char* function, const Plugin& plugin, const char* entry,
                            uint32_t allowed, ahal_status_t status) noexcept {
  if (!is_status(status))
    return fail(AHAL_ERROR_PLUGIN, function, "%s: %s returned %d, which is not an ahal_status_t",
                plugin.name.c_str(), entry, int(status));
  if (!(allowed & (1u << raw_enum(status))))
    return fail(AHAL_ERROR_PLUGIN, function,
                "%s: %s returned %s, which it may not return (docs/entries.md)%s%s",
                plugin.name.c_str(), entry, ahal_status_string(status),
                plugin_message() && *plugin_message() ? "; its message: " : "",
                plugin_message() ? plugin_message() : "");
  if (status == AHAL_NOT_READY) return status;
  const char* message = plugin_message();
  if (message && *message) return fail(status, function, "%s: %s", plugin.name.c_str(), message);
  return fail(status, function, "%s returned %s without a message", plugin.name.c_str(),
              ahal_status_string(status));
}

std::string current_exception_text() {
  try {
    throw;
  } catch (const std::exception& e) {
    int status = 0;
    char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
    std::string text = format("%s: %s", name ? name : typeid(e).name(), e.what());
    std::free(name);
    return text;
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

ahal_status_t plugin_threw(const char* function, const Plugin& plugin) noexcept {
  try {
    return fail(AHAL_ERROR_PLUGIN, function, "%s: plugin threw %s", plugin.name.c_str(),
                current_exception_text().c_str());
  } catch (...) {
    return fail(AHAL_ERROR_PLUGIN, function, "%s: plugin threw", plugin.name.c_str());
  }
}

void plugin_threw_void(const char* function, const Plugin& plugin) noexcept {
  try {
    log(AHAL_LOG_ERROR, plugin.name.c_str(), "%s: plugin threw %s", function,
        current_exception_text().c_str());
  } catch (...) {
  }
}

ahal_status_t not_implemented(const char* function, const Plugin& plugin,
                              const char* entry) noexcept {
  return fail(AHAL_ERROR_UNSUPPORTED, function, "%s does not implement %s (plugin ABI %u.%u)",
              plugin.name.c_str(), entry, AHAL_PLUGIN_ABI_VERSION_MAJOR_OF(plugin.abi_version),
              AHAL_PLUGIN_ABI_VERSION_MINOR_OF(plugin.abi_version));
}

}  // namespace ahal
