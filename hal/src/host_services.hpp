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
bool is_status(ahal_status_t status);

// Whether a plugin set a message since begin_plugin_call() on this thread.
// Constant-initialized and initial-exec: one %fs-relative store per plugin
// call, no __tls_get_addr and no init guard (it is on every enqueue).
inline bool& plugin_message_set() {
  static thread_local bool set __attribute__((tls_model("initial-exec"))) = false;
  return set;
}
// Forgets a message a plugin set during an earlier call on this thread.
inline void begin_plugin_call() { plugin_message_set() = false; }
// The message the plugin set since begin_plugin_call(), or nullptr.
const char* plugin_message();

// Turns a plugin's failure into the loader's message:
// "<function>: <plugin>: <plugin's message>", or
// "<function>: <plugin> returned AHAL_ERROR_X without a message".
// AHAL_NOT_READY passes through untouched.
ahal_status_t plugin_failed(const char* function, const Plugin& plugin,
                            ahal_status_t status) AHAL_COLD;
// Called inside catch(...): AHAL_ERROR_PLUGIN "<function>: <plugin>: plugin threw ...".
ahal_status_t plugin_threw(const char* function, const Plugin& plugin) AHAL_COLD;
// Text for an exception being handled, for refusal reasons and logs.
std::string current_exception_text();

// Calls a plugin entry that returns a status, with the loader's rules but
// without fault injection: for teardown, where the plugin's contract needs
// the call to happen (a stream is synchronized before it is destroyed).
template <class F>
inline ahal_status_t call_plugin_no_faults(const char* function, const Plugin& plugin, F&& f) {
  begin_plugin_call();
  ahal_status_t status;
  try {
    status = f();
  } catch (...) {
    return plugin_threw(function, plugin);
  }
  if (AHAL_LIKELY(status == AHAL_SUCCESS)) return status;
  return plugin_failed(function, plugin, status);
}

// Calls a plugin entry that returns a status, with the loader's rules.
// Fault injection is decided out of line, before and after the call,
// without the closure escaping: the hot path stays as it was but for one
// relaxed load and a never-taken branch.
template <class F>
inline ahal_status_t call_plugin(const char* function, const Plugin& plugin, F&& f) {
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
  return plugin_failed(function, plugin, status);
}

// Calls a void plugin entry (destroy, close): a throw is logged, not returned.
template <class F>
inline void call_plugin_void(const char* function, const Plugin& plugin, F&& f) {
  try {
    f();
  } catch (...) {
    log(AHAL_LOG_ERROR, plugin.name.c_str(), "%s: plugin threw %s", function,
        current_exception_text().c_str());
  }
}

// AHAL_ERROR_UNSUPPORTED "<function>: <plugin> does not implement <entry>
// (plugin ABI x.y)".
ahal_status_t not_implemented(const char* function, const Plugin& plugin,
                              const char* entry) AHAL_COLD;

}  // namespace ahal
