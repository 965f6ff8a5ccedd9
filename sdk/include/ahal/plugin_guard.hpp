// ahal/plugin_guard.hpp: how a C++ plugin fails, and the one noexcept guard
// every entry runs behind (header only, included by ahal/plugin.hpp).
//
// - set_host() keeps the loader's host table; fail() sets the message of
//   the failure an entry returns, log() writes to the loader's log.
// - raise() throws an Error(status, message); guard() runs a body and turns
//   any exception into a status and message, so none leaves the plugin.
// - entry<fn> is that guard around a C-table plugin's free function;
//   AHAL_PLUGIN_SET_GUARDED_ENTRY installs one, AHAL_PLUGIN_GUARDED_QUERY
//   defines a whole C-table plugin's ahal_plugin_query with them.
//
// Build plugins with hidden visibility (ahal_add_plugin does): the state
// below is per shared object.
#pragma once

#include <ahal/plugin.h>

#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <type_traits>

#if defined(__GNUC__)
#define AHAL_PLUGIN_PRINTF(fmt_index, first_arg) \
  __attribute__((format(printf, fmt_index, first_arg)))
#else
#define AHAL_PLUGIN_PRINTF(fmt_index, first_arg)
#endif

namespace ahal::plugin {

// ------------------------------------------------------------------ host

namespace detail {
struct HostState {
  const ahal_plugin_host_t* host = nullptr;
  const char* plugin_name = "";
};
inline HostState& host_state() {
  static HostState state;
  return state;
}
}  // namespace detail

// Remembers the loader's host table and the plugin's name for messages and
// logs. make_api()'s plugin_init calls it; C-table plugins call it themselves.
inline void set_host(const ahal_plugin_host_t* host, const char* plugin_name) {
  detail::host_state().host = host;
  detail::host_state().plugin_name = plugin_name ? plugin_name : "";
}

// Hands `message` to the loader as the message of the failure the current
// entry returns. Never throws, so it is safe inside catch blocks.
inline void set_message(const char* message) noexcept {
  const ahal_plugin_host_t* host = detail::host_state().host;
  if (host && AHAL_PLUGIN_HAS_FIELD(host, ahal_plugin_host_t, set_error_message) &&
      host->set_error_message) {
    host->set_error_message(message ? message : "");
  }
}

// printf into a std::string.
inline std::string vformat(const char* fmt, va_list args) {
  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n <= 0) return std::string();
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::vsnprintf(&out[0], out.size(), fmt, args);
  out.resize(static_cast<size_t>(n));
  return out;
}

inline std::string format(const char* fmt, ...) AHAL_PLUGIN_PRINTF(1, 2);
inline std::string format(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::string out = vformat(fmt, args);
  va_end(args);
  return out;
}

// Sets the error message and returns `status`:
//   return ahal::plugin::fail(AHAL_ERROR_NOT_FOUND, "no symbol '%s'", entry);
// Formats into a fixed buffer, so it does not throw (long messages are cut).
inline ahal_status_t fail(ahal_status_t status, const char* fmt, ...) AHAL_PLUGIN_PRINTF(2, 3);
inline ahal_status_t fail(ahal_status_t status, const char* fmt, ...) {
  char message[2048];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(message, sizeof(message), fmt, args);
  va_end(args);
  set_message(message);
  return status;
}

inline ahal_status_t fail(ahal_status_t status, const std::string& message) noexcept {
  set_message(message.c_str());
  return status;
}

// Sends a diagnostic to the loader's log (shown as AHAL_LOG_LEVEL allows).
inline void log(ahal_log_level_t level, const std::string& message) noexcept {
  const detail::HostState& state = detail::host_state();
  if (state.host && AHAL_PLUGIN_HAS_FIELD(state.host, ahal_plugin_host_t, log) && state.host->log) {
    state.host->log(level, state.plugin_name, message.c_str());
  }
}

inline void log(ahal_log_level_t level, const char* fmt, ...) AHAL_PLUGIN_PRINTF(2, 3);
inline void log(ahal_log_level_t level, const char* fmt, ...) {
  const detail::HostState& state = detail::host_state();
  if (!state.host || !AHAL_PLUGIN_HAS_FIELD(state.host, ahal_plugin_host_t, log) ||
      !state.host->log) {
    return;
  }
  char message[2048];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(message, sizeof(message), fmt, args);
  va_end(args);
  state.host->log(level, state.plugin_name, message);
}

// ---------------------------------------------------------------- errors

// A failure with its status; guard() turns it into status + message.
class Error : public std::exception {
 public:
  Error(ahal_status_t status, std::string message)
      : status_(status), message_(std::move(message)) {}
  ahal_status_t status() const noexcept { return status_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  ahal_status_t status_;
  std::string message_;
};

// Throws Error(status, formatted message).
[[noreturn]] inline void raise(ahal_status_t status, const char* fmt, ...) AHAL_PLUGIN_PRINTF(2, 3);
[[noreturn]] inline void raise(ahal_status_t status, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::string message = vformat(fmt, args);
  va_end(args);
  throw Error(status, std::move(message));
}

// guide-snippet: guard
// Runs f() (returning void or ahal_status_t) and converts every exception
// into a status with a message; void means AHAL_SUCCESS.
template <class F>
ahal_status_t guard(F&& f) noexcept {
  try {
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      return AHAL_SUCCESS;
    } else {
      return f();
    }
  } catch (const Error& e) {
    set_message(e.what());
    return e.status();
  } catch (const std::bad_alloc&) {
    set_message("out of host memory");
    return AHAL_ERROR_OUT_OF_HOST_MEMORY;
  } catch (const std::exception& e) {
    fail(AHAL_ERROR_PLUGIN, "unexpected C++ exception: %s", e.what());
    return AHAL_ERROR_PLUGIN;
  } catch (...) {
    set_message("unexpected C++ exception of unknown type");
    return AHAL_ERROR_PLUGIN;
  }
}
// guide-snippet-end

// For entries that return nothing (destroy functions): a failure is logged.
template <class F>
void guard_void(const char* what, F&& f) noexcept {
  try {
    f();
  } catch (const std::exception& e) {
    log(AHAL_LOG_ERROR, "%s: %s", what, e.what());
  } catch (...) {
    log(AHAL_LOG_ERROR, "%s: unexpected C++ exception of unknown type", what);
  }
}

// ------------------------------------------------------------ C entries
//
// entry<fn>: the noexcept C entry for a free function `fn` of the plugin
// table's signature that may throw (raise() or anything else). A status
// function runs inside guard(); a void one (a destroy entry) inside
// guard_void(), which logs the failure. A C-table plugin installs it for
// every entry through the entry lists:
//
//   AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_PLUGIN_SET_GUARDED_ENTRY, api)
//   AHAL_PLUGIN_MODULE_ENTRIES(AHAL_PLUGIN_SET_GUARDED_ENTRY, api)
//   AHAL_PLUGIN_SET_GUARDED_ENTRY(api, image_score)

namespace detail {
template <auto Fn>
struct Entry;

template <class... Args, ahal_status_t (*Fn)(Args...)>
struct Entry<Fn> {
  static ahal_status_t call(Args... args) noexcept {
    return guard([&] { return Fn(args...); });
  }
};

template <class... Args, void (*Fn)(Args...)>
struct Entry<Fn> {
  static void call(Args... args) noexcept {
    guard_void("destroy entry", [&] { Fn(args...); });
  }
};

// plugin_init behind the guard, after keeping the loader's host table for
// fail() and log() under the name the table was made with.
template <ahal_status_t (*Fn)(const ahal_plugin_host_t*, const ahal_plugin_init_args_t*,
                              ahal_plugin_instance_t**)>
ahal_status_t init_entry(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                         ahal_plugin_instance_t** out_instance) noexcept {
  set_host(host, host_state().plugin_name);
  return guard([&] { return Fn(host, args, out_instance); });
}
}  // namespace detail

template <auto Fn>
inline constexpr auto entry = &detail::Entry<Fn>::call;

}  // namespace ahal::plugin

// (api).entry = ahal::plugin::entry<entry>, for the entry-list X-macros and
// one optional entry at a time. The function is taken with the field's
// exact type, so an overload of the same name elsewhere does not matter.
#define AHAL_PLUGIN_SET_GUARDED_ENTRY(api, name) \
  (api).name = ::ahal::plugin::entry<static_cast<decltype(ahal_plugin_api_t::name)>(name)>;

// The one export of a C-table plugin whose entries are free functions of
// namespace `ns`, named like the table's fields: ahal_plugin_query with
// every required entry and those OPTIONAL lists, each behind the guard.
// plugin_init finds the loader's host table set already (set_host).
// OPTIONAL(X, api) expands X(api, entry) per optional entry, like the
// entry lists do:
//
//   #define MY_OPTIONAL_ENTRIES(X, api) AHAL_PLUGIN_MODULE_ENTRIES(X, api) X(api, image_score)
//   AHAL_PLUGIN_GUARDED_QUERY(my_ns, "mine", "My accelerator", MY_OPTIONAL_ENTRIES)
//
// A loader table too small to hold one entry is refused, not half-written.
#define AHAL_PLUGIN_GUARDED_QUERY(ns, NAME, DESCRIPTION, OPTIONAL)                           \
  namespace ns {                                                                             \
  inline ahal_plugin_api_t ahal_plugin_guarded_table() {                                     \
    ahal_plugin_api_t api{};                                                                 \
    api.struct_size = sizeof(api);                                                           \
    api.abi_version = AHAL_PLUGIN_ABI_VERSION;                                               \
    api.name = NAME;                                                                         \
    api.description = DESCRIPTION;                                                           \
    ::ahal::plugin::detail::host_state().plugin_name = NAME;                                 \
    AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_PLUGIN_SET_GUARDED_ENTRY, api)                         \
    api.plugin_init = ::ahal::plugin::detail::init_entry<plugin_init>;                       \
    OPTIONAL(AHAL_PLUGIN_SET_GUARDED_ENTRY, api)                                             \
    return api;                                                                              \
  }                                                                                          \
  }                                                                                          \
  extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version, \
                                                                ahal_plugin_api_t* out) {    \
    static const ahal_plugin_api_t api = ns::ahal_plugin_guarded_table();                    \
    if (out && out->struct_size < offsetof(ahal_plugin_api_t, plugin_init))                  \
      return AHAL_ERROR_INCOMPATIBLE;                                                        \
    return ::ahal::plugin::query(loader_abi_version, api, out);                              \
  }

// Declares the plugin's function `name` with the type of the table's field
// of that name, in the current namespace, for the entry-list X-macros:
//   AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
#define AHAL_PLUGIN_DECLARE_ENTRY(unused, name) \
  std::remove_pointer_t<decltype(ahal_plugin_api_t::name)> name;
