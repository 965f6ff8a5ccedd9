// A loader host table that records the messages and log lines a plugin
// hands it, for tests of the SDK helpers.
#pragma once

#include <ahal/plugin_guard.hpp>

#include <string>
#include <vector>

namespace sdk_test {

inline std::string& last_message() {
  static std::string message;
  return message;
}

inline std::vector<std::string>& log_lines() {
  static std::vector<std::string> lines;
  return lines;
}

// Installs the fake host for plugin "test" (set_host keeps the pointer).
inline void use_fake_host() {
  static const ahal_plugin_host_t host = [] {
    ahal_plugin_host_t h{};
    h.struct_size = sizeof(h);
    h.set_error_message = [](const char* m) { last_message() = m; };
    h.log = [](ahal_log_level_t, const char* plugin, const char* m) {
      log_lines().push_back(std::string(plugin) + ": " + m);
    };
    return h;
  }();
  ahal::plugin::set_host(&host, "test");
  last_message().clear();
  log_lines().clear();
}

}  // namespace sdk_test
