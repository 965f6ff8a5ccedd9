// The child-process side of ahal-conform. The runner starts itself again
// with a hidden flag for each piece of work that touches a device, so a
// plugin that crashes or hangs takes down only that child. A child reports
// on a pipe, one line per message: "<TAG> <json>\n".
#pragma once

#include "harness.hpp"
#include "json.hpp"

#include <ahal/ahal.h>

#include <string>
#include <vector>

namespace conform {

class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {}
  void send(const std::string& tag, const Json& payload);

 private:
  int fd_;
};

// Splits a message line into its tag and payload.
bool parse_message(const std::string& line, std::string* tag, Json* payload);

// Lists plugins (PLUGIN), the devices asked for or all (DEVICE), and the
// selectors that match nothing (MISSING).
int run_probe(const std::vector<std::string>& selectors, Channel& out);
// Runs tests on one device: START, RESULT per test, then DONE; or
// SETUP_FAIL when the device cannot be opened.
int run_group(const std::string& selector, const std::vector<std::string>& ids, bool quick,
              Channel& out);
// Measures the device (characterize.cpp): START per step, FIGURE, CURVE,
// NOTE, WORKLOAD, then DONE. `steps`: those of characterize_steps() to run;
// empty = all.
int run_characterize(const std::string& selector, bool quick, uint64_t max_size,
                     const std::vector<std::string>& steps, Channel& out);
// The steps' names, in the order they run.
const std::vector<std::string>& characterize_steps();

// Makes a runtime (honouring AHAL_PLUGIN_PATH and AHAL_PLUGINS) and finds
// the device; on failure *error says why.
bool open_device(const std::string& selector, Runtime* rt, ahal_device_t* device,
                 std::string* error);

Json properties_json(const ahal_device_properties_t& p);

}  // namespace conform
