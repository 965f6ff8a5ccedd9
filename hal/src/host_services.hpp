// What the loader offers plugins (ahal_plugin_host_t), the loader's log, and
// the wrappers every call into a plugin goes through.
#pragma once

#include <ahal/plugin.h>

#include <string>

#include "fault_injection.hpp"
#include "objects.hpp"
#include "status.hpp"

namespace ahal {

const ahal_plugin_host_t* host_table();

// Writes "ahal: <level>: <source>: <message>" to stderr when AHAL_LOG_LEVEL
// allows it (default: warnings and errors).
void log(ahal_log_level_t level, const char* source, const char* format, ...) AHAL_PRINTF(3, 4);
bool log_enabled(ahal_log_level_t level);

// True for the values ahal_status_t defines.
bool is_status(ahal_status_t status) noexcept;

// Whether a plugin set a message since begin_plugin_call() on this thread.
// Constant-initialized and initial-exec: one %fs-relative store per plugin
// call, no __tls_get_addr and no init guard (it is on every enqueue).
inline bool& plugin_message_set() noexcept {
  static thread_local bool set __attribute__((tls_model("initial-exec"))) = false;
  return set;
}
// Forgets a message a plugin set during an earlier call on this thread.
inline void begin_plugin_call() noexcept { plugin_message_set() = false; }
// The message the plugin set since begin_plugin_call(), or nullptr.
const char* plugin_message() noexcept;

// Turns a plugin's failure into the loader's message:
// "<function>: <plugin>: <plugin's message>", or
// "<function>: <plugin> returned AHAL_ERROR_X without a message".
// `allowed` has bit (1 << status) for each status the spec lets `entry`
// return: AHAL_NOT_READY from a query passes through untouched; any status
// not allowed (or not an ahal_status_t) becomes AHAL_ERROR_PLUGIN.
ahal_status_t plugin_failed(const char* function, const Plugin& plugin, const char* entry,
                            uint32_t allowed, ahal_status_t status) noexcept AHAL_COLD;
// Called inside catch(...): AHAL_ERROR_PLUGIN "<function>: <plugin>: plugin threw ...".
ahal_status_t plugin_threw(const char* function, const Plugin& plugin) noexcept AHAL_COLD;
// Called inside catch(...) of a void entry: logs what the plugin threw.
void plugin_threw_void(const char* function, const Plugin& plugin) noexcept AHAL_COLD;

// Text for an exception being handled, for refusal reasons and logs.
std::string current_exception_text();

// Calls a plugin entry that returns a status, with the loader's rules
// (through the typed calls of generated/plugin_calls.hpp). Fault injection
// (fault_injection.hpp) is decided out of line, before and after the call,
// without the closure escaping: the hot path keeps one relaxed load and a
// never-taken branch. Teardown calls (function names ending in _destroy or
// _free, ahal_runtime_destroy) are never faulted: faults::next exempts them,
// since a plugin's contract needs them to happen.
template <class F>
inline ahal_status_t call_plugin(const char* function, const Plugin& plugin, const char* entry,
                                 uint32_t allowed, F&& f) noexcept {
  Fault fault = Fault::kNone;
  if (AHAL_UNLIKELY(faults::on())) {
    fault = faults::next(function);
    if (fault == Fault::kEarly || fault == Fault::kLost)
      return faults::report(function, plugin, fault);
  }
  begin_plugin_call();
  ahal_status_t status;
  try {
    status = f();
  } catch (...) {
    return plugin_threw(function, plugin);
  }
  if (AHAL_LIKELY(status == AHAL_SUCCESS)) {
    if (AHAL_UNLIKELY(fault == Fault::kLate)) return faults::report(function, plugin, fault);
    return status;
  }
  return plugin_failed(function, plugin, entry, allowed, status);
}

// Calls a void plugin entry (destroy, close): a throw is logged, not returned.
template <class F>
inline void call_plugin_void(const char* function, const Plugin& plugin, F&& f) noexcept {
  try {
    f();
  } catch (...) {
    plugin_threw_void(function, plugin);
  }
}

// AHAL_ERROR_UNSUPPORTED "<function>: <plugin> does not implement <entry>
// (plugin ABI x.y)".
ahal_status_t not_implemented(const char* function, const Plugin& plugin,
                              const char* entry) noexcept AHAL_COLD;

}  // namespace ahal
