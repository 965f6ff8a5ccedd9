// The steps of loading one plugin, shared by the loader (plugin_loader.cpp)
// and its probe in a child process (plugin_probe.cpp).
#pragma once

#include <string>

#include "objects.hpp"

namespace ahal {

// Tells the probing parent which step the child reached (a pipe); does
// nothing in the application's own process.
class ProbeProgress {
 public:
  ProbeProgress() = default;
  explicit ProbeProgress(int fd) : fd_(fd) {}
  void step(const char* name) const;

 private:
  int fd_ = -1;
};

// Opens the file and checks its dispatch table; "" or the refusal reason.
std::string open_and_check(Plugin* plugin);
// Starts the plugin and opens its devices; "" or the refusal reason (a
// refused plugin is shut down again).
std::string start_plugin(Runtime* runtime, Plugin* plugin, const std::string& cache,
                         const ProbeProgress& progress);
// Loads, starts and stops the plugin in a child process; "" when the child
// went through every step, else why the plugin is unsafe to load here.
std::string probe_plugin(const Plugin& candidate, uint32_t runtime_flags);

}  // namespace ahal
